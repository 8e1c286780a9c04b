/**
 * Cross-entropy losses with PyTorch's semantics: `torch.nn.functional.cross_entropy` (class indices
 * or class probabilities, `weight`, `label_smoothing`, `ignore_index`) and
 * `binary_cross_entropy_with_logits` (`pos_weight`, `weight`).
 *
 * Logits go through `logSoftmax` / `softplus`, never through `log(softmax(x))`, so values and
 * gradients stay exact at logits of ±100.
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
  classIndices,
  type LossFunction,
  named,
  type ReductionOptions,
  reduce,
  safeLog,
  weightsTensor,
} from './common.js';

/** Options shared by the categorical cross-entropies. */
export interface CrossEntropyOptions extends ReductionOptions {
  /** Whether `yPred` holds logits (default true) or probabilities (clamped to [1e-7, 1] before the log). */
  fromLogits?: boolean;
  /** Label smoothing ε in [0, 1]: the target becomes (1 − ε)·target + ε/C (default 0). */
  labelSmoothing?: number;
  /** One weight per class (PyTorch's `weight`), for imbalanced data. */
  classWeights?: readonly number[];
}

/** Options of {@link sparseCategoricalCrossEntropy}. */
export interface SparseCrossEntropyOptions extends CrossEntropyOptions {
  /** A label value whose samples contribute nothing (PyTorch's `ignore_index`; default: none). */
  ignoreIndex?: number;
}

interface ResolvedCrossEntropy {
  reduction: 'mean' | 'sum' | 'none';
  fromLogits: boolean;
  labelSmoothing: number;
  classWeights?: number[];
}

function resolveCrossEntropy(options: CrossEntropyOptions | undefined): ResolvedCrossEntropy {
  const given = checkOptions(options);
  return {
    reduction: checkReduction(given.reduction, 'mean'),
    fromLogits: checkBoolean(given.fromLogits, true, 'options.fromLogits'),
    labelSmoothing: checkNumber(given.labelSmoothing, 0, 'options.labelSmoothing', { min: 0, max: 1 }),
    classWeights: checkWeights(given.classWeights, 'options.classWeights'),
  };
}

/** Log-probabilities over the last axis from logits or probabilities. */
export function logProbabilities(yPred: tf.Tensor, fromLogits: boolean): tf.Tensor {
  return fromLogits ? tf.logSoftmax(yPred) : safeLog(yPred);
}

/**
 * Cross-entropy with integer class labels, as `F.cross_entropy(input, target)` with a class-index
 * target. `yTrue` holds labels of shape `yPred.shape[:-1]` (or with a trailing 1; float labels as
 * tfjs-layers passes them are rounded), `yPred` is `[batch, ..., numClasses]`.
 *
 * `'mean'` is PyTorch's weighted mean: the sum of per-sample losses divided by the sum of the class
 * weights of the (non-ignored) targets, with label smoothing as well. `'none'` returns `[batch, ...]`.
 *
 * In `model.fit` tfjs-layers requires targets shaped like the model output for custom losses, so
 * there use {@link categoricalCrossEntropy} with one-hot targets; this loss fits custom loops.
 */
export function sparseCategoricalCrossEntropy(options?: SparseCrossEntropyOptions): LossFunction {
  const config = resolveCrossEntropy(options);
  const given = checkOptions(options);
  const ignoreIndex =
    given.ignoreIndex === undefined ? undefined : checkNumber(given.ignoreIndex, 0, 'options.ignoreIndex');
  if (ignoreIndex !== undefined && !Number.isInteger(ignoreIndex)) {
    throw invalidArgument('options.ignoreIndex', ignoreIndex, 'an integer label value');
  }
  const name = 'sparseCategoricalCrossEntropy';
  return named(name, (yTrue: tf.Tensor, yPred: tf.Tensor, sampleWeight?: tf.Tensor) =>
    tf.tidy(() => {
      checkTensor(yTrue, `${name}: yTrue`);
      checkTensor(yPred, `${name}: yPred`);
      const numClasses = checkClassAxis(yPred, name);
      const labels = classIndices(yTrue, yPred, name);
      const valid =
        ignoreIndex === undefined
          ? tf.cast(tf.onesLike(labels), 'float32')
          : tf.cast(tf.notEqual(labels, ignoreIndex), 'float32');
      const safeLabels =
        ignoreIndex === undefined ? labels : tf.where(tf.cast(valid, 'bool'), labels, tf.zerosLike(labels));
      const oneHot = tf.cast(tf.oneHot(safeLabels, numClasses), 'float32');
      const logp = logProbabilities(tf.cast(yPred, 'float32'), config.fromLogits);
      const weights =
        config.classWeights === undefined
          ? undefined
          : weightsTensor(config.classWeights, numClasses, 'options.classWeights');
      const targetWeight = weights === undefined ? valid : tf.mul(tf.sum(tf.mul(oneHot, weights), -1), valid);
      const nll = tf.neg(tf.sum(tf.mul(oneHot, logp), -1));
      let loss = tf.mul(targetWeight, nll);
      const eps = config.labelSmoothing;
      if (eps > 0) {
        const weightedLogp = weights === undefined ? logp : tf.mul(logp, weights);
        const smooth = tf.mul(tf.neg(tf.sum(weightedLogp, -1)), valid);
        loss = tf.add(tf.mul(loss, 1 - eps), tf.mul(smooth, eps / numClasses));
      }
      loss = applySampleWeight(loss, sampleWeight);
      return reduce(loss, config.reduction, tf.sum(targetWeight));
    }),
  );
}

