/**
 * `@tfzoo/squeezenet`: SqueezeNet 1.0 and 1.1 (Iandola et al., 2016) in torchvision's layout, with
 * torchvision's ImageNet weights. Importing the package registers `squeezenet1_0` and
 * `squeezenet1_1` in the tfzoo registry and the `squeezenet/torchvision` weight mapping.
 *
 * @packageDocumentation
 */
export { type FireConfig, type FireInitializers, fireModule } from './blocks.js';
export { SQUEEZENET_FAMILY, squeezenet1_0Definition, squeezenet1_1Definition } from './family.js';
export { SQUEEZENET_MAPPING, SQUEEZENET_MAPPING_ID, SQUEEZENET_MAPPINGS } from './mapping.js';
export { SQUEEZENET_PRETRAINED, SQUEEZENET1_0_PRETRAINED, SQUEEZENET1_1_PRETRAINED } from './pretrained.js';
export {
  buildSqueezeNet,
  SQUEEZENET_CONFIGS,
  SQUEEZENET_OPTION_KEYS,
  SQUEEZENET1_0,
  SQUEEZENET1_1,
  type SqueezeNetConfig,
  type SqueezeNetFeature,
  type SqueezeNetOptions,
  squeezenet1_0,
  squeezenet1_1,
} from './squeezenet.js';
export { SQUEEZENET_VARIANTS } from './variants.js';
