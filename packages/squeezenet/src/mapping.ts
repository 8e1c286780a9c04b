/**
 * Reference names → tfzoo weights for SqueezeNet.
 *
 * torchvision's state dicts name every weight after its module (`features.0.weight`,
 * `features.3.squeeze.weight`, `features.3.expand1x1.bias`, `classifier.1.weight`), and tfzoo's
 * layers carry the same names with `.` → `_`, so core's mechanical rule maps every tensor: convolutions
 * `[O, I, kh, kw]` → `[kh, kw, I, O]`, biases as they are. The mapping has no rules; it is registered
 * under its own id so pretrained configs and `createModel(id, { weights })` can name it.
 */
import { registerMapping, type WeightMapping } from '@tfzoo/core';

/** Id of the mapping that loads torchvision's SqueezeNet files. */
export const SQUEEZENET_MAPPING_ID = 'squeezenet/torchvision';

/** The mapping of torchvision's `squeezenet1_0` / `squeezenet1_1` state dicts. */
export const SQUEEZENET_MAPPING: WeightMapping = registerMapping(SQUEEZENET_MAPPING_ID, {
  description: "torchvision's squeezenet1_0 / squeezenet1_1 state dicts (module path with . → _)",
});
