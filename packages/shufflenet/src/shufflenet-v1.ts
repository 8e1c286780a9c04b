/**
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
} from '@tfzoo/core';
import { PaddedMaxPooling2D } from '@tfzoo/layers';
import { batchNorm, type Initializer, paddedConv, relu, shuffleV1Unit } from './blocks.js';

type Tensor = tfl.SymbolicTensor;

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

function checkConfig(config: ShuffleNetV1Config): void {
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
  checkConfig(config);
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
