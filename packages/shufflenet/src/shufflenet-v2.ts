/**
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
import * as tfl from '@tensorflow/tfjs-layers';
import {
  type BuildOptions,
  buildFeatures,
  classifierOutput,
  globalPool,
  invalidArgument,
  maybeDropout,
  resolveBuildOptions,
  torchDefaultBias,
  torchDefaultKernel,
} from '@tfzoo/core';
import { PaddedMaxPooling2D } from '@tfzoo/layers';
import { batchNorm, type Initializer, paddedConv, pointwiseConv, relu, shuffleV2Unit } from './blocks.js';

type Tensor = tfl.SymbolicTensor;

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

function isPositiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0;
}

function checkConfig(config: ShuffleNetV2Config): void {
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
  checkConfig(config);
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
