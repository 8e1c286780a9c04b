/**
 * `@tfzoo/vgg`: VGG-11/13/16/19 with and without batch-norm (Simonyan & Zisserman, 2015), laid out
 * as torchvision builds them, with torchvision's and timm's ImageNet weights. Importing the package
 * registers `vgg11` … `vgg19_bn` in the tfzoo registry.
 *
 * @packageDocumentation
 */
export {
  REFERENCE_INITIALIZERS,
  type VggInitializers,
  type VggLayerSpec,
  vggClassifier,
  vggFeatures,
  ZERO_INITIALIZERS,
} from './blocks.js';
export { VGG_FAMILY, vggDefinitions } from './family.js';
export { VGG_MAPPINGS, VGG_TIMM_MAPPING, VGG_TORCHVISION_MAPPING, vggTimmMapping } from './mapping.js';
export { VGG_PRETRAINED, vggPretrained } from './pretrained.js';
export {
  VGG_VARIANTS,
  vgg11,
  vgg11Bn,
  vgg13,
  vgg13Bn,
  vgg16,
  vgg16Bn,
  vgg19,
  vgg19Bn,
} from './variants.js';
export {
  buildVgg,
  VGG_LAYERS,
  VGG_OPTION_KEYS,
  type VggBuildOptions,
  type VggConfig,
  type VggOptions,
  vgg,
} from './vgg.js';
