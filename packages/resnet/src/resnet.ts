/**
 * ResNet, ResNeXt and Wide ResNet as torchvision builds them, with timm's feature taps, drop path and
 * optional squeeze-and-excitation.
 *
 * Papers: K. He, X. Zhang, S. Ren, J. Sun, "Deep Residual Learning for Image Recognition", CVPR 2016,
 * https://arxiv.org/abs/1512.03385; S. Xie, R. Girshick, P. Dollár, Z. Tu, K. He, "Aggregated Residual
 * Transformations for Deep Neural Networks" (ResNeXt), CVPR 2017, https://arxiv.org/abs/1611.05431;
 * S. Zagoruyko, N. Komodakis, "Wide Residual Networks", BMVC 2016, https://arxiv.org/abs/1605.07146.
 *
 * Reference implementations: torchvision `models/resnet.py` (layout, names, init; the stride sits on
 * the 3×3 convolution of the bottleneck, "ResNet v1.5") and timm `models/resnet.py` (`features_only`
 * / `out_indices`, the linear drop-path rule of `make_blocks`, `attn_layer='se'`).
 */
import * as tfl from '@tensorflow/tfjs-layers';
import {
  attachFeatureInfo,
  type BuildOptions,
  classifierOutput,
  globalPool,
  invalidArgument,
  maybeDropout,
  resolveBuildOptions,
  torchDefaultBias,
  torchDefaultKernel,
} from '@tfzoo/core';
import { PaddedMaxPooling2D } from '@tfzoo/layers';
import {
  type BlockArgs,
  BOTTLENECK_EXPANSION,
  basicBlock,
  bottleneckBlock,
  convBn,
  relu,
  type SqueezeExciteConfig,
} from './blocks.js';

type Tensor = tfl.SymbolicTensor;

/** An architecture of the ResNet family as data (timm's `model_args`, torchvision's builder arguments). */
export interface ResNetConfig {
  /** Architecture id, the default model name (`resnet50`). */
  name: string;
  /** Residual block: torchvision's `BasicBlock` (expansion 1) or `Bottleneck` (expansion 4). */
  block: 'basic' | 'bottleneck';
  /** Number of blocks in `layer1` … `layer4`. */
  layers: readonly [number, number, number, number];
  /** Groups of the bottleneck's 3×3 convolution (ResNeXt cardinality; default 1). */
  groups?: number;
  /** Width per group (torchvision's `width_per_group`; default 64, 128 for Wide ResNet-50-2). */
  widthPerGroup?: number;
  /** Stage widths `planes` of `layer1` … `layer4` (timm's `channels`; default `[64, 128, 256, 512]`). */
  channels?: readonly [number, number, number, number];
  /** Squeeze-and-excitation after each block's last batch-norm (timm's `attn_layer='se'`). */
  se?: SqueezeExciteConfig;
  /** The reference's default for zero-initializing each branch's last batch-norm γ (default false). */
  zeroInitResidual?: boolean;
}

/** Build options of the ResNet family: the common `BuildOptions` plus feature taps and regularization. */
export interface ResNetOptions extends BuildOptions {
  /**
   * Return a multi-output feature extractor instead of a classifier (timm's `features_only`): one
   * output per entry of `outIndices`, no head; `includeTop` and `pooling` are ignored.
   */
  featuresOnly?: boolean;
  /**
   * Feature levels returned with `featuresOnly`, ascending: 0 = stem after the ReLU (stride 2),
   * 1–4 = `layer1`–`layer4` (strides 4, 8, 16, 32). Default `[1, 2, 3, 4]`.
   */
  outIndices?: readonly number[];
  /**
   * Stochastic-depth rate of the last block (default 0); block `i` of `n` drops its residual branch
   * with probability `dropPathRate · i / (n − 1)`, timm's linear rule.
   */
  dropPathRate?: number;
  /**
   * Zero-initialize the last batch-norm γ of every residual branch, so each block starts as the
   * identity (torchvision's `zero_init_residual`, timm's `zero_init_last`). Default: the reference's
   * (false for torchvision's models, true for timm's SE-ResNets).
   */
  zeroInitResidual?: boolean;
  /**
   * Skip the reference's random initialization (like PyTorch's `skip_init`): kernels start at zero,
   * batch norms at γ = 1, β = 0. For models whose weights are loaded right after building, where
   * drawing tens of millions of random numbers would be wasted time. Default false.
   */
  skipInit?: boolean;
  /**
   * The stem: `'imagenet'` (default) is torchvision's 7×7/2 convolution and 3×3/2 max pool (stride 4
   * before `layer1`); `'small'` is the stem of He et al.'s CIFAR networks (§4.2) for 28×28–64×64
   * inputs: one 3×3/1 convolution, no max pool (stride 1 before `layer1`). Layer names are the same
   * (`conv1`, `bn1`), so weight mappings apply; the `conv1` kernel's shape differs.
   */
  stem?: 'imagenet' | 'small';
  /** Output channels of the stem (timm's `stem_width`; default 64). */
  stemWidth?: number;
  /**
   * Stage widths `planes` of `layer1` … `layer4`, overriding the architecture's (timm's `channels`;
   * torchvision's default `[64, 128, 256, 512]`). With narrower stages, a small-image model costs
   * a fraction of the compute.
   */
  channels?: readonly [number, number, number, number];
}

