/**
 * Shared plumbing of every loss: reductions, option validation, sample weights and label handling.
 *
 * Reductions follow PyTorch (`torch.nn.functional`, `reduction='mean' | 'sum' | 'none'`); sample
 * weights follow tfjs-layers' `computeWeightedLoss` (multiply, then reduce with the usual
 * denominator).
 */
import * as tf from '@tensorflow/tfjs-core';
import { invalidArgument } from '@tfzoo/core';

/**
 * How per-element (or per-sample) losses are combined: `'mean'` and `'sum'` return a scalar,
 * `'none'` returns the unreduced losses.
 */
export type Reduction = 'mean' | 'sum' | 'none';

/**
 * A loss function: usable as `model.compile({ loss })` (tfjs-layers' `LossOrMetricFn`) and in a custom
 * training loop. The optional third argument multiplies each sample's loss (shape `[batch]`) before
 * the reduction; the denominator of `'mean'` does not change.
 */
export type LossFunction = (yTrue: tf.Tensor, yPred: tf.Tensor, sampleWeight?: tf.Tensor) => tf.Tensor;

/** Fields shared by the options of most losses. */
export interface ReductionOptions {
  /** How the losses are combined (default `'mean'`). */
  reduction?: Reduction;
}

const REDUCTIONS: readonly Reduction[] = ['mean', 'sum', 'none'];

/** Validates a reduction option against the allowed values and returns it (or the default). */
export function checkReduction<R extends string = Reduction>(
  value: unknown,
  fallback: R,
  allowed: readonly string[] = REDUCTIONS,
  what = 'options.reduction',
): R {
  const reduction = value === undefined ? fallback : value;
  if (typeof reduction !== 'string' || !allowed.includes(reduction)) {
    throw invalidArgument(what, reduction, `one of ${allowed.map((r) => `'${r}'`).join(', ')}`);
  }
  return reduction as R;
}

/** Checks that an options argument is an object (or undefined) and returns it. */
export function checkOptions<T extends object>(options: T | undefined, what = 'options'): T {
  if (options === undefined) return {} as T;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw invalidArgument(what, options, 'an object of options');
  }
  return options;
}

/** Validates a finite number option with optional bounds and returns it (or the default). */
export function checkNumber(
  value: unknown,
  fallback: number,
  what: string,
  range: { min?: number; max?: number; minExclusive?: boolean; maxExclusive?: boolean } = {},
): number {
  const x = value === undefined ? fallback : value;
  const { min, max, minExclusive = false, maxExclusive = false } = range;
  const ok =
    typeof x === 'number' &&
    Number.isFinite(x) &&
    (min === undefined || (minExclusive ? x > min : x >= min)) &&
    (max === undefined || (maxExclusive ? x < max : x <= max));
  if (!ok) {
    const lo = min === undefined ? '' : `${minExclusive ? '>' : '≥'} ${min}`;
    const hi = max === undefined ? '' : `${maxExclusive ? '<' : '≤'} ${max}`;
    const bounds = [lo, hi].filter((s) => s !== '').join(' and ');
    throw invalidArgument(what, x, `a finite number${bounds === '' ? '' : ` ${bounds}`}`);
  }
  return x as number;
}

/** Validates a boolean option and returns it (or the default). */
export function checkBoolean(value: unknown, fallback: boolean, what: string): boolean {
  const x = value === undefined ? fallback : value;
  if (typeof x !== 'boolean') throw invalidArgument(what, x, 'a boolean');
  return x;
}

/** Validates per-class weights (an array of finite non-negative numbers) and copies them. */
export function checkWeights(value: unknown, what: string): number[] | undefined {
  if (value === undefined) return undefined;
  const ok =
    (Array.isArray(value) || ArrayBuffer.isView(value)) &&
    (value as ArrayLike<unknown>).length > 0 &&
    Array.from(value as ArrayLike<unknown>).every(
      (w) => typeof w === 'number' && Number.isFinite(w) && w >= 0,
    );
  if (!ok) throw invalidArgument(what, value, 'a non-empty array of finite non-negative numbers');
  return Array.from(value as ArrayLike<number>);
}

/** Creates the tensor of per-class weights, checking its length against the number of classes. */
export function weightsTensor(weights: number[], numClasses: number, what: string): tf.Tensor1D {
  if (weights.length !== numClasses) {
    throw invalidArgument(what, weights, `${numClasses} weights, one per class (the last axis of yPred)`);
  }
  return tf.tensor1d(weights, 'float32');
}

/** Throws unless `tensor` is a tensor; names it in the message. */
export function checkTensor(tensor: unknown, what: string): asserts tensor is tf.Tensor {
  if (!(tensor instanceof tf.Tensor)) throw invalidArgument(what, tensor, 'a tf.Tensor');
}

