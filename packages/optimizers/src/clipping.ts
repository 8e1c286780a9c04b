/**
 * Gradient clipping for custom training loops, with PyTorch's semantics.
 *
 * Reference: `torch.nn.utils.clip_grad_norm_` (scale = min(1, maxNorm / (totalNorm + 1e-6)),
 * total norm = norm of the per-tensor norms) and `torch.nn.utils.clip_grad_value_`;
 * `tf.clip_by_norm` for the per-tensor variant Keras' `clipnorm` uses.
 */
import * as tf from '@tensorflow/tfjs-core';
import { invalidArgument } from '@tfzoo/core';

/** Gradients as tfjs returns them: a list, or a map from variable name to gradient. */
export type Gradients = tf.Tensor[] | tf.NamedTensorMap;

/** Options of {@link clipByGlobalNorm}. */
export interface ClipByGlobalNormOptions {
  /** Order of the norm: a number ≥ 1, or `Infinity` for the max-abs norm (default 2). */
  normType?: number;
}

/** Result of {@link clipByGlobalNorm}: the clipped gradients (new tensors) and the norm before clipping. */
export interface ClippedGradients<T extends Gradients> {
  /** Clipped gradients, same container shape as the input; the caller disposes them. */
  grads: T;
  /** Total norm of the gradients before clipping (a new scalar the caller disposes). */
  totalNorm: tf.Scalar;
}

function entries(grads: Gradients): [string, tf.Tensor][] {
  if (Array.isArray(grads)) return grads.map((g, i) => [String(i), g]);
  if (grads === null || typeof grads !== 'object') {
    throw invalidArgument('grads', grads, 'an array of tensors or a map from names to tensors');
  }
  return Object.entries(grads);
}

function rebuild<T extends Gradients>(like: T, values: tf.Tensor[]): T {
  if (Array.isArray(like)) return values as T;
  const out: tf.NamedTensorMap = {};
  Object.keys(like).forEach((key, i) => {
    out[key] = values[i]!;
  });
  return out as T;
}

function checkPositive(what: string, value: unknown): void {
  if (typeof value !== 'number' || !(value > 0) || Number.isNaN(value)) {
    throw invalidArgument(what, value, 'a number > 0');
  }
}

function tensorNorm(g: tf.Tensor, normType: number): tf.Scalar {
  return tf.tidy((): tf.Scalar => {
    if (normType === Number.POSITIVE_INFINITY) return tf.max(tf.abs(g)) as tf.Scalar;
    if (normType === 2) return tf.sqrt(tf.sum(tf.square(g))) as tf.Scalar;
    if (normType === 1) return tf.sum(tf.abs(g)) as tf.Scalar;
    return tf.pow(tf.sum(tf.pow(tf.abs(g), normType)), 1 / normType) as tf.Scalar;
  });
}

/**
 * The global norm of several gradients, computed as PyTorch does: the norm of the vector of
 * per-tensor norms (for `normType = 2`: the square root of the sum of all squares).
 */
export function globalNorm(grads: Gradients, normType = 2): tf.Scalar {
  if (typeof normType !== 'number' || !(normType >= 1)) {
    throw invalidArgument('normType', normType, 'a number ≥ 1 or Infinity');
  }
  const list = entries(grads).map(([, g]) => g);
  if (list.length === 0) return tf.scalar(0);
  return tf.tidy(() => {
    const norms = tf.stack(list.map((g) => tensorNorm(g, normType)));
    return tensorNorm(norms, normType);
  });
}

/**
 * Scales all gradients by `min(1, maxNorm / (totalNorm + 1e-6))`, exactly like
 * `torch.nn.utils.clip_grad_norm_`. Returns new tensors; the inputs are left untouched.
 */
export function clipByGlobalNorm<T extends Gradients>(
  grads: T,
  maxNorm: number,
  options: ClipByGlobalNormOptions = {},
): ClippedGradients<T> {
  checkPositive('maxNorm', maxNorm);
  const normType = options.normType ?? 2;
  const list = entries(grads).map(([, g]) => g);
  const totalNorm = globalNorm(grads, normType);
  const clipped = tf.tidy(() => {
    const coef = tf.minimum(tf.div(maxNorm, tf.add(totalNorm, 1e-6)), 1);
    return list.map((g) => tf.mul(g, coef));
  });
  return { grads: rebuild(grads, clipped), totalNorm };
}

/**
 * Clamps every gradient element into `[-clipValue, clipValue]` (`torch.nn.utils.clip_grad_value_`,
 * Keras `clipvalue`). Returns new tensors.
 */
export function clipByValue<T extends Gradients>(grads: T, clipValue: number): T {
  checkPositive('clipValue', clipValue);
  const list = entries(grads).map(([, g]) => tf.clipByValue(g, -clipValue, clipValue));
  return rebuild(grads, list);
}

/**
 * Rescales each gradient separately so that its L2 norm is at most `maxNorm`
 * (`tf.clip_by_norm`: `g · maxNorm / max(‖g‖, maxNorm)`; Keras `clipnorm`). Returns new tensors.
 */
export function clipByNorm<T extends Gradients>(grads: T, maxNorm: number): T {
  checkPositive('maxNorm', maxNorm);
  const list = entries(grads).map(([, g]) =>
    tf.tidy(() => tf.div(tf.mul(g, maxNorm), tf.maximum(tensorNorm(g, 2), maxNorm))),
  );
  return rebuild(grads, list);
}
