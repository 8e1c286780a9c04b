/**
 * Reference names → tfzoo weights for SqueezeNet.
 *
 * torchvision's state dicts name every weight after its module (`features.0.weight`,
 * `features.3.squeeze.weight`, `features.3.expand1x1.bias`, `classifier.1.weight`), and tfzoo's
 * layers carry the same names with `.` → `_`, so core's mechanical rule maps every tensor: convolutions
 * `[O, I, kh, kw]` → `[kh, kw, I, O]`, biases as they are. The mapping has no rules; it is registered
 * by the family as `squeezenet/torchvision` so pretrained configs and `createModel(id, { weights })` can name it.
 */
import type { WeightMapping } from '@tfzoo/core';

/** SqueezeNet's weight mappings by source; registered as `squeezenet/torchvision`. */
export const SQUEEZENET_MAPPINGS: Readonly<Record<'torchvision', WeightMapping>> = Object.freeze({
  torchvision: {
    description: "torchvision's squeezenet1_0 / squeezenet1_1 state dicts (module path with . → _)",
  },
});

/**
 * Id of the mapping that loads torchvision's SqueezeNet files.
 *
 * @deprecated Use `SQUEEZENET_FAMILY.mappingIds.torchvision` (the same id).
 */
export const SQUEEZENET_MAPPING_ID = 'squeezenet/torchvision';

/**
 * The mapping of torchvision's `squeezenet1_0` / `squeezenet1_1` state dicts.
 *
 * @deprecated Use `SQUEEZENET_MAPPINGS.torchvision`.
 */
export const SQUEEZENET_MAPPING: WeightMapping = SQUEEZENET_MAPPINGS.torchvision;
