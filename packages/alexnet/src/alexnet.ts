/**
 * AlexNet.
 *
 * Paper: A. Krizhevsky, I. Sutskever, G. E. Hinton, "ImageNet Classification with Deep
 * Convolutional Neural Networks", NeurIPS 2012.
 * https://papers.nips.cc/paper/2012/hash/c399862d3b9d6b76c8436e924a68c45b-Abstract.html
 * torchvision's variant follows A. Krizhevsky, "One weird trick for parallelizing convolutional
 * neural networks", 2014 (https://arxiv.org/abs/1404.5997).
 *
 * Reference implementation: torchvision `torchvision/models/alexnet.py` (the default style, with
 * torchvision's ImageNet weights); the `paper` style is the 2012 network: 96 filters in conv1,
 * local response normalization after conv1 and conv2, two-group convolutions in conv2/4/5 (the
 * two GPUs), overlapping 3×3/2 pools, the paper's initialization.
 */
import * as tfl from '@tensorflow/tfjs-layers';
import {
  BUILD_OPTION_KEYS,
  type BuildOptions,
  buildFeatures,
  checkOptionKeys,
  classifierOutput,
  globalPool,
  invalidArgument,
  normalInit,
  resolveBuildOptions,
  torchDefaultBias,
  torchDefaultKernel,
} from '@tfzoo/core';
import { adaptiveAveragePooling2d } from '@tfzoo/layers';
import {
  type AlexNetStage,
  alexnetClassifier,
  alexnetFeatures,
  type LayerInit,
  type LrnParams,
} from './blocks.js';

/** Which AlexNet to build. */
export type AlexNetStyle = 'torchvision' | 'paper';

/** The architecture of one AlexNet style: data, not code. */
export interface AlexNetConfig {
  /** Architecture id, used as the default model name. */
  name: string;
  /** Convolution stages of `features`. */
  stages: readonly AlexNetStage[];
  /** Local response normalization of the stages that have one. */
  lrn?: LrnParams;
  /** Dropout before each hidden dense layer (torchvision) instead of after it (paper, Caffe). */
  dropoutFirst: boolean;
  /** Initialization: PyTorch's layer defaults (torchvision) or the paper's (§5). */
  init: 'torch-default' | 'paper';
  /** Width of the two hidden dense layers (default 4096). */
  classifierWidth?: number;
}

/** The two styles: torchvision's (its ImageNet weights fit it) and the 2012 paper's. */
export const ALEXNET_CONFIGS: Readonly<Record<AlexNetStyle, AlexNetConfig>> = Object.freeze({
  torchvision: {
    name: 'alexnet',
    stages: [
      { filters: 64, kernelSize: 11, stride: 4, padding: 2, pool: true },
      { filters: 192, kernelSize: 5, padding: 2, pool: true },
      { filters: 384, kernelSize: 3, padding: 1 },
      { filters: 256, kernelSize: 3, padding: 1 },
      { filters: 256, kernelSize: 3, padding: 1, pool: true },
    ],
    dropoutFirst: true,
    init: 'torch-default',
  },
  paper: {
    name: 'alexnet_paper',
    stages: [
      { filters: 96, kernelSize: 11, stride: 4, padding: 2, lrn: true, pool: true },
      { filters: 256, kernelSize: 5, padding: 2, groups: 2, lrn: true, pool: true },
      { filters: 384, kernelSize: 3, padding: 1 },
      { filters: 384, kernelSize: 3, padding: 1, groups: 2 },
      { filters: 256, kernelSize: 3, padding: 1, groups: 2, pool: true },
    ],
    // The paper's b = a / (k + α Σ a²)^β with n = 5, α = 1e-4, β = 0.75, k = 2; PyTorch's (and
    // LocalResponseNormalization's) α is divided by n, hence 5 · 1e-4.
    lrn: { size: 5, alpha: 5e-4, beta: 0.75, k: 2 },
    dropoutFirst: false,
    init: 'paper',
  },
});

/** Options of the AlexNet builders beyond the common {@link BuildOptions}. */
export interface AlexNetBuildOptions {
  /**
   * Initialize weights (default true; false when `skipInit` is set): PyTorch's layer defaults for the torchvision style, the
   * paper's N(0, 0.01) weights and unit biases in conv2/4/5 and the hidden dense layers for the
   * paper style. `false` builds zeros, much faster when a checkpoint is loaded right after.
   */
  initWeights?: boolean;
}

/** Build options of {@link alexnetFromConfig}: the common contract plus {@link AlexNetBuildOptions}. */
export type AlexNetConfigOptions = BuildOptions & AlexNetBuildOptions;

/** Build options of {@link alexnet}: {@link AlexNetConfigOptions} plus the style. */
export type AlexNetOptions = AlexNetConfigOptions & {
  /** `'torchvision'` (default; its pretrained weights fit) or `'paper'` (Krizhevsky et al., 2012). */
  style?: AlexNetStyle;
};

/** {@link alexnet}'s option keys beyond `BuildOptions`: every other key is refused. */
export const ALEXNET_OPTION_KEYS = Object.freeze([
  'initWeights',
  'style',
] as const satisfies readonly (keyof AlexNetOptions)[]);