/** The ResNet builders' option keys beyond `BuildOptions`: every other key is refused. */
export const RESNET_OPTION_KEYS = Object.freeze([
  'featuresOnly',
  'outIndices',
  'dropPathRate',
  'zeroInitResidual',
  'stem',
  'stemWidth',
  'channels',
] as const satisfies readonly (keyof ResNetOptions)[]);

/** One feature level of a ResNet: where it is tapped, its channels and its stride. */
export interface FeatureInfo {
  /** Index used in `outIndices`. */
  index: number;
  /** Reference module whose output it is (`relu` for the stem, else `layer1` … `layer4`). */
  module: string;
  /** Name of the tapped layer in the built model. */
  layerName: string;
  /** Output channels. */
  channels: number;
  /** Total stride relative to the input. */
  stride: number;
}

/** Output channels of a block type for a stage's `planes`. */
function expansion(config: ResNetConfig): number {
  return config.block === 'bottleneck' ? BOTTLENECK_EXPANSION : 1;
}

/** Stage widths (`planes`) of torchvision's ResNet. */
const STAGE_PLANES = [64, 128, 256, 512] as const;

function stagePlanes(config: ResNetConfig): readonly number[] {
  return config.channels ?? STAGE_PLANES;
}

/**
 * The five feature levels of a ResNet configuration (stem and four stages), as timm's
 * `feature_info` and torchvision's `create_feature_extractor` report them. Pass the build options
 * when they change the stem or the stage widths (`stem`, `stemWidth`, `channels`).
 */
export function resnetFeatureInfo(
  config: ResNetConfig,
  options: Pick<ResNetOptions, 'stem' | 'stemWidth' | 'channels'> = {},
): FeatureInfo[] {
  const small = options.stem === 'small';
  const stem: FeatureInfo = {
    index: 0,
    module: 'relu',
    layerName: 'relu',
    channels: options.stemWidth ?? 64,
    stride: small ? 1 : 2,
  };
  const planes = options.channels ?? stagePlanes(config);
  return [
    stem,
    ...planes.map((width, stage) => {
      const blocks = config.layers[stage] ?? 0;
      return {
        index: stage + 1,
        module: `layer${stage + 1}`,
        layerName: `layer${stage + 1}_${blocks - 1}_${config.block === 'bottleneck' ? 'relu3' : 'relu2'}`,
        channels: width * expansion(config),
        stride: (small ? 1 : 4) * 2 ** stage,
      };
    }),
  ];
}

