/**
 * The tail every builder shares: global pooling when the classifier is left out, and the
 * classifier's output activation. Families build their own classifier layers (they differ) and call
 * these for the parts of the {@link BuildOptions} contract that do not.
 */
import * as tfl from '@tensorflow/tfjs-layers';
import type { PoolingMode, ResolvedBuildOptions } from './options.js';

/**
 * Applies global average or max pooling (`pooling` of {@link BuildOptions}); `null` returns the
 * feature map unchanged. The layer is named `name` (default `global_pool`).
 */
export function globalPool(
  features: tfl.SymbolicTensor,
  pooling: PoolingMode,
  name = 'global_pool',
): tfl.SymbolicTensor {
  if (pooling === 'avg')
    return tfl.layers.globalAveragePooling2d({ name }).apply(features) as tfl.SymbolicTensor;
  if (pooling === 'max') return tfl.layers.globalMaxPooling2d({ name }).apply(features) as tfl.SymbolicTensor;
  return features;
}

/**
 * Applies the classifier activation of {@link BuildOptions}: a softmax layer named `name` (default
 * `probabilities`) when `'softmax'`, nothing for `'linear'` (logits).
 */
export function classifierOutput(
  logits: tfl.SymbolicTensor,
  options: Pick<ResolvedBuildOptions, 'classifierActivation'>,
  name = 'probabilities',
): tfl.SymbolicTensor {
  if (options.classifierActivation !== 'softmax') return logits;
  return tfl.layers.activation({ activation: 'softmax', name }).apply(logits) as tfl.SymbolicTensor;
}

/**
 * A dropout layer named `name` when `rate > 0`, otherwise the input unchanged (so a model built with
 * `dropRate: 0` has no dropout layer at all, like timm's `drop_rate=0.`).
 */
export function maybeDropout(x: tfl.SymbolicTensor, rate: number, name = 'dropout'): tfl.SymbolicTensor {
  return rate > 0 ? (tfl.layers.dropout({ rate, name }).apply(x) as tfl.SymbolicTensor) : x;
}
