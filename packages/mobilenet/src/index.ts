/**
 * `@tfzoo/mobilenet`: MobileNet v1 (Howard et al., 2017), v2 (Sandler et al., 2018) and v3 large and
 * small (Howard et al., 2019) for TensorFlow.js, in torchvision's and timm's layouts, with their
 * ImageNet weights. Importing the package registers `mobilenet_v1`, `mobilenetv1_100`,
 * `mobilenet_v2`, `mobilenetv2_100`, `mobilenet_v3_large`, `mobilenet_v3_small` and
 * `mobilenetv3_large_100`, and the weight mappings `mobilenet/torchvision` and `mobilenet/timm`.
 *
 * @packageDocumentation
 */
export {
  applyActivation,
  type BlockConfig,
  type BlockContext,
  type BlockKind,
  type BlockNames,
  type BlockPosition,
  type ConvUnitArgs,
  type ConvUnitNames,
  convUnit,
  MOBILENET_ACTIVATIONS,
  MOBILENET_LAYOUTS,
  type MobileNetActivation,
  type MobileNetLayout,
  type MobileNetNaming,
  mobileNetBlock,
  namingFor,
  seChannels,
} from './blocks.js';
export {
  MOBILENET_FAMILY,
  mobilenetV1Definition,
  mobilenetV2Definition,
  mobilenetV3LargeDefinition,
  mobilenetV3SmallDefinition,
  mobilenetv1_100Definition,
  mobilenetv2_100Definition,
  mobilenetv3_large_100Definition,
} from './family.js';
export {
  MOBILENET_MAPPINGS,
  MOBILENET_TIMM_MAPPING,
  MOBILENET_TIMM_MAPPING_ID,
  MOBILENET_TORCHVISION_MAPPING,
  MOBILENET_TORCHVISION_MAPPING_ID,
  squeezeExciteTargets,
} from './mapping.js';
export {
  buildMobileNet,
  MOBILENET_OPTION_KEYS,
  MOBILENET_V1_OPTION_KEYS,
  type MobileNetConfig,
  type MobileNetOptions,
  type MobileNetPadding,
  type MobileNetReference,
  type MobileNetV1Options,
  type MobileNetWidthOptions,
  mobilenetV1,
  mobilenetV1Config,
  mobilenetV2,
  mobilenetV2Config,
  mobilenetV3Config,
  mobilenetV3Large,
  mobilenetV3Small,
  type TimmMobileNetV3Spec,
  timmMobileNetV3Config,
} from './mobilenet.js';
export {
  MOBILENET_PAPERS,
  MOBILENET_PRETRAINED,
  MOBILENET_V2_PRETRAINED,
  MOBILENET_V3_LARGE_PRETRAINED,
  MOBILENET_V3_SMALL_PRETRAINED,
  MOBILENETV1_100_PRETRAINED,
  MOBILENETV2_100_PRETRAINED,
  MOBILENETV3_LARGE_100_PRETRAINED,
  MOBILENETV3_LARGE_150D_PRETRAINED,
  MOBILENETV3_RW_PRETRAINED,
  MOBILENETV3_SMALL_PRETRAINED,
  TF_MOBILENETV3_PRETRAINED,
} from './pretrained.js';
export { buildMobileNetVariant, MOBILENET_VARIANTS, type MobileNetVariant } from './variants.js';
