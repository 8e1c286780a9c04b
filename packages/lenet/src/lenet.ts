/**
 * LeNet-5.
 *
 * Paper: Y. LeCun, L. Bottou, Y. Bengio, P. Haffner, "Gradient-Based Learning Applied to Document
 * Recognition", Proc. IEEE 86(11), 1998. https://doi.org/10.1109/5.726791
 *
 * The layout is the one every modern reimplementation uses (and PyTorch's tutorials name
 * `conv1`, `conv2`, `fc1`, `fc2`, `fc3`): 6@5×5 → pool → 16@5×5 → pool → 120 → 84 → classes, with a
 * full C3 connection table instead of the paper's partial one and a plain dense output instead of
 * the RBF layer. 28×28 inputs (MNIST, Fashion-MNIST) get 2 pixels of zero padding on the first
 * convolution so the feature maps keep the paper's sizes.
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
} from '@tfzoo/core';
import { lenetConv, lenetDense, lenetPool } from './blocks.js';

/** Architecture options of LeNet-5 beyond the common {@link BuildOptions}. */
export interface LeNetConfig {
  /** Hidden activation: the paper's `tanh` (default) or `relu`. */
  activation?: 'tanh' | 'relu';
  /** Subsampling: the paper's average pooling (default `avg`) or `max`. */
  subsampling?: 'avg' | 'max';
}

/** Build options of {@link lenet5}: the common contract plus {@link LeNetConfig}. */
export type LeNetOptions = BuildOptions & LeNetConfig;

/** {@link lenet5}'s option keys beyond `BuildOptions`: every other key is refused. */
export const LENET_OPTION_KEYS = Object.freeze([
  'activation',
  'subsampling',
] as const satisfies readonly (keyof LeNetOptions)[]);

type Tensor = tfl.SymbolicTensor;

/**
 * Builds LeNet-5 (LeCun et al., 1998) for 32×32 inputs, or 28×28 inputs with 2 pixels of padding
 * on `conv1`: the family's one builder. `config` gives the architecture (the paper's tanh and
 * average pooling when empty); the same keys in `options` override it. Defaults: 10 classes,
 * `[32, 32, 1]` input, logits out.
 *
 * @example
 * ```ts
 * const model = buildLeNet({}, { inputShape: [28, 28, 1], activation: 'relu', subsampling: 'max' });
 * ```
 */
export function buildLeNet(config: LeNetConfig, options: LeNetOptions = {}): tfl.LayersModel {
  const features = buildFeatures(options, (rest) => buildLeNet(config, rest));
  if (features) return features;
  const resolved = resolveBuildOptions(options, {
    name: 'lenet5',
    numClasses: 10,
    inputShape: [32, 32, 1],
    options: LENET_OPTION_KEYS,
  });
  const activation = options.activation ?? config.activation ?? 'tanh';
  if (activation !== 'tanh' && activation !== 'relu') {
    throw invalidArgument('activation', activation, "'tanh' or 'relu'");
  }
  const subsampling = options.subsampling ?? config.subsampling ?? 'avg';
  if (subsampling !== 'avg' && subsampling !== 'max') {
    throw invalidArgument('subsampling', subsampling, "'avg' or 'max'");
  }
  const [height, width, channels] = resolved.inputShape;
  const is28 = height === 28 && width === 28;
  if (!is28 && !(height === 32 && width === 32)) {
    throw invalidArgument(
      'inputShape',
      resolved.inputShape,
      '[32, 32, channels] or [28, 28, channels] for lenet5',
    );
  }
  const input = tfl.input({ shape: resolved.inputShape, name: 'input' });
  let x: Tensor = input;
  if (is28) x = tfl.layers.zeroPadding2d({ padding: 2, name: 'conv1_pad' }).apply(x) as Tensor;
  x = lenetConv(6, 25 * channels, 'conv1', activation).apply(x) as Tensor;
  x = lenetPool('pool1', subsampling).apply(x) as Tensor;
  x = lenetConv(16, 25 * 6, 'conv2', activation).apply(x) as Tensor;
  x = lenetPool('pool2', subsampling).apply(x) as Tensor;
  if (resolved.includeTop) {
    x = tfl.layers.flatten({ name: 'flatten' }).apply(x) as Tensor;
    x = lenetDense(120, 400, 'fc1', activation).apply(x) as Tensor;
    x = lenetDense(84, 120, 'fc2', activation).apply(x) as Tensor;
    x = maybeDropout(x, resolved.dropRate);
    x = classifierOutput(lenetDense(resolved.numClasses, 84, 'fc3').apply(x) as Tensor, resolved);
  } else {
    x = globalPool(x, resolved.pooling);
  }
  return tfl.model({ inputs: input, outputs: x, name: resolved.name });
}

/**
 * LeNet-5 (LeCun et al., 1998): {@link buildLeNet} with the paper's configuration, every
 * architecture choice an option. Defaults: 10 classes, `[32, 32, 1]` input, tanh, average pooling.
 *
 * @example
 * ```ts
 * const model = lenet5({ inputShape: [28, 28, 1], activation: 'relu', subsampling: 'max' });
 * ```
 */
export function lenet5(options: LeNetOptions = {}): tfl.LayersModel {
  return buildLeNet({}, options);
}
