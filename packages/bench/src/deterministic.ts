/**
 * Deterministic weights and inputs, so that workers in separate processes (one per backend) run the
 * same model on the same data and their logits can be compared with the cpu backend's.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { seededRandom } from '@tfzoo/core';

/** Fills a Float32Array with uniform values in [low, high). */
export function uniform(size: number, low: number, high: number, seed: number): Float32Array {
  const next = seededRandom(seed);
  const out = new Float32Array(size);
  const span = high - low;
  for (let i = 0; i < size; i++) out[i] = low + span * next();
  return out;
}

/**
 * The range a weight is drawn from, chosen by its name so activations keep their scale through deep
 * networks: He-uniform kernels (fan-in of a depthwise kernel is its window), batch-norm scales and
 * variances in [0.5, 1.5), biases, shifts and means in [-0.1, 0.1).
 */
export function weightRange(name: string, shape: readonly number[]): [number, number] {
  const leaf = name.split('/').pop() ?? name;
  if (/gamma|moving_variance/.test(leaf)) return [0.5, 1.5];
  if (shape.length >= 2) {
    const fanIn = /depthwise/.test(leaf)
      ? shape.slice(0, -2).reduce((a, b) => a * b, 1)
      : shape.slice(0, -1).reduce((a, b) => a * b, 1);
    const bound = Math.sqrt(6 / Math.max(1, fanIn));
    return [-bound, bound];
  }
  return [-0.1, 0.1];
}

/** Overwrites every weight of `model` with deterministic values derived from `seed`. */
export function fillDeterministicWeights(model: tfl.LayersModel, seed: number): void {
  const values = model.weights.map((weight, index) => {
    const [low, high] = weightRange(weight.originalName ?? weight.name, weight.shape as number[]);
    const size = (weight.shape as number[]).reduce((a, b) => a * b, 1);
    return tf.tensor(uniform(size, low, high, seed * 7919 + index), weight.shape as number[], 'float32');
  });
  model.setWeights(values);
  tf.dispose(values);
}

/** A deterministic NHWC image batch in [-1, 1). */
export function deterministicImages(batch: number, size: number, seed: number): tf.Tensor4D {
  return tf.tensor4d(uniform(batch * size * size * 3, -1, 1, seed), [batch, size, size, 3]);
}

/** Deterministic one-hot labels for `batch` images and `numClasses` classes. */
export function deterministicLabels(batch: number, numClasses: number, seed: number): tf.Tensor2D {
  const next = seededRandom(seed);
  const indices = Array.from({ length: batch }, () => Math.floor(next() * numClasses));
  return tf.tidy(
    () => tf.cast(tf.oneHot(tf.tensor1d(indices, 'int32'), numClasses), 'float32') as tf.Tensor2D,
  );
}
