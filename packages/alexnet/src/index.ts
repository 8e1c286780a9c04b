/**
 * `@tfzoo/alexnet`: AlexNet (Krizhevsky et al., 2012) as torchvision builds it, with torchvision's
 * ImageNet weights, and the paper's original network as an option. Importing the package registers
 * `alexnet` in the tfzoo registry.
 *
 * @packageDocumentation
 */
export {
  ALEXNET_CONFIGS,
  ALEXNET_OPTION_KEYS,
  type AlexNetBuildOptions,
  type AlexNetConfig,
  type AlexNetConfigOptions,
  type AlexNetOptions,
  type AlexNetStyle,
  alexnet,
  alexnetFromConfig,
  buildAlexNet,
} from './alexnet.js';
export {
  type AlexNetStage,
  alexnetClassifier,
  alexnetFeatures,
  type LayerInit,
  type LrnParams,
} from './blocks.js';
export { ALEXNET_FAMILY, alexnetDefinition } from './family.js';
export { ALEXNET_MAPPING, ALEXNET_MAPPINGS } from './mapping.js';
export { ALEXNET_PRETRAINED } from './pretrained.js';
export { ALEXNET_VARIANTS } from './variants.js';
