/**
 * Margin losses: binary hinge and squared hinge (as Keras' `hinge` / `squared_hinge`, element-wise),
 * and the multi-class margin loss of PyTorch's `F.multi_margin_loss` (Weston & Watkins / Crammer &
 * Singer style, with `p`, `margin` and `weight`).
 */
import * as tf from '@tensorflow/tfjs-core';
import { invalidArgument } from '@tfzoo/core';
import {
  applySampleWeight,
  checkClassAxis,
  checkNumber,
  checkOptions,
  checkReduction,
  checkSameShape,
  checkTensor,
  checkWeights,
  classIndices,
  type LossFunction,
  named,
  type ReductionOptions,
  reduce,
  weightsTensor,
} from './common.js';

/**
 * How hinge labels are encoded: `'signed'` means −1/+1, `'binary'` means 0/1 (mapped to −1/+1), and
 * `'auto'` maps the labels when every one of them is 0 or 1 (what Keras does), else uses them as they are.
 */
export type HingeLabels = 'auto' | 'signed' | 'binary';

/** Options of {@link hingeLoss} and {@link squaredHingeLoss}. */
export interface HingeLossOptions extends ReductionOptions {
  /** The margin m in max(0, m − y·ŷ) (default 1). */
  margin?: number;
  /** How yTrue encodes the two classes (default `'auto'`). */
  labels?: HingeLabels;
}

function hingeFamily(name: string, options: HingeLossOptions | undefined, squared: boolean): LossFunction {
  const given = checkOptions(options);
  const reduction = checkReduction(given.reduction, 'mean');
  const margin = checkNumber(given.margin, 1, 'options.margin');
  const labels = checkReduction<HingeLabels>(
    given.labels,
    'auto',
    ['auto', 'signed', 'binary'],
    'options.labels',
  );
  return named(name, (yTrue: tf.Tensor, yPred: tf.Tensor, sampleWeight?: tf.Tensor) =>
    tf.tidy(() => {
      checkTensor(yTrue, `${name}: yTrue`);
      checkTensor(yPred, `${name}: yPred`);
      checkSameShape(yTrue, yPred, name);
      let y = tf.cast(yTrue, 'float32');
      const signed = tf.sub(tf.mul(y, 2), 1);
      if (labels === 'binary') y = signed;
      else if (labels === 'auto') {
        const isBinary = tf.all(tf.logicalOr(tf.equal(y, 0), tf.equal(y, 1)));
        y = tf.where(isBinary, signed, y);
      }
      let loss = tf.relu(tf.sub(margin, tf.mul(y, tf.cast(yPred, 'float32'))));
      if (squared) loss = tf.square(loss);
      return reduce(applySampleWeight(loss, sampleWeight), reduction);
    }),
  );
}

/** Hinge loss max(0, m − y·ŷ) per element, for labels in {−1, 1} (or {0, 1}; see {@link HingeLabels}). */
export function hingeLoss(options?: HingeLossOptions): LossFunction {
  return hingeFamily('hingeLoss', options, false);
}

/** Squared hinge loss max(0, m − y·ŷ)² per element (labels as in {@link hingeLoss}). */
export function squaredHingeLoss(options?: HingeLossOptions): LossFunction {
  return hingeFamily('squaredHingeLoss', options, true);
}

/** Options of {@link multiMarginLoss}. */
export interface MultiMarginLossOptions extends ReductionOptions {
  /** Exponent p: 1 (hinge) or 2 (squared hinge) (default 1). */
  p?: 1 | 2;
  /** The margin (default 1). */
  margin?: number;
  /** One weight per class, applied by the target's class (PyTorch's `weight`). */
  classWeights?: readonly number[];
}

/**
 * Multi-class margin loss, as `F.multi_margin_loss`: per sample
 * Σ_{j≠y} w_y·max(0, margin − x_y + x_j)^p / C. `yTrue` is class indices `[batch]` (or `[batch, 1]`),
 * `yPred` is scores `[batch, C]`. `'mean'` averages over samples (also with class weights).
 */
export function multiMarginLoss(options?: MultiMarginLossOptions): LossFunction {
  const given = checkOptions(options);
  const reduction = checkReduction(given.reduction, 'mean');
  const p = given.p ?? 1;
  if (p !== 1 && p !== 2) throw invalidArgument('options.p', p, '1 or 2');
  const margin = checkNumber(given.margin, 1, 'options.margin');
  const classWeights = checkWeights(given.classWeights, 'options.classWeights');
  const name = 'multiMarginLoss';
  return named(name, (yTrue: tf.Tensor, yPred: tf.Tensor, sampleWeight?: tf.Tensor) =>
    tf.tidy(() => {
      checkTensor(yTrue, `${name}: yTrue`);
      checkTensor(yPred, `${name}: yPred`);
      const numClasses = checkClassAxis(yPred, name);
      const x = tf.cast(yPred, 'float32');
      const oneHot = tf.cast(tf.oneHot(classIndices(yTrue, yPred, name), numClasses), 'float32');
      const targetScore = tf.sum(tf.mul(oneHot, x), -1, true);
      let violations = tf.mul(tf.relu(tf.add(tf.sub(margin, targetScore), x)), tf.sub(1, oneHot));
      if (p === 2) violations = tf.square(violations);
      let loss = tf.div(tf.sum(violations, -1), numClasses);
      if (classWeights !== undefined) {
        const weights = weightsTensor(classWeights, numClasses, 'options.classWeights');
        loss = tf.mul(loss, tf.sum(tf.mul(oneHot, weights), -1));
      }
      return reduce(applySampleWeight(loss, sampleWeight), reduction);
    }),
  );
}
