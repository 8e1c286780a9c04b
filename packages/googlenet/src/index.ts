/**
 * `@tfzoo/googlenet`: GoogLeNet / Inception v1 (Szegedy et al., 2015) as torchvision builds it,
 * with torchvision's ImageNet weights and optional auxiliary classifiers. Importing the package
 * registers `googlenet` in the tfzoo registry and the `ChannelAffine` layer with TF.js
 * serialization.
 *
 * @packageDocumentation
 */
export {
  type AuxSpec,
  type BasicConvOptions,
  basicConv2d,
  ChannelAffine,
  type ChannelAffineArgs,
  ceilMaxPool,
  type GoogLeNetInit,
  type InceptionSpec,
  inception,
  inceptionAux,
  REFERENCE_INIT,
  transformInput,
  ZERO_INIT,
} from './blocks.js';
export { GOOGLENET_FAMILY, googlenetDefinition } from './family.js';
export {
  buildGoogLeNet,
  GOOGLENET_CONFIG,
  GOOGLENET_OPTION_KEYS,
  type GoogLeNetBuildOptions,
  type GoogLeNetConfig,
  type GoogLeNetOptions,
  type GoogLeNetStem,
  googlenet,
  googlenetFromConfig,
  type InceptionName,
} from './googlenet.js';
export {
  GOOGLENET_AUX_MAPPING,
  GOOGLENET_AUX_MODULES,
  GOOGLENET_MAPPING,
  GOOGLENET_MAPPINGS,
  googlenetMapping,
  googlenetSkipsTensor,
} from './mapping.js';
export { GOOGLENET_PRETRAINED } from './pretrained.js';
export { GOOGLENET_VARIANTS } from './variants.js';
