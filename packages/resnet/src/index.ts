/**
 * `@tfzoo/resnet`: ResNet-18/34/50/101/152, ResNeXt and Wide ResNet as torchvision builds them, with
 * feature taps (`featuresOnly`, `outIndices`), drop path and zero-init of the residual branches.
 * Importing the package registers every variant, its pretrained weights (timm's `tv_in1k`
 * safetensors, torchvision's `.pth` files) and the `resnet` weight mapping.
 *
 * @packageDocumentation
 */
export {
  type BlockArgs,
  BOTTLENECK_EXPANSION,
  basicBlock,
  batchNorm,
  bottleneckBlock,
  type ConvSpec,
  conv2d,
  convBn,
  maybeDropPath,
  relu,
  residualOutput,
  type SqueezeExciteConfig,
  squeezeExcite,
  TORCH_BN_EPSILON,
  TORCH_BN_MOMENTUM,
  timmSeChannels,
} from './blocks.js';
export { RESNET_DEFINITIONS, RESNET_FAMILY } from './family.js';
export {
  blockTargets,
  MAX_BLOCKS_PER_STAGE,
  RESNET_MAPPING,
  RESNET_MAPPING_ID,
  RESNET_MAPPINGS,
  squeezeExciteTargets,
} from './mapping.js';
export {
  RESNET_PRETRAINED,
  RESNET18_FMNIST,
  RESNET18_FMNIST_FILE,
  RESNET18_FMNIST_URL,
} from './pretrained.js';
export {
  buildResNet,
  dropPathRates,
  type FeatureInfo,
  linearHead,
  RESNET_OPTION_KEYS,
  type ResNetConfig,
  type ResNetOptions,
  resnetFeatureInfo,
  resolveOutIndices,
} from './resnet.js';
export {
  RESNET_CONFIGS,
  RESNET_VARIANTS,
  type ResNetArch,
  resnet18,
  resnet34,
  resnet50,
  resnet101,
  resnet152,
  resnext50_32x4d,
  resnext101_32x8d,
  resnext101_64x4d,
  wideResnet50_2,
  wideResnet101_2,
} from './variants.js';