function validateConfig(config: ResNetConfig): void {
  if (config.block !== 'basic' && config.block !== 'bottleneck') {
    throw invalidArgument('block', config.block, "'basic' or 'bottleneck'");
  }
  const layers = config.layers;
  if (
    !Array.isArray(layers) ||
    layers.length !== 4 ||
    !layers.every((n) => typeof n === 'number' && Number.isInteger(n) && n > 0)
  ) {
    throw invalidArgument('layers', layers, 'four positive integers (blocks of layer1 … layer4)');
  }
  const channels = config.channels;
  if (
    channels !== undefined &&
    (!Array.isArray(channels) ||
      channels.length !== 4 ||
      !channels.every((n) => typeof n === 'number' && Number.isInteger(n) && n > 0))
  ) {
    throw invalidArgument('channels', channels, 'four positive integers (widths of layer1 … layer4)');
  }
  const groups = config.groups ?? 1;
  const width = config.widthPerGroup ?? 64;
  if (config.block === 'basic' && (groups !== 1 || width !== 64)) {
    throw invalidArgument(
      'groups and widthPerGroup',
      { groups, widthPerGroup: width },
      '1 and 64 with basic blocks (torchvision: BasicBlock only supports groups=1 and base_width=64)',
    );
  }
  if (!Number.isInteger(groups) || groups < 1) throw invalidArgument('groups', groups, 'a positive integer');
  if (!Number.isInteger(width) || width < 1) {
    throw invalidArgument('widthPerGroup', width, 'a positive integer');
  }
}

/**
 * Validates `outIndices`: ascending, unique, each in `[0, count)`.
 *
 * @throws `ZooError` naming the received value.
 */
export function resolveOutIndices(outIndices: readonly number[] | undefined, count: number): number[] {
  const indices = outIndices ?? Array.from({ length: count - 1 }, (_, i) => i + 1);
  const valid =
    Array.isArray(indices) &&
    indices.length > 0 &&
    indices.every(
      (index, position) =>
        Number.isInteger(index) &&
        index >= 0 &&
        index < count &&
        (position === 0 || index > (indices[position - 1] as number)),
    );
  if (!valid) {
    throw invalidArgument(
      'outIndices',
      outIndices,
      `a non-empty ascending list of distinct integers in [0, ${count - 1}]`,
    );
  }
  return [...indices];
}

/**
 * Validates `dropPathRate` and returns each block's rate (timm's linear rule over `total` blocks).
 *
 * @throws `ZooError` naming the received value.
 */
export function dropPathRates(rate: number | undefined, total: number): number[] {
  const value = rate ?? 0;
  if (typeof value !== 'number' || !(value >= 0 && value < 1)) {
    throw invalidArgument('dropPathRate', rate, 'a number in [0, 1)');
  }
  return Array.from({ length: total }, (_, i) => (total > 1 ? (value * i) / (total - 1) : 0));
}

/**
 * The fully connected classifier of torchvision's ResNet (`nn.Linear` with PyTorch's default init):
 * global average pooling named `avgpool`, optional dropout, a dense layer named `name`.
 */
export function linearHead(
  features: Tensor,
  channels: number,
  options: { numClasses: number; dropRate: number; classifierActivation: 'softmax' | 'linear' },
  name: string,
  skipInit = false,
): Tensor {
  let x = globalPool(features, 'avg', 'avgpool');
  x = maybeDropout(x, options.dropRate);
  x = tfl.layers
    .dense({
      units: options.numClasses,
      kernelInitializer: skipInit ? 'zeros' : torchDefaultKernel(),
      biasInitializer: skipInit ? 'zeros' : torchDefaultBias(channels),
      name,
    })
    .apply(x) as Tensor;
  return classifierOutput(x, options);
}

/**
 * Builds a ResNet-family model from its configuration: torchvision's stem (7×7/2 convolution, batch
 * norm, ReLU, 3×3/2 max pool with padding 1), four stages of residual blocks (the first block of
 * `layer2`–`layer4` strides by 2 and projects the shortcut with a 1×1 convolution and batch norm),
 * global average pooling and a linear classifier `fc`. With `stem: 'small'` the stem is one 3×3/1
 * convolution without max pool, for small images (28×28 Fashion-MNIST, 32×32 CIFAR); `channels`
 * and `stemWidth` narrow the network.
 *
 * Initialization follows torchvision: He normal (fan-out) convolutions, batch-norm γ = 1, β = 0
 * (γ = 0 on each branch's last batch norm with `zeroInitResidual`), PyTorch's default `nn.Linear`.
 *
 * @example
 * ```ts
 * const backbone = buildResNet(RESNET_CONFIGS.resnet50, { featuresOnly: true, inputShape: [512, 512, 3] });
 * ```
 */
