/**
 * Regression losses with PyTorch's semantics: `F.mse_loss`, `F.l1_loss`, `F.huber_loss(delta)` and
 * `F.smooth_l1_loss(beta)` (Girshick, "Fast R-CNN", ICCV 2015). All are element-wise; `'mean'`
 * averages over every element and `'none'` returns yPred's shape.
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  applySampleWeight,
  checkNumber,
  checkOptions,
  checkReduction,
  checkSameShape,
  checkTensor,
  type LossFunction,
  named,
  type ReductionOptions,
  reduce,
} from './common.js';

function elementwise(
  name: string,
  options: ReductionOptions | undefined,
  pointwise: (difference: tf.Tensor) => tf.Tensor,
): LossFunction {
  const reduction = checkReduction(checkOptions(options).reduction, 'mean');
  return named(name, (yTrue: tf.Tensor, yPred: tf.Tensor, sampleWeight?: tf.Tensor) =>
    tf.tidy(() => {
      checkTensor(yTrue, `${name}: yTrue`);
      checkTensor(yPred, `${name}: yPred`);
      checkSameShape(yTrue, yPred, name);
      const difference = tf.sub(tf.cast(yPred, 'float32'), tf.cast(yTrue, 'float32'));
      return reduce(applySampleWeight(pointwise(difference), sampleWeight), reduction);
    }),
  );
}

/** Mean squared error, (ŷ − y)², as `F.mse_loss`. */
export function meanSquaredError(options?: ReductionOptions): LossFunction {
  return elementwise('meanSquaredError', options, (d) => tf.square(d));
}

/** Mean absolute error, |ŷ − y|, as `F.l1_loss`. */
export function meanAbsoluteError(options?: ReductionOptions): LossFunction {
  return elementwise('meanAbsoluteError', options, (d) => tf.abs(d));
}

/** Options of {@link huberLoss}. */
export interface HuberLossOptions extends ReductionOptions {
  /** Where the loss turns from quadratic to linear, δ > 0 (default 1). */
  delta?: number;
}

/** Huber loss from the absolute error: ½·q² + δ·(|d| − q) with q = min(|d|, δ). No NaN at any δ. */
function huber(difference: tf.Tensor, delta: number): tf.Tensor {
  const absolute = tf.abs(difference);
  const quadratic = tf.minimum(absolute, delta);
  return tf.add(tf.mul(tf.square(quadratic), 0.5), tf.mul(tf.sub(absolute, quadratic), delta));
}

/** Huber loss, as `F.huber_loss`: ½d² where |d| < δ, δ·(|d| − ½δ) elsewhere. */
export function huberLoss(options?: HuberLossOptions): LossFunction {
  const delta = checkNumber(checkOptions(options).delta, 1, 'options.delta', { min: 0, minExclusive: true });
  return elementwise('huberLoss', options, (d) => huber(d, delta));
}

/** Options of {@link smoothL1Loss}. */
export interface SmoothL1LossOptions extends ReductionOptions {
  /** Where the loss turns from quadratic to linear, β ≥ 0 (default 1); 0 gives the L1 loss. */
  beta?: number;
}

/** Smooth-L1 loss, as `F.smooth_l1_loss`: ½d²/β where |d| < β, |d| − ½β elsewhere (Huber / β). */
export function smoothL1Loss(options?: SmoothL1LossOptions): LossFunction {
  const beta = checkNumber(checkOptions(options).beta, 1, 'options.beta', { min: 0 });
  return elementwise('smoothL1Loss', options, (d) => (beta === 0 ? tf.abs(d) : tf.div(huber(d, beta), beta)));
}
