/**
 * The ShuffleNet builders: v1 (Zhang et al., 2018) and V2 (Ma et al., 2018), and the family's one
 * builder {@link buildShuffleNet}, which picks by the config's kind.
 */
import * as tfl from '@tensorflow/tfjs-layers';
import {
  type BuildOptions,
  buildFeatures,
  classifierOutput,
  globalPool,
  invalidArgument,
  maybeDropout,
  normalInit,
  resolveBuildOptions,
  torchDefaultBias,
  torchDefaultKernel,
} from '@tfzoo/core';
import { PaddedMaxPooling2D } from '@tfzoo/layers';
import {
  batchNorm,
  type Initializer,
  paddedConv,
  pointwiseConv,
  relu,
  shuffleV1Unit,
  shuffleV2Unit,
} from './blocks.js';

type Tensor = tfl.SymbolicTensor;

/*
 * ShuffleNet (v1): pointwise group convolutions, channel shuffle and 3×3 depthwise convolutions in a
 * residual bottleneck; stride-2 units concatenate a 3×3 average-pooled shortcut.
 *
 * Paper: X. Zhang, X. Zhou, M. Lin, J. Sun, "ShuffleNet: An Extremely Efficient Convolutional Neural
 * Network for Mobile Devices", CVPR 2018, https://arxiv.org/abs/1707.01083 (Table 1: the
 * architecture and each group count's stage widths).
 *
 * Reference implementation (layout, module names, channel widths of the scaled models, init): the
 * authors' `ShuffleNetV1` in megvii-model/ShuffleNet-Series (`ShuffleNetV1/network.py`, `blocks.py`):
 * `first_conv.{0,1,2}` (3×3 stride-2 conv, BN, ReLU), `maxpool`, `features.N` units
 * (`branch_main_1.{0-4}`, `branch_main_2.{0,1}`, `branch_proj`), global average pool,
 * `classifier.0` (a linear layer without bias). megvii defines the scaled widths for g = 3 and 8
 * only; {@link shuffleNetV1Config} extends them to every group count by one documented rule.
 *
 * No ImageNet weights for ShuffleNet v1 are published upstream (torchvision and timm have none;
 * megvii's repository links its checkpoints from a file-sharing drive, not a pinnable URL).
 */

/** Group counts of the paper's Table 1. */
export type ShuffleNetV1Groups = 1 | 2 | 3 | 4 | 8;

/** Width multipliers ("ShuffleNet s×") with registered variants. */
export type ShuffleNetV1Width = 0.5 | 1 | 1.5 | 2;

/** A ShuffleNet v1 architecture as data. */
export interface ShuffleNetV1Config {
  /** Architecture id, the default model name (`shufflenet_v1_g3_x1_0`). */
  name: string;
  /** Groups of the 1×1 convolutions (the paper's `g`). */
  groups: number;
  /** Output channels of `first_conv` (24 in Table 1). */
  stemChannels: number;
  /** Output channels of stages 2, 3, 4; multiples of `4 · groups` (the bottleneck is a quarter). */
  stageChannels: readonly number[];
  /** Units per stage (Table 1: 4, 8, 4); the first unit of each stage has stride 2. */
  stageRepeats: readonly number[];
}

/** Build options of ShuffleNet v1: the common {@link BuildOptions} plus `skipInit`. */
export interface ShuffleNetV1Options extends BuildOptions {
  /**
   * Start every weight at zero instead of drawing the reference init (faster to build when weights
   * are loaded right after; default false).
   */
  skipInit?: boolean;
}

/** Stage 2–4 output channels of ShuffleNet 1× per group count (the paper's Table 1). */
export const SHUFFLENET_V1_STAGE_CHANNELS: Readonly<Record<ShuffleNetV1Groups, readonly number[]>> =
  Object.freeze({
    1: [144, 288, 576],
    2: [200, 400, 800],
    3: [240, 480, 960],
    4: [272, 544, 1088],
    8: [384, 768, 1536],
  });

/** `first_conv` channels per width multiplier, as megvii's `stage_out_channels[1]` (before rounding to `g`). */
export const SHUFFLENET_V1_STEM_CHANNELS: Readonly<Record<ShuffleNetV1Width, number>> = Object.freeze({
  0.5: 12,
  1: 24,
  1.5: 24,
  2: 48,
});

const GROUPS: readonly number[] = [1, 2, 3, 4, 8];
const WIDTHS: readonly number[] = [0.5, 1, 1.5, 2];

