/**
 * Fixed problems for the PyTorch parity tests: a small MLP and a small conv net with seeded initial
 * weights and batches, the loss on both sides, and the tfjs training loop.
 */
import * as tf from '@tensorflow/tfjs-core';
import { seededRandom } from '@tfzoo/test-harness';

/** A float32 array of `n` values from `sample`. */
export function floats(n: number, sample: () => number): number[] {
  return Array.from({ length: n }, () => Math.fround(sample()));
}

/** A standard normal sampler over `u`. */
export function normal(u: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

/** A tensor as JSON: shape and row-major data. */
export interface TensorJson {
  shape: number[];
  data: number[];
}

/** One batch: inputs and integer labels. */
export interface BatchJson {
  x: TensorJson;
  y: number[];
}

/** A model's parameters, batches and full-batch data (for L-BFGS). */
export interface ProblemJson {
  order: string[];
  init: Record<string, TensorJson>;
  batches: BatchJson[];
  full: BatchJson;
}

/** Which fixed problem. */
export type ModelKind = 'mlp' | 'conv' | 'linear';

/** L2 penalty of the convex `linear` problem (softmax regression): `L2 · Σ w²`. */
export const LINEAR_L2 = 0.01;

const CLASSES = 3;

function makeBatch(u: () => number, shape: number[]): BatchJson {
  const n = shape.reduce((a, b) => a * b, 1);
  return {
    x: { shape, data: floats(n, normal(u)) },
    y: Array.from({ length: shape[0]! }, () => Math.floor(u() * CLASSES)),
  };
}

function uniformInit(u: () => number, shape: number[], fanIn: number): TensorJson {
  const bound = 1 / Math.sqrt(fanIn);
  const n = shape.reduce((a, b) => a * b, 1);
  return { shape, data: floats(n, () => (2 * u() - 1) * bound) };
}

/**
 * Builds the MLP (6 → 8 tanh → 3), the conv net (6×6×2 → 3×3 conv, 4 ch, tanh → dense 3) or the
 * L2-regularized softmax regression (6 → 3, strongly convex: used for L-BFGS over many iterations).
 */
export function makeProblem(kind: ModelKind, steps: number, seed: number): ProblemJson {
  const u = seededRandom(seed);
  if (kind === 'linear') {
    return {
      order: ['w', 'b'],
      init: { w: uniformInit(u, [6, 3], 6), b: uniformInit(u, [3], 6) },
      batches: Array.from({ length: steps }, () => makeBatch(u, [8, 6])),
      full: makeBatch(u, [32, 6]),
    };
  }
  if (kind === 'mlp') {
    return {
      order: ['w1', 'b1', 'w2', 'b2'],
      init: {
        w1: uniformInit(u, [6, 8], 6),
        b1: uniformInit(u, [8], 6),
        w2: uniformInit(u, [8, 3], 8),
        b2: uniformInit(u, [3], 8),
      },
      batches: Array.from({ length: steps }, () => makeBatch(u, [8, 6])),
      full: makeBatch(u, [32, 6]),
    };
  }
  return {
    order: ['k', 'cb', 'w', 'b'],
    init: {
      k: uniformInit(u, [3, 3, 2, 4], 18),
      cb: uniformInit(u, [4], 18),
      w: uniformInit(u, [64, 3], 64),
      b: uniformInit(u, [3], 64),
    },
    batches: Array.from({ length: steps }, () => makeBatch(u, [4, 6, 6, 2])),
    full: makeBatch(u, [16, 6, 6, 2]),
  };
}

/** The logits of `kind` for inputs `x` with parameters `p` (same math as the PyTorch script). */
export function logits(kind: ModelKind, p: Record<string, tf.Tensor>, x: tf.Tensor): tf.Tensor2D {
  if (kind === 'linear') return tf.add(tf.matMul(x as tf.Tensor2D, p.w as tf.Tensor2D), p.b!);
  if (kind === 'mlp') {
    const h = tf.tanh(tf.add(tf.matMul(x as tf.Tensor2D, p.w1 as tf.Tensor2D), p.b1!));
    return tf.add(tf.matMul(h as tf.Tensor2D, p.w2 as tf.Tensor2D), p.b2!);
  }
  const conv = tf.tanh(tf.add(tf.conv2d(x as tf.Tensor4D, p.k as tf.Tensor4D, 1, 'valid'), p.cb!));
  const flat = tf.reshape(conv, [x.shape[0]!, -1]) as tf.Tensor2D;
  return tf.add(tf.matMul(flat, p.w as tf.Tensor2D), p.b!);
}

/** Mean softmax cross-entropy, as `torch.nn.functional.cross_entropy`. */
export function crossEntropy(z: tf.Tensor2D, labels: tf.Tensor): tf.Scalar {
  const oneHot = tf.oneHot(labels as tf.Tensor1D, CLASSES);
  return tf.neg(tf.mean(tf.sum(tf.mul(oneHot, tf.logSoftmax(z)), -1))) as tf.Scalar;
}

/** The training loss of `kind`: cross-entropy, plus the L2 penalty for `linear`. */
export function lossOf(
  kind: ModelKind,
  p: Record<string, tf.Tensor>,
  x: tf.Tensor,
  labels: tf.Tensor,
): tf.Scalar {
  const ce = crossEntropy(logits(kind, p, x), labels);
  return kind === 'linear' ? (tf.add(ce, tf.mul(tf.sum(tf.square(p.w!)), LINEAR_L2)) as tf.Scalar) : ce;
}

/** A batch as tensors. */
export interface BatchTensors {
  x: tf.Tensor;
  y: tf.Tensor1D;
}

/** Materializes the batches of a problem (dispose with {@link disposeBatches}). */
export function batchTensors(problem: ProblemJson): { batches: BatchTensors[]; full: BatchTensors } {
  const one = (b: BatchJson): BatchTensors => ({
    x: tf.tensor(b.x.data, b.x.shape),
    y: tf.tensor1d(b.y, 'int32'),
  });
  return { batches: problem.batches.map(one), full: one(problem.full) };
}

/** Frees batch tensors. */
export function disposeBatches(b: { batches: BatchTensors[]; full: BatchTensors }): void {
  for (const x of [...b.batches, b.full]) tf.dispose([x.x, x.y]);
}