/** Stages whose biases the paper initializes to 1 (conv2, conv4, conv5). */
const PAPER_UNIT_BIAS_STAGES = new Set([1, 3, 4]);

function initializers(config: AlexNetConfig, initWeights: boolean) {
  const zeros = (): LayerInit => ({ kernel: tfl.initializers.zeros(), bias: tfl.initializers.zeros() });
  const paper = (unitBias: boolean): LayerInit => ({
    kernel: normalInit(0.01),
    bias: unitBias ? tfl.initializers.ones() : tfl.initializers.zeros(),
  });
  const torch = (fanIn: number): LayerInit => ({
    kernel: torchDefaultKernel(),
    bias: torchDefaultBias(fanIn),
  });
  return {
    conv: (_stage: AlexNetStage, index: number, fanIn: number): LayerInit => {
      if (!initWeights) return zeros();
      return config.init === 'paper' ? paper(PAPER_UNIT_BIAS_STAGES.has(index)) : torch(fanIn);
    },
    dense: (index: number, fanIn: number): LayerInit => {
      if (!initWeights) return zeros();
      return config.init === 'paper' ? paper(index !== 6) : torch(fanIn);
    },
  };
}

/**
 * Builds an AlexNet-style network (Krizhevsky, Sutskever & Hinton, "ImageNet Classification with
 * Deep Convolutional Neural Networks", NeurIPS 2012) from an {@link AlexNetConfig}: the `features`
 * stages, an adaptive average pool to 6×6 (`avgpool`), and three dense layers with dropout
 * (default rate 0.5). With `includeTop: false` the model ends at the last stage, then the optional
 * global `pooling`. {@link alexnet} builds the two published configurations.
 */
export function alexnetFromConfig(
  config: AlexNetConfig,
  options: AlexNetConfigOptions = {},
): tfl.LayersModel {
  const features = buildFeatures(options, (rest) => alexnetFromConfig(config, rest));
  if (features) return features;
  if (!Array.isArray(config?.stages) || config.stages.length === 0) {
    throw invalidArgument('config.stages', config?.stages, 'a non-empty array of convolution stages');
  }
  const resolved = resolveBuildOptions(options, {
    name: config.name,
    dropRate: 0.5,
    minInputSize: 63,
    options: ['initWeights'],
  });
  const width = config.classifierWidth ?? 4096;
  if (!(Number.isInteger(width) && width > 0)) {
    throw invalidArgument('config.classifierWidth', width, 'a positive integer');
  }
  const initWeights = options.initWeights ?? !(options.skipInit ?? false);
  if (typeof initWeights !== 'boolean') throw invalidArgument('initWeights', initWeights, 'a boolean');
  const init = initializers(config, initWeights);

  const input = tfl.input({ shape: resolved.inputShape, name: 'input' });
  let x = alexnetFeatures(input, config.stages, config.lrn, init.conv);
  if (resolved.includeTop) {
    x = adaptiveAveragePooling2d({ outputSize: 6, name: 'avgpool' }).apply(x) as tfl.SymbolicTensor;
    x = tfl.layers.flatten({ name: 'flatten' }).apply(x) as tfl.SymbolicTensor;
    x = alexnetClassifier(x, width, resolved.numClasses, resolved.dropRate, config.dropoutFirst, init.dense);
    x = classifierOutput(x, resolved);
  } else {
    x = globalPool(x, resolved.pooling);
  }
  return tfl.model({ inputs: input, outputs: x, name: resolved.name });
}

/**
 * Builds AlexNet (Krizhevsky, Sutskever & Hinton, "ImageNet Classification with Deep Convolutional
 * Neural Networks", NeurIPS 2012), by default as torchvision lays it out (64-192-384-256-256
 * filters, from "One weird trick…", arXiv:1404.5997, 2014): `features`, an adaptive average pool to
 * 6×6 (`avgpool`, so any input of at least 63×63 works; at 224×224 it is the identity), and three
 * dense layers with dropout. `style: 'paper'` builds the 2012 network (see
 * {@link ALEXNET_CONFIGS}); it keeps the adaptive pool, which is the identity at 224×224 there too.
 *
 * @example
 * ```ts
 * const model = alexnet({ numClasses: 10 });
 * const original = alexnet({ style: 'paper' });
 * ```
 */
export function alexnet(options: AlexNetOptions = {}): tfl.LayersModel {
  return buildAlexNet(ALEXNET_CONFIGS.torchvision, options);
}

/**
 * The AlexNet builder every variant goes through: {@link alexnetFromConfig} with the option keys
 * checked; `style`, when given, replaces `config` by that published configuration.
 */
export function buildAlexNet(config: AlexNetConfig, options: AlexNetOptions = {}): tfl.LayersModel {
  checkOptionKeys(options, [...BUILD_OPTION_KEYS, ...ALEXNET_OPTION_KEYS], options?.name ?? config.name);
  const { style, ...rest } = options ?? {};
  if (style !== undefined && style !== 'torchvision' && style !== 'paper') {
    throw invalidArgument('style', style, "'torchvision' or 'paper'");
  }
  return alexnetFromConfig(style === undefined ? config : ALEXNET_CONFIGS[style], rest);
}