/** The registry id of a ShuffleNet v1 variant: `shufflenet_v1_g<groups>_x<width with _ for .>`, e.g. `shufflenet_v1_g3_x1_0`. */
export function shuffleNetV1Name(groups: ShuffleNetV1Groups, width: ShuffleNetV1Width): string {
  return `shufflenet_v1_g${groups}_x${width.toFixed(1).replace('.', '_')}`;
}

/**
 * The configuration of "ShuffleNet s× (g = groups)": Table 1's stage channels times `s`, rounded to
 * the nearest multiple of `4 · g` (halves up) so the quarter-width bottleneck splits into `g` groups;
 * the stem has megvii's width for `s` ({@link SHUFFLENET_V1_STEM_CHANNELS}) rounded up to a multiple
 * of `g` (so a stride-2 unit's `out − in` channels split into `g` groups). For g = 3 and 8 this gives
 * megvii's `stage_out_channels` exactly; 1× is Table 1 for every `g`.
 */
export function shuffleNetV1Config(groups: ShuffleNetV1Groups, width: ShuffleNetV1Width): ShuffleNetV1Config {
  if (!GROUPS.includes(groups)) throw invalidArgument('groups', groups, 'one of 1, 2, 3, 4, 8');
  if (!WIDTHS.includes(width)) throw invalidArgument('width', width, 'one of 0.5, 1, 1.5, 2');
  const unit = 4 * groups;
  return {
    name: shuffleNetV1Name(groups, width),
    groups,
    stemChannels: Math.ceil(SHUFFLENET_V1_STEM_CHANNELS[width] / groups) * groups,
    stageChannels: SHUFFLENET_V1_STAGE_CHANNELS[groups].map((c) => Math.round((c * width) / unit) * unit),
    stageRepeats: [4, 8, 4],
  };
}

function isPositiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0;
}

function checkV1Config(config: ShuffleNetV1Config): void {
  if (typeof config !== 'object' || config === null) {
    throw invalidArgument('config', config, 'a ShuffleNetV1Config object');
  }
  const { groups, stemChannels, stageChannels, stageRepeats } = config;
  if (!isPositiveInteger(groups)) throw invalidArgument('config.groups', groups, 'a positive integer');
  if (!isPositiveInteger(stemChannels) || stemChannels % groups !== 0) {
    throw invalidArgument('config.stemChannels', stemChannels, `a positive multiple of groups (${groups})`);
  }
  if (
    !Array.isArray(stageChannels) ||
    stageChannels.length === 0 ||
    !stageChannels.every((c) => isPositiveInteger(c) && c % (4 * groups) === 0)
  ) {
    throw invalidArgument(
      'config.stageChannels',
      stageChannels,
      `positive multiples of 4 · groups (${4 * groups})`,
    );
  }
  if (
    !Array.isArray(stageRepeats) ||
    stageRepeats.length !== stageChannels.length ||
    !stageRepeats.every(isPositiveInteger)
  ) {
    throw invalidArgument(
      'config.stageRepeats',
      stageRepeats,
      `${stageChannels.length} positive integers (one per stage)`,
    );
  }
  let inChannels = stemChannels;
  for (const out of stageChannels) {
    if (out <= inChannels) {
      throw invalidArgument(
        'config.stageChannels',
        stageChannels,
        'increasing widths above stemChannels (a stride-2 unit adds out − in channels)',
      );
    }
    inChannels = out;
  }
}

/**
 * Builds a ShuffleNet v1 from its configuration. Default init is megvii's: the stem conv and the
 * classifier `N(0, 0.01)`, the other convolutions `N(0, 1 / fan_in_per_group)`, batch-norm γ = 1
 * and β = 1e-4.
 *
 * @example
 * ```ts
 * const model = buildShuffleNetV1(shuffleNetV1Config(3, 1), { numClasses: 10, inputShape: [96, 96, 3] });
 * ```
 */
