/**
 * `@tfzoo/shufflenet`: ShuffleNet v1 (Zhang et al., 2018; megvii's layout, groups 1–8, widths
 * 0.5×–2×, no upstream weights) and ShuffleNet V2 (Ma et al., 2018; torchvision's layout and ImageNet
 * weights). Importing the package registers `shufflenet_v1_g<g>_x<w>` and `shufflenet_v2_x0_5` …
 * `shufflenet_v2_x2_0` in the tfzoo registry, and the weight mappings `shufflenet/torchvision` and
 * `shufflenet/megvii`.
 *
 * @packageDocumentation
 */
export {
  batchNorm,
  ChannelSlice,
  type ChannelSliceArgs,
  concat,
  depthwiseConv3x3,
  type Initializer,
  paddedConv,
  pointwiseConv,
  relu,
  type ShuffleV1UnitArgs,
  type ShuffleV2UnitArgs,
  shuffleV1Unit,
  shuffleV2Unit,
  TORCH_BN_EPSILON,
  TORCH_BN_MOMENTUM,
  type UnitInitializers,
} from './blocks.js';
export { SHUFFLENET_FAMILY, SHUFFLENET_V1_DEFINITIONS, SHUFFLENET_V2_DEFINITIONS } from './family.js';
export {
  MAX_V1_UNITS,
  SHUFFLENET_MAPPINGS,
  SHUFFLENET_MEGVII_MAPPING,
  SHUFFLENET_MEGVII_MAPPING_ID,
  SHUFFLENET_TORCHVISION_MAPPING,
  SHUFFLENET_TORCHVISION_MAPPING_ID,
} from './mapping.js';
export { SHUFFLENET_PRETRAINED } from './pretrained.js';
export {
  buildShuffleNet,
  buildShuffleNetV1,
  buildShuffleNetV2,
  isShuffleNetV1Config,
  SHUFFLENET_OPTION_KEYS,
  SHUFFLENET_V1_STAGE_CHANNELS,
  SHUFFLENET_V1_STEM_CHANNELS,
  type ShuffleNetConfig,
  type ShuffleNetOptions,
  type ShuffleNetV1Config,
  type ShuffleNetV1Groups,
  type ShuffleNetV1Options,
  type ShuffleNetV1Width,
  type ShuffleNetV2Config,
  type ShuffleNetV2Options,
  shuffleNetV1Config,
  shuffleNetV1Name,
} from './shufflenet.js';
export {
  SHUFFLENET_V1_CONFIGS,
  SHUFFLENET_V1_GROUPS,
  SHUFFLENET_V1_WIDTHS,
  SHUFFLENET_V2_CONFIGS,
  SHUFFLENET_VARIANTS,
  type ShuffleNetV1VariantOptions,
  type ShuffleNetV2Arch,
  shufflenetV1,
  shufflenetV2X0_5,
  shufflenetV2X1_0,
  shufflenetV2X1_5,
  shufflenetV2X2_0,
} from './variants.js';
