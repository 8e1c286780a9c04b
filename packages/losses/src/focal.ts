/**
 * Focal loss (Lin et al., "Focal Loss for Dense Object Detection", ICCV 2017, arXiv:1708.02002).
 *
 * The binary form follows `torchvision.ops.sigmoid_focal_loss`; the multi-class form is the
 * softmax generalisation −α_y·(1 − p_y)^γ·log p_y used by most detection and segmentation code.
 * The modulating factor (1 − p_t) is computed from σ(±x) and `expm1`, never as `1 − p`, so that it
 * keeps its precision when p_t is close to 1.
 */
import * as tf from '@tensorflow/tfjs-core';
import { invalidArgument } from '@tfzoo/core';
import {
  applySampleWeight,
  checkBoolean,
  checkClassAxis,
  checkNumber,
  checkOptions,
  checkReduction,
  checkSameShape,
  checkTensor,
  checkWeights,
  type LossFunction,
  named,
  type ReductionOptions,
  reduce,
  targetDistribution,
  weightsTensor,
} from './common.js';
import { logProbabilities } from './cross-entropy.js';

/** Options of {@link sigmoidFocalLoss}. */
export interface SigmoidFocalLossOptions extends ReductionOptions {
  /** Focusing parameter γ ≥ 0 (default 2); 0 gives α-weighted binary cross-entropy. */
  gamma?: number;
  /** Weight α in [0, 1] of positives, 1 − α of negatives (default 0.25); a negative value disables it. */
  alpha?: number;
}

/**
 * Binary focal loss on logits, as `torchvision.ops.sigmoid_focal_loss`: per element
 * α_t·(1 − p_t)^γ·BCE(x, y) with p_t = p·y + (1 − p)·(1 − y). Targets may be soft.
 * Unlike torchvision (whose default reduction is `'none'`) the default here is `'mean'`.
 */
export function sigmoidFocalLoss(options?: SigmoidFocalLossOptions): LossFunction {
  const given = checkOptions(options);
  const reduction = checkReduction(given.reduction, 'mean');
  const gamma = checkNumber(given.gamma, 2, 'options.gamma', { min: 0 });
  const alpha = checkNumber(given.alpha, 0.25, 'options.alpha', { max: 1 });
  const name = 'sigmoidFocalLoss';
  return named(name, (yTrue: tf.Tensor, yPred: tf.Tensor, sampleWeight?: tf.Tensor) =>
    tf.tidy(() => {
      checkTensor(yTrue, `${name}: yTrue`);
      checkTensor(yPred, `${name}: yPred`);
      checkSameShape(yTrue, yPred, name);
      const x = tf.cast(yPred, 'float32');
      const y = tf.cast(yTrue, 'float32');
      const notY = tf.sub(1, y);
      // BCE with logits: (1 − y)·x + softplus(−x).
      const ce = tf.add(tf.mul(notY, x), tf.softplus(tf.neg(x)));
      let loss = ce;
      if (gamma !== 0) {
        // 1 − p_t = σ(x)·(1 − y) + σ(−x)·y, exact for soft targets too.
        const oneMinusPt = tf.add(tf.mul(tf.sigmoid(x), notY), tf.mul(tf.sigmoid(tf.neg(x)), y));
        loss = tf.mul(loss, gamma === 1 ? oneMinusPt : tf.pow(oneMinusPt, gamma));
      }
      if (alpha >= 0) loss = tf.mul(loss, tf.add(tf.mul(y, alpha), tf.mul(notY, 1 - alpha)));
      return reduce(applySampleWeight(loss, sampleWeight), reduction);
    }),
  );
}

/** Options of {@link softmaxFocalLoss}. */
export interface SoftmaxFocalLossOptions extends ReductionOptions {
  /** Focusing parameter γ ≥ 0 (default 2); 0 gives (α-weighted) cross-entropy. */
  gamma?: number;
  /** Class weight α: one number for every class, or one per class (default 1: no weighting). */
  alpha?: number | readonly number[];
  /** Whether `yPred` holds logits (default true) or probabilities. */
  fromLogits?: boolean;
}

/**
 * Multi-class focal loss: per sample −Σ_c α_c·t_c·(1 − p_c)^γ·log p_c, which for a class-index (or
 * one-hot) target is −α_y·(1 − p_y)^γ·log p_y. `yTrue` is class indices of shape `yPred.shape[:-1]`
 * or targets of `yPred`'s shape. `'mean'` averages over samples; `'none'` returns `[batch, ...]`.
 */
export function softmaxFocalLoss(options?: SoftmaxFocalLossOptions): LossFunction {
  const given = checkOptions(options);
  const reduction = checkReduction(given.reduction, 'mean');
  const gamma = checkNumber(given.gamma, 2, 'options.gamma', { min: 0 });
  const fromLogits = checkBoolean(given.fromLogits, true, 'options.fromLogits');
  let alpha: number | number[];
  if (given.alpha === undefined || typeof given.alpha === 'number') {
    alpha = checkNumber(given.alpha, 1, 'options.alpha', { min: 0 });
  } else {
    const weights = checkWeights(given.alpha, 'options.alpha');
    if (weights === undefined) throw invalidArgument('options.alpha', given.alpha, 'a number or an array');
    alpha = weights;
  }
  const name = 'softmaxFocalLoss';
  return named(name, (yTrue: tf.Tensor, yPred: tf.Tensor, sampleWeight?: tf.Tensor) =>
    tf.tidy(() => {
      checkTensor(yTrue, `${name}: yTrue`);
      checkTensor(yPred, `${name}: yPred`);
      const numClasses = checkClassAxis(yPred, name);
      const target = targetDistribution(yTrue, yPred, name);
      const logp = logProbabilities(tf.cast(yPred, 'float32'), fromLogits);
      let perClass = tf.mul(target, tf.neg(logp));
      if (gamma !== 0) {
        // 1 − p = −expm1(log p): precise when p is close to 1.
        const oneMinusP = tf.neg(tf.expm1(logp));
        perClass = tf.mul(perClass, gamma === 1 ? oneMinusP : tf.pow(oneMinusP, gamma));
      }
      if (Array.isArray(alpha))
        perClass = tf.mul(perClass, weightsTensor(alpha, numClasses, 'options.alpha'));
      else if (alpha !== 1) perClass = tf.mul(perClass, alpha);
      const loss = applySampleWeight(tf.sum(perClass, -1), sampleWeight);
      return reduce(loss, reduction);
    }),
  );
}