/**
 * Cross-entropy with one-hot or soft targets of `yPred`'s shape, as `F.cross_entropy(input,
 * target)` with a probability target: per sample −Σ_c w_c·t_c·log p_c, with label smoothing applied
 * to the target first. `'mean'` divides by the number of samples (PyTorch's rule for probability
 * targets, also with class weights). `'none'` returns `[batch, ...]`.
 */
export function categoricalCrossEntropy(options?: CrossEntropyOptions): LossFunction {
  const config = resolveCrossEntropy(options);
  const name = 'categoricalCrossEntropy';
  return named(name, (yTrue: tf.Tensor, yPred: tf.Tensor, sampleWeight?: tf.Tensor) =>
    tf.tidy(() => {
      checkTensor(yTrue, `${name}: yTrue`);
      checkTensor(yPred, `${name}: yPred`);
      const numClasses = checkClassAxis(yPred, name);
      checkSameShape(yTrue, yPred, name);
      let target = tf.cast(yTrue, 'float32');
      const eps = config.labelSmoothing;
      if (eps > 0) target = tf.add(tf.mul(target, 1 - eps), eps / numClasses);
      if (config.classWeights !== undefined) {
        target = tf.mul(target, weightsTensor(config.classWeights, numClasses, 'options.classWeights'));
      }
      const logp = logProbabilities(tf.cast(yPred, 'float32'), config.fromLogits);
      const loss = applySampleWeight(tf.neg(tf.sum(tf.mul(target, logp), -1)), sampleWeight);
      return reduce(loss, config.reduction);
    }),
  );
}

/** Options of {@link binaryCrossEntropy}. */
export interface BinaryCrossEntropyOptions extends ReductionOptions {
  /** Whether `yPred` holds logits (default true) or probabilities (clamped to [1e-7, 1 − 1e-7]). */
  fromLogits?: boolean;
  /**
   * Weight of the positive term (PyTorch's `pos_weight`): one number, or one per class along the
   * last axis. Values above 1 raise recall; `numNegatives / numPositives` balances the classes.
   */
  posWeight?: number | readonly number[];
  /** One weight per class along the last axis (PyTorch's `weight` of shape `[C]`). */
  classWeights?: readonly number[];
  /** Label smoothing ε in [0, 1]: targets become (1 − ε)·y + ε/2, as Keras does (default 0). */
  labelSmoothing?: number;
}

/**
 * Binary cross-entropy, as `F.binary_cross_entropy_with_logits(input, target, weight, pos_weight)`:
 * per element −[p·y·log σ(x) + (1 − y)·log(1 − σ(x))], computed as
 * (1 − y)·x + (1 + (p − 1)·y)·softplus(−x) so that it is exact at any logit. Targets may be soft.
 * `'mean'` averages over all elements; `'none'` returns yPred's shape.
 */
export function binaryCrossEntropy(options?: BinaryCrossEntropyOptions): LossFunction {
  const given = checkOptions(options);
  const reduction = checkReduction(given.reduction, 'mean');
  const fromLogits = checkBoolean(given.fromLogits, true, 'options.fromLogits');
  const labelSmoothing = checkNumber(given.labelSmoothing, 0, 'options.labelSmoothing', { min: 0, max: 1 });
  const classWeights = checkWeights(given.classWeights, 'options.classWeights');
  const posWeight =
    typeof given.posWeight === 'number'
      ? [checkNumber(given.posWeight, 1, 'options.posWeight', { min: 0 })]
      : checkWeights(given.posWeight, 'options.posWeight');
  const name = 'binaryCrossEntropy';
  return named(name, (yTrue: tf.Tensor, yPred: tf.Tensor, sampleWeight?: tf.Tensor) =>
    tf.tidy(() => {
      checkTensor(yTrue, `${name}: yTrue`);
      checkTensor(yPred, `${name}: yPred`);
      checkSameShape(yTrue, yPred, name);
      const x = tf.cast(yPred, 'float32');
      let y = tf.cast(yTrue, 'float32');
      if (labelSmoothing > 0) y = tf.add(tf.mul(y, 1 - labelSmoothing), labelSmoothing / 2);
      const numClasses = x.rank === 0 ? 1 : x.shape[x.rank - 1];
      const pw =
        posWeight === undefined
          ? undefined
          : posWeight.length === 1
            ? tf.scalar(posWeight[0])
            : weightsTensor(posWeight, numClasses, 'options.posWeight');
      let loss: tf.Tensor;
      if (fromLogits) {
        const logWeight = pw === undefined ? tf.onesLike(y) : tf.add(tf.mul(tf.sub(pw, 1), y), 1);
        loss = tf.add(tf.mul(tf.sub(1, y), x), tf.mul(logWeight, tf.softplus(tf.neg(x))));
      } else {
        const eps = 1e-7;
        const p = tf.clipByValue(x, eps, 1 - eps);
        const positive = tf.mul(y, tf.log(p));
        loss = tf.neg(
          tf.add(
            pw === undefined ? positive : tf.mul(pw, positive),
            tf.mul(tf.sub(1, y), tf.log(tf.sub(1, p))),
          ),
        );
      }
      if (classWeights !== undefined) {
        loss = tf.mul(loss, weightsTensor(classWeights, numClasses, 'options.classWeights'));
      }
      loss = applySampleWeight(loss, sampleWeight);
      return reduce(loss, reduction);
    }),
  );
}