export function buildShuffleNetV1(
  config: ShuffleNetV1Config,
  options: ShuffleNetV1Options = {},
): tfl.LayersModel {
  const features = buildFeatures(options, (rest) => buildShuffleNetV1(config, rest));
  if (features) return features;
  checkV1Config(config);
  const resolved = resolveBuildOptions(options, { name: config.name });
  const skipInit = options.skipInit ?? false;
  if (typeof skipInit !== 'boolean') throw invalidArgument('skipInit', skipInit, 'a boolean');
  const zeros = (): Initializer => tfl.initializers.zeros();
  const normal = (std: number): Initializer => (skipInit ? zeros() : normalInit(std));
  const bnBeta = skipInit ? 0 : 1e-4;
  const init = { pointwise: (fanIn: number) => normal(1 / fanIn), depthwise: () => normal(1) };

  const input = tfl.input({ shape: resolved.inputShape, name: 'input' });
  let x = paddedConv(input, config.stemChannels, 3, 2, 'first_conv_0', normal(0.01));
  x = batchNorm(x, 'first_conv_1', bnBeta);
  x = relu(x, 'first_conv_2');
  x = new PaddedMaxPooling2D({ poolSize: 3, strides: 2, padding: 1, name: 'maxpool' }).apply(x) as Tensor;
  let inChannels = config.stemChannels;
  let index = 0;
  config.stageChannels.forEach((outChannels, stage) => {
    for (let i = 0; i < (config.stageRepeats[stage] as number); i++) {
      x = shuffleV1Unit(x, {
        prefix: `features_${index}`,
        inChannels,
        outChannels,
        groups: config.groups,
        groupFirst: !(stage === 0 && i === 0),
        stride: i === 0 ? 2 : 1,
        bnBeta,
        init,
      });
      inChannels = outChannels;
      index++;
    }
  });
  if (resolved.includeTop) {
    x = tfl.layers.globalAveragePooling2d({ name: 'globalpool' }).apply(x) as Tensor;
    x = maybeDropout(x, resolved.dropRate);
    const classifier = tfl.layers.dense({
      units: resolved.numClasses,
      useBias: false,
      kernelInitializer: normal(0.01),
      name: 'classifier_0',
    });
    x = classifierOutput(classifier.apply(x) as Tensor, resolved);
  } else {
    x = globalPool(x, resolved.pooling);
  }
  return tfl.model({ inputs: input, outputs: x, name: resolved.name });
}

/*
 * ShuffleNet V2: channel split, two branches of equal width (identity and 1×1 → 3×3 depthwise →
 * 1×1), concatenation and a channel shuffle with two groups; stride-2 units run both branches on the
 * whole input.
 *
 * Paper: N. Ma, X. Zhang, H.-T. Zheng, J. Sun, "ShuffleNet V2: Practical Guidelines for Efficient CNN
 * Architecture Design", ECCV 2018, https://arxiv.org/abs/1807.11164 (Table 5).
 *
 * Reference implementation (layout, module names, init): torchvision `models/shufflenetv2.py` —
 * `conv1.{0,1,2}`, `maxpool`, `stage{2,3,4}.N.branch{1,2}.M`, `conv5.{0,1,2}`, global mean, `fc`.
 * torchvision initializes nothing explicitly, so every layer has PyTorch's default init.
 */

/** A ShuffleNet V2 architecture as data (torchvision's `stages_repeats`, `stages_out_channels`). */
export interface ShuffleNetV2Config {
  /** Architecture id, the default model name (`shufflenet_v2_x1_0`). */
  name: string;
  /** Units per stage 2, 3, 4 (4, 8, 4); the first unit of each stage has stride 2. */
  stageRepeats: readonly number[];
  /** Output channels of `conv1`, stages 2–4 (even) and `conv5`: one more entry than `stageRepeats` + 1. */
  stageChannels: readonly number[];
}

/** Build options of ShuffleNet V2: the common {@link BuildOptions} plus `skipInit`. */
export interface ShuffleNetV2Options extends BuildOptions {
  /**
   * Start every weight at zero instead of drawing PyTorch's default init (faster to build when
   * weights are loaded right after; default false).
   */
  skipInit?: boolean;
}

function checkV2Config(config: ShuffleNetV2Config): void {
  if (typeof config !== 'object' || config === null) {
    throw invalidArgument('config', config, 'a ShuffleNetV2Config object');
  }
  const { stageRepeats, stageChannels } = config;
  if (!Array.isArray(stageRepeats) || stageRepeats.length === 0 || !stageRepeats.every(isPositiveInteger)) {
    throw invalidArgument('config.stageRepeats', stageRepeats, 'positive integers, one per stage');
  }
  const stages = stageChannels?.slice?.(1, -1) ?? [];
  if (
    !Array.isArray(stageChannels) ||
    stageChannels.length !== stageRepeats.length + 2 ||
    !stageChannels.every(isPositiveInteger) ||
    !stages.every((c) => c % 2 === 0)
  ) {
    throw invalidArgument(
      'config.stageChannels',
      stageChannels,
      `${stageRepeats.length + 2} positive integers (conv1, each stage (even), conv5)`,
    );
  }
}