export function buildResNet(architecture: ResNetConfig, options: ResNetOptions = {}): tfl.LayersModel {
  const config: ResNetConfig =
    options.channels === undefined ? architecture : { ...architecture, channels: options.channels };
  validateConfig(config);
  const stem = options.stem ?? 'imagenet';
  if (stem !== 'imagenet' && stem !== 'small') throw invalidArgument('stem', stem, "'imagenet' or 'small'");
  const stemWidth = options.stemWidth ?? 64;
  if (!Number.isInteger(stemWidth) || stemWidth < 1) {
    throw invalidArgument('stemWidth', options.stemWidth, 'a positive integer');
  }
  const resolved = resolveBuildOptions(options, {
    name: config.name,
    options: RESNET_OPTION_KEYS,
    handlesFeatures: true,
  });
  const featuresOnly = options.featuresOnly ?? false;
  if (typeof featuresOnly !== 'boolean') throw invalidArgument('featuresOnly', featuresOnly, 'a boolean');
  const zeroInitResidual = options.zeroInitResidual ?? config.zeroInitResidual ?? false;
  if (typeof zeroInitResidual !== 'boolean') {
    throw invalidArgument('zeroInitResidual', zeroInitResidual, 'a boolean');
  }
  const skipInit = options.skipInit ?? false;
  if (typeof skipInit !== 'boolean') throw invalidArgument('skipInit', skipInit, 'a boolean');
  const info = resnetFeatureInfo(config, { stem, stemWidth });
  const outIndices = featuresOnly ? resolveOutIndices(options.outIndices, info.length) : [];
  const lastStage = featuresOnly ? (outIndices[outIndices.length - 1] as number) : 4;
  const totalBlocks = config.layers.reduce((a, b) => a + b, 0);
  const rates = dropPathRates(options.dropPathRate, totalBlocks);

  const input = tfl.input({ shape: resolved.inputShape, name: 'input' });
  const stemConv =
    stem === 'small' ? { kernelSize: 3, stride: 1, padding: 1 } : { kernelSize: 7, stride: 2, padding: 3 };
  let x = convBn(input, { filters: stemWidth, ...stemConv, name: 'conv1', skipInit }, 'bn1');
  x = relu(x, 'relu');
  const taps: Tensor[] = [x];
  if (stem === 'imagenet') {
    x = new PaddedMaxPooling2D({ poolSize: 3, strides: 2, padding: 1, name: 'maxpool' }).apply(x) as Tensor;
  }

  const block = config.block === 'bottleneck' ? bottleneckBlock : basicBlock;
  let inChannels = stemWidth;
  let blockIndex = 0;
  for (let stage = 0; stage < lastStage; stage++) {
    const planes = stagePlanes(config)[stage] as number;
    const count = config.layers[stage] as number;
    for (let i = 0; i < count; i++) {
      const args: BlockArgs = {
        prefix: `layer${stage + 1}_${i}`,
        inChannels,
        planes,
        stride: i === 0 && stage > 0 ? 2 : 1,
        groups: config.groups ?? 1,
        baseWidth: config.widthPerGroup ?? 64,
        dropPath: rates[blockIndex] as number,
        zeroInitResidual,
        skipInit,
      };
      if (config.se) args.se = config.se;
      x = block(x, args);
      inChannels = planes * expansion(config);
      blockIndex++;
    }
    taps.push(x);
  }

  if (featuresOnly) {
    const outputs = outIndices.map((index) => taps[index] as Tensor);
    const model = tfl.model({ inputs: input, outputs, name: resolved.name });
    attachFeatureInfo(
      model,
      outIndices.map((index) => ({
        index,
        layerName: (taps[index] as Tensor).sourceLayer.name,
        channels: info[index]!.channels,
        reduction: info[index]!.stride,
      })),
    );
    return model;
  }
  const output = resolved.includeTop
    ? linearHead(x, inChannels, resolved, 'fc', skipInit)
    : globalPool(x, resolved.pooling);
  return tfl.model({ inputs: input, outputs: output, name: resolved.name });
}
