/**
 * Xception: a linear stack of depthwise-separable convolutions with residual connections — entry
 * flow (stem and blocks 1–3), middle flow (blocks 4–11, eight identical 728-channel blocks), exit
 * flow (block 12, two separable convolutions, global average pooling, classifier).
 *
 * Paper: F. Chollet, "Xception: Deep Learning with Depthwise Separable Convolutions", CVPR 2017,
 * https://arxiv.org/abs/1610.02357 (Fig. 5: the architecture; Table 3: 22,855,952 parameters).
 *
 * Reference implementation (layout, module names, init): timm's `legacy_xception`
 * (`timm/models/xception.py`): `conv1` (3×3 stride 2, no padding), `bn1`, `act1`, `conv2` (3×3, no
 * padding), `bn2`, `act2`, `block1` … `block12`, `conv3` / `bn3` / `act3`, `conv4` / `bn4` /
 * `act4` (separable), global average pool, `fc`. Inputs are 299×299 by default.
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
import {
  batchNorm,
  conv,
  relu,
  separableConv,
  type XceptionBlockConfig,
  xceptionBlock,
  xceptionInit,
} from './blocks.js';

type Tensor = tfl.SymbolicTensor;

/** An Xception architecture as data. */
export interface XceptionConfig {
  /** Architecture id, the default model name (`legacy_xception`). */
  name: string;
  /** Output channels of `conv1` and `conv2` (32, 64). */
  stemChannels: readonly [number, number];
  /** `block1` … `blockN`. */
  blocks: readonly XceptionBlockConfig[];
  /** Output channels of the exit flow's separable `conv3` and `conv4` (1536, 2048). */
  exitChannels: readonly [number, number];
}

/** Build options of Xception: the common {@link BuildOptions} plus `skipInit`. */
export interface XceptionOptions extends BuildOptions {
  /**
   * Start every weight at zero instead of drawing timm's init (much faster to build when weights are
   * loaded right after; default false).
   */
  skipInit?: boolean;
}

/** Xception's option keys beyond `BuildOptions`: none, every other key is refused. */
export const XCEPTION_OPTION_KEYS: readonly string[] = Object.freeze([]);

const entry = (outChannels: number, startWithRelu = true): XceptionBlockConfig => ({
  outChannels,
  reps: 2,
  stride: 2,
  startWithRelu,
  growFirst: true,
});
const middle: XceptionBlockConfig = {
  outChannels: 728,
  reps: 3,
  stride: 1,
  startWithRelu: true,
  growFirst: true,
};

/** timm's `legacy_xception` (Chollet's Fig. 5): the configuration of the `Xception` class. */
export const LEGACY_XCEPTION_CONFIG: XceptionConfig = Object.freeze<XceptionConfig>({
  name: 'legacy_xception',
  stemChannels: [32, 64] as const,
  blocks: [
    entry(128, false),
    entry(256),
    entry(728),
    ...Array.from({ length: 8 }, () => middle),
    {
      outChannels: 1024,
      reps: 2,
      stride: 2,
      startWithRelu: true,
      growFirst: false,
    } satisfies XceptionBlockConfig,
  ],
  exitChannels: [1536, 2048] as const,
});

function isPositiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0;
}

function checkConfig(config: XceptionConfig): void {
  if (typeof config !== 'object' || config === null)
    throw invalidArgument('config', config, 'an XceptionConfig object');
  if (
    !Array.isArray(config.stemChannels) ||
    config.stemChannels.length !== 2 ||
    !config.stemChannels.every(isPositiveInteger)
  ) {
    throw invalidArgument('config.stemChannels', config.stemChannels, 'two positive integers');
  }
  if (
    !Array.isArray(config.exitChannels) ||
    config.exitChannels.length !== 2 ||
    !config.exitChannels.every(isPositiveInteger)
  ) {
    throw invalidArgument('config.exitChannels', config.exitChannels, 'two positive integers');
  }
  if (!Array.isArray(config.blocks) || config.blocks.length === 0) {
    throw invalidArgument('config.blocks', config.blocks, 'a non-empty array of block configurations');
  }
  config.blocks.forEach((block, index) => {
    const ok =
      typeof block === 'object' &&
      block !== null &&
      isPositiveInteger(block.outChannels) &&
      isPositiveInteger(block.reps) &&
      (block.stride === 1 || block.stride === 2) &&
      typeof block.startWithRelu === 'boolean' &&
      typeof block.growFirst === 'boolean';
    if (!ok) {
      throw invalidArgument(
        `config.blocks[${index}]`,
        block,
        '{ outChannels, reps (positive integers), stride (1 or 2), startWithRelu, growFirst (booleans) }',
      );
    }
  });
}

/**
 * Builds Xception from its configuration, as timm's legacy `Xception` class. Default init is timm's:
 * He normal (fan-out) convolutions, batch-norm γ = 1 and β = 0, PyTorch's default `nn.Linear`.
 *
 * @example
 * ```ts
 * const model = buildXception(LEGACY_XCEPTION_CONFIG, { numClasses: 10, inputShape: [160, 160, 3] });
 * ```
 */
export function buildXception(config: XceptionConfig, options: XceptionOptions = {}): tfl.LayersModel {
  const features = buildFeatures(options, (rest) => buildXception(config, rest));
  if (features) return features;
  checkConfig(config);
  const resolved = resolveBuildOptions(options, {
    name: config.name,
    inputShape: [299, 299, 3],
    minInputSize: 7,
    options: [],
  });
  const skipInit = options.skipInit ?? false;
  if (typeof skipInit !== 'boolean') throw invalidArgument('skipInit', skipInit, 'a boolean');
  const init = xceptionInit(skipInit);
  const [stem1, stem2] = config.stemChannels;
  const [exit1, exit2] = config.exitChannels;

  const input = tfl.input({ shape: resolved.inputShape, name: 'input' });
  let x = conv(input, stem1, 3, 2, 'conv1', init);
  x = relu(batchNorm(x, 'bn1'), 'act1');
  x = conv(x, stem2, 3, 1, 'conv2', init);
  x = relu(batchNorm(x, 'bn2'), 'act2');
  let channels = stem2;
  config.blocks.forEach((block, index) => {
    x = xceptionBlock(x, `block${index + 1}`, channels, block, init);
    channels = block.outChannels;
  });
  x = separableConv(x, channels, exit1, 'conv3', init);
  x = relu(batchNorm(x, 'bn3'), 'act3');
  x = separableConv(x, exit1, exit2, 'conv4', init);
  x = relu(batchNorm(x, 'bn4'), 'act4');
  if (resolved.includeTop) {
    x = tfl.layers.globalAveragePooling2d({ name: 'global_pool' }).apply(x) as Tensor;
    x = maybeDropout(x, resolved.dropRate);
    const fc = tfl.layers.dense({
      units: resolved.numClasses,
      kernelInitializer: skipInit ? 'zeros' : torchDefaultKernel(),
      biasInitializer: skipInit ? 'zeros' : torchDefaultBias(exit2),
      name: 'fc',
    });
    x = classifierOutput(fc.apply(x) as Tensor, resolved);
  } else {
    x = globalPool(x, resolved.pooling);
  }
  return tfl.model({ inputs: input, outputs: x, name: resolved.name });
}