/** PyTorch's default init of a depthwise 3×3 conv (`kaiming_uniform_(a=√5)`, fan-in 9): `U(−1/3, 1/3)`. */
function torchDefaultDepthwise(): Initializer {
  return tfl.initializers.randomUniform({ minval: -1 / 3, maxval: 1 / 3 });
}

/**
 * Builds a ShuffleNet V2 from its configuration, as torchvision's `ShuffleNetV2(stages_repeats,
 * stages_out_channels)`.
 *
 * @example
 * ```ts
 * const model = buildShuffleNetV2(SHUFFLENET_V2_CONFIGS.shufflenet_v2_x1_0, { numClasses: 10 });
 * ```
 */
export function buildShuffleNetV2(
  config: ShuffleNetV2Config,
  options: ShuffleNetV2Options = {},
): tfl.LayersModel {
  const features = buildFeatures(options, (rest) => buildShuffleNetV2(config, rest));
  if (features) return features;
  checkV2Config(config);
  const resolved = resolveBuildOptions(options, { name: config.name });
  const skipInit = options.skipInit ?? false;
  if (typeof skipInit !== 'boolean') throw invalidArgument('skipInit', skipInit, 'a boolean');
  const zeros = (): Initializer => tfl.initializers.zeros();
  const kernel = (): Initializer => (skipInit ? zeros() : torchDefaultKernel());
  const init = { pointwise: kernel, depthwise: () => (skipInit ? zeros() : torchDefaultDepthwise()) };
  const channels = config.stageChannels;

  const input = tfl.input({ shape: resolved.inputShape, name: 'input' });
  let x = paddedConv(input, channels[0] as number, 3, 2, 'conv1_0', kernel());
  x = batchNorm(x, 'conv1_1');
  x = relu(x, 'conv1_2');
  x = new PaddedMaxPooling2D({ poolSize: 3, strides: 2, padding: 1, name: 'maxpool' }).apply(x) as Tensor;
  let inChannels = channels[0] as number;
  config.stageRepeats.forEach((repeats, stage) => {
    const outChannels = channels[stage + 1] as number;
    for (let i = 0; i < repeats; i++) {
      x = shuffleV2Unit(x, {
        prefix: `stage${stage + 2}_${i}`,
        inChannels,
        outChannels,
        stride: i === 0 ? 2 : 1,
        init,
      });
      inChannels = outChannels;
    }
  });
  const lastChannels = channels[channels.length - 1] as number;
  x = pointwiseConv(x, lastChannels, 'conv5_0', kernel());
  x = batchNorm(x, 'conv5_1');
  x = relu(x, 'conv5_2');
  if (resolved.includeTop) {
    x = tfl.layers.globalAveragePooling2d({ name: 'global_pool' }).apply(x) as Tensor;
    x = maybeDropout(x, resolved.dropRate);
    const fc = tfl.layers.dense({
      units: resolved.numClasses,
      kernelInitializer: kernel(),
      biasInitializer: skipInit ? zeros() : torchDefaultBias(lastChannels),
      name: 'fc',
    });
    x = classifierOutput(fc.apply(x) as Tensor, resolved);
  } else {
    x = globalPool(x, resolved.pooling);
  }
  return tfl.model({ inputs: input, outputs: x, name: resolved.name });
}

/** A ShuffleNet architecture as data: v1 (with `groups`) or V2. */
export type ShuffleNetConfig = ShuffleNetV1Config | ShuffleNetV2Config;

/** Build options of {@link buildShuffleNet}. */
export type ShuffleNetOptions = ShuffleNetV1Options & ShuffleNetV2Options;

/** ShuffleNet's option keys beyond `BuildOptions`: none, every other key is refused. */
export const SHUFFLENET_OPTION_KEYS: readonly string[] = Object.freeze([]);

/** True for a ShuffleNet v1 config. */
export function isShuffleNetV1Config(config: ShuffleNetConfig): config is ShuffleNetV1Config {
  return typeof (config as ShuffleNetV1Config).groups === 'number';
}

/** The family's one builder: {@link buildShuffleNetV1} or {@link buildShuffleNetV2}, by the config's kind. */
export function buildShuffleNet(config: ShuffleNetConfig, options: ShuffleNetOptions = {}): tfl.LayersModel {
  return isShuffleNetV1Config(config)
    ? buildShuffleNetV1(config, options)
    : buildShuffleNetV2(config, options);
}
