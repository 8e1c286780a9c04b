/**
 * Kullback–Leibler divergence with PyTorch's `F.kl_div` semantics, and knowledge distillation
 * (Hinton, Vinyals & Dean, "Distilling the Knowledge in a Neural Network", arXiv:1503.02531):
 * α·CE(student, labels) + (1 − α)·T²·KL(softmax(teacher/T) ‖ softmax(student/T)).
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  applySampleWeight,
  checkBoolean,
  checkClassAxis,
  checkNumber,
  checkOptions,
  checkReduction,
  checkSameShape,
  checkTensor,
  named,
  reduce,
  stopGradient,
  targetDistribution,
} from './common.js';
import { logProbabilities } from './cross-entropy.js';

/** Reductions of {@link klDivergence}: PyTorch's, plus `'batchmean'` (sum / batch size). */
export type KlReduction = 'batchmean' | 'mean' | 'sum' | 'none';

/** Options of {@link klDivergence}. */
export interface KlDivergenceOptions {
  /**
   * `'batchmean'` (default; the true KL averaged over the batch), `'mean'` (over every element,
   * PyTorch's default), `'sum'` or `'none'` (element-wise).
   */
  reduction?: KlReduction;
  /** Whether yTrue holds log-probabilities (PyTorch's `log_target`; default false: probabilities). */
  logTarget?: boolean;
  /**
   * Whether yPred holds logits (log-softmax is applied over the last axis). Default false: yPred
   * holds log-probabilities, as PyTorch's `input`.
   */
  fromLogits?: boolean;
}

/** Element-wise KL terms t·(log t − log q); 0·log 0 is taken as 0 (PyTorch's `xlogy`). */
function klPointwise(target: tf.Tensor, logInput: tf.Tensor, logTarget: boolean): tf.Tensor {
  if (logTarget) return tf.mul(tf.exp(target), tf.sub(target, logInput));
  const positive = tf.greater(target, 0);
  const safeTarget = tf.where(positive, target, tf.onesLike(target));
  const xlogx = tf.where(positive, tf.mul(target, tf.log(safeTarget)), tf.zerosLike(target));
  return tf.sub(xlogx, tf.mul(target, logInput));
}

/**
 * KL divergence KL(yTrue ‖ q), as `F.kl_div(input, target)` with `input = yPred` as
 * log-probabilities q (or logits with `fromLogits`) and `target = yTrue`. The returned function is
 * `(yTrue, yPred, sampleWeight?)`; the default reduction `'batchmean'` differs from PyTorch's
 * default `'mean'`, which PyTorch itself warns is not the KL divergence.
 */
export function klDivergence(
  options?: KlDivergenceOptions,
): (yTrue: tf.Tensor, yPred: tf.Tensor, sampleWeight?: tf.Tensor) => tf.Tensor {
  const given = checkOptions(options);
  const reduction = checkReduction<KlReduction>(given.reduction, 'batchmean', [
    'batchmean',
    'mean',
    'sum',
    'none',
  ]);
  const logTarget = checkBoolean(given.logTarget, false, 'options.logTarget');
  const fromLogits = checkBoolean(given.fromLogits, false, 'options.fromLogits');
  const name = 'klDivergence';
  return named(name, (yTrue: tf.Tensor, yPred: tf.Tensor, sampleWeight?: tf.Tensor) =>
    tf.tidy(() => {
      checkTensor(yTrue, `${name}: yTrue`);
      checkTensor(yPred, `${name}: yPred`);
      checkSameShape(yTrue, yPred, name);
      const input = tf.cast(yPred, 'float32');
      const logInput = fromLogits ? tf.logSoftmax(input) : input;
      const loss = applySampleWeight(
        klPointwise(tf.cast(yTrue, 'float32'), logInput, logTarget),
        sampleWeight,
      );
      if (reduction === 'batchmean') return tf.div(tf.sum(loss), loss.rank === 0 ? 1 : loss.shape[0]);
      return reduce(loss, reduction);
    }),
  );
}

/** Options of {@link distillationLoss}. */
export interface DistillationLossOptions {
  /** Softening temperature T > 0 (default 4). */
  temperature?: number;
  /** Weight α in [0, 1] of the hard-label cross-entropy; the distillation term gets 1 − α (default 0.5). */
  alpha?: number;
  /** Label smoothing ε of the hard-label term (default 0). */
  labelSmoothing?: number;
  /** `'mean'` (default) or `'sum'` over samples, or `'none'` for one loss per sample. */
  reduction?: 'mean' | 'sum' | 'none';
}

/**
 * The distillation loss function: `labels` are class indices `[batch]` (or one-hot / soft targets of
 * the logits' shape); the teacher receives no gradient.
 */
export type DistillationLossFunction = (
  labels: tf.Tensor,
  studentLogits: tf.Tensor,
  teacherLogits: tf.Tensor,
) => tf.Tensor;

/**
 * Knowledge-distillation loss (Hinton et al. 2015): per sample
 * α·CE(student, labels) + (1 − α)·T²·KL(softmax(teacher/T) ‖ softmax(student/T)); the T² keeps the
 * soft term's gradient scale independent of T. Equal to
 * `α·F.cross_entropy(s, y) + (1 − α)·T²·F.kl_div(F.log_softmax(s/T), F.softmax(t/T), reduction='batchmean')`.
 * For a custom training loop (it takes three tensors, so it is not a `model.compile` loss).
 */
export function distillationLoss(options?: DistillationLossOptions): DistillationLossFunction {
  const given = checkOptions(options);
  const temperature = checkNumber(given.temperature, 4, 'options.temperature', {
    min: 0,
    minExclusive: true,
  });
  const alpha = checkNumber(given.alpha, 0.5, 'options.alpha', { min: 0, max: 1 });
  const labelSmoothing = checkNumber(given.labelSmoothing, 0, 'options.labelSmoothing', { min: 0, max: 1 });
  const reduction = checkReduction(given.reduction, 'mean');
  const name = 'distillationLoss';
  return named(name, (labels: tf.Tensor, studentLogits: tf.Tensor, teacherLogits: tf.Tensor) =>
    tf.tidy(() => {
      checkTensor(labels, `${name}: labels`);
      checkTensor(studentLogits, `${name}: studentLogits`);
      checkTensor(teacherLogits, `${name}: teacherLogits`);
      const numClasses = checkClassAxis(studentLogits, name);
      checkSameShape(teacherLogits, studentLogits, name);
      const student = tf.cast(studentLogits, 'float32');
      let target = targetDistribution(labels, student, name);
      if (labelSmoothing > 0)
        target = tf.add(tf.mul(target, 1 - labelSmoothing), labelSmoothing / numClasses);
      const hard = tf.neg(tf.sum(tf.mul(target, logProbabilities(student, true)), -1));
      const teacher = stopGradient(tf.cast(teacherLogits, 'float32'));
      const logTeacher = tf.logSoftmax(tf.div(teacher, temperature));
      const logStudent = tf.logSoftmax(tf.div(student, temperature));
      const soft = tf.sum(tf.mul(tf.exp(logTeacher), tf.sub(logTeacher, logStudent)), -1);
      const loss = tf.add(tf.mul(hard, alpha), tf.mul(soft, (1 - alpha) * temperature * temperature));
      return reduce(loss, reduction);
    }),
  );
}
