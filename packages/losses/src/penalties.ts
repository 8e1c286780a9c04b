/**
 * Weight penalties over a list of weights: L1 (λ·Σ|w|), L2 (λ·Σw², Keras' `l2` convention, which is
 * twice PyTorch's ½λ‖w‖² weight-decay form) and their sum (elastic net). Add the result to the data
 * loss inside the function given to `optimizer.minimize`.
 */
import * as tf from '@tensorflow/tfjs-core';
import { invalidArgument } from '@tfzoo/core';
import { checkNumber } from './common.js';

/** Anything holding a weight: a tensor, a `tf.Variable`, or a tfjs-layers `LayerVariable` (`read()`). */
export type WeightLike = tf.Tensor | { read(): tf.Tensor };

function asTensor(weight: WeightLike, index: number): tf.Tensor {
  if (weight instanceof tf.Tensor) return weight;
  if (
    weight !== null &&
    typeof weight === 'object' &&
    typeof (weight as { read?: unknown }).read === 'function'
  ) {
    return weight.read();
  }
  throw invalidArgument(`weights[${index}]`, weight, 'a tf.Tensor, tf.Variable or LayerVariable');
}

function penalty(weights: readonly WeightLike[], term: (w: tf.Tensor) => tf.Tensor, what: string): tf.Scalar {
  if (!Array.isArray(weights)) throw invalidArgument(what, weights, 'an array of weights');
  return tf.tidy(() => {
    let total: tf.Tensor = tf.scalar(0);
    weights.forEach((weight, index) => {
      total = tf.add(total, tf.sum(term(tf.cast(asTensor(weight, index), 'float32'))));
    });
    return total as tf.Scalar;
  });
}

/** L1 penalty λ·Σ|w| over every weight (default λ = 0.01, as Keras' `l1`). */
export function l1Penalty(weights: readonly WeightLike[], strength = 0.01): tf.Scalar {
  const lambda = checkNumber(strength, 0.01, 'strength', { min: 0 });
  return tf.tidy(() => tf.mul(penalty(weights, tf.abs, 'weights'), lambda) as tf.Scalar);
}

/** L2 penalty λ·Σw² over every weight (default λ = 0.01, as Keras' `l2`; no ½). */
export function l2Penalty(weights: readonly WeightLike[], strength = 0.01): tf.Scalar {
  const lambda = checkNumber(strength, 0.01, 'strength', { min: 0 });
  return tf.tidy(() => tf.mul(penalty(weights, tf.square, 'weights'), lambda) as tf.Scalar);
}

/** Strengths of {@link elasticNetPenalty}. */
export interface ElasticNetOptions {
  /** L1 strength (default 0.01). */
  l1?: number;
  /** L2 strength (default 0.01). */
  l2?: number;
}

/** Elastic-net penalty l1·Σ|w| + l2·Σw² over every weight. */
export function elasticNetPenalty(
  weights: readonly WeightLike[],
  options: ElasticNetOptions = {},
): tf.Scalar {
  const l1 = checkNumber(options.l1, 0.01, 'options.l1', { min: 0 });
  const l2 = checkNumber(options.l2, 0.01, 'options.l2', { min: 0 });
  return tf.tidy(() => tf.add(l1Penalty(weights, l1), l2Penalty(weights, l2)) as tf.Scalar);
}