/** Throws unless the two tensors have the same shape. */
export function checkSameShape(yTrue: tf.Tensor, yPred: tf.Tensor, loss: string): void {
  if (!tf.util.arraysEqual(yTrue.shape, yPred.shape)) {
    throw invalidArgument(`${loss}: yTrue`, yTrue.shape, `the shape of yPred, [${yPred.shape.join(', ')}]`);
  }
}

/** Throws unless predictions have a class axis last (rank ≥ 2). */
export function checkClassAxis(yPred: tf.Tensor, loss: string): number {
  if (yPred.rank < 2) {
    throw invalidArgument(`${loss}: yPred`, yPred.shape, 'a tensor of shape [batch, ..., numClasses]');
  }
  return yPred.shape[yPred.rank - 1];
}

/**
 * Turns integer class labels into an int32 tensor of shape `yPred.shape[:-1]`. Accepts the float
 * labels tfjs-layers passes to a loss, and a trailing axis of size 1 (`[batch, 1]`).
 */
export function classIndices(yTrue: tf.Tensor, yPred: tf.Tensor, loss: string): tf.Tensor {
  const expected = yPred.shape.slice(0, -1);
  let labels = yTrue;
  if (labels.rank === yPred.rank && labels.shape[labels.rank - 1] === 1) {
    labels = tf.reshape(labels, expected);
  }
  if (!tf.util.arraysEqual(labels.shape, expected)) {
    throw invalidArgument(
      `${loss}: yTrue`,
      yTrue.shape,
      `class indices of shape [${expected.join(', ')}] (yPred's shape without the class axis)`,
    );
  }
  return labels.dtype === 'int32' ? labels : tf.cast(tf.round(labels), 'int32');
}

/**
 * Reads targets as a distribution over classes: one-hot or soft targets of yPred's shape are used
 * as they are, class indices of shape `yPred.shape[:-1]` (or with a trailing 1) are one-hot encoded.
 */
export function targetDistribution(yTrue: tf.Tensor, yPred: tf.Tensor, loss: string): tf.Tensor {
  const numClasses = yPred.shape[yPred.rank - 1];
  if (yTrue.rank === yPred.rank && tf.util.arraysEqual(yTrue.shape, yPred.shape) && numClasses > 1) {
    return tf.cast(yTrue, 'float32');
  }
  return tf.cast(tf.oneHot(classIndices(yTrue, yPred, loss), numClasses), 'float32');
}

/** Multiplies per-sample weights (shape `[batch]`) into a loss whose first axis is the batch. */
export function applySampleWeight(loss: tf.Tensor, sampleWeight: tf.Tensor | undefined): tf.Tensor {
  if (sampleWeight === undefined) return loss;
  checkTensor(sampleWeight, 'sampleWeight');
  const batch = loss.shape[0];
  if (sampleWeight.size !== batch) {
    throw invalidArgument('sampleWeight', sampleWeight.shape, `one weight per sample, shape [${batch}]`);
  }
  const shape = [batch, ...loss.shape.slice(1).map(() => 1)];
  return tf.mul(loss, tf.reshape(tf.cast(sampleWeight, 'float32'), shape));
}

/**
 * Reduces losses: `'none'` returns them, `'sum'` sums them, `'mean'` divides the sum by
 * `denominator` (default: the number of elements).
 */
export function reduce(loss: tf.Tensor, reduction: Reduction, denominator?: tf.Tensor): tf.Tensor {
  if (reduction === 'none') return loss;
  const total = tf.sum(loss);
  if (reduction === 'sum') return total;
  return denominator === undefined ? tf.div(total, loss.size) : tf.div(total, denominator);
}

/** Clamps probabilities before a logarithm, like Keras' `epsilon()` (1e-7). */
export const PROBABILITY_EPSILON = 1e-7;

/** Natural log of probabilities clamped to [ε, 1]. */
export function safeLog(p: tf.Tensor): tf.Tensor {
  return tf.log(tf.clipByValue(p, PROBABILITY_EPSILON, 1));
}

/** Names a returned loss function so tfjs-layers' logs and errors show a useful name. */
export function named<F extends (...args: never[]) => unknown>(name: string, fn: F): F {
  Object.defineProperty(fn, 'name', { value: name });
  return fn;
}

/** Identity whose gradient is zero: the teacher of a distillation receives no gradient. */
export const stopGradient: (x: tf.Tensor) => tf.Tensor = tf.customGrad(
  (...inputs: Array<tf.Tensor | tf.GradSaveFunc>) => ({
    value: tf.clone(inputs[0] as tf.Tensor),
    gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
  }),
);
