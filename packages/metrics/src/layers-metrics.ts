/**
 * Metric functions for `model.compile({ metrics })` (tfjs-layers' `LossOrMetricFn`): each returns one
 * value per sample, and tfjs-layers averages them over the batch and, in `evaluate`, over batches
 * weighted by batch size, so the reported value is the exact metric over the data set. Metrics that
 * are not means of per-sample values (precision, recall, F1, AUC, …) cannot be written this way; use
 * the streaming accumulators for them.
 */
import * as tf from '@tensorflow/tfjs-core';
import { invalidArgument } from '@tfzoo/core';
import { checkK } from './classification.js';
import { FLOAT32_EPSILON } from './probabilistic.js';

/** A tfjs-layers metric function: `(yTrue, yPred) => per-sample values`. */
export type LayersMetricFn = (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor;

function named(name: string, fn: LayersMetricFn): LayersMetricFn {
  Object.defineProperty(fn, 'name', { value: name });
  return fn;
}

/** Class indices `[batch]` from sparse labels (`[batch]`, `[batch, 1]`) or one-hot rows like yPred. */
function labelIndices(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor {
  const numClasses = yPred.shape[yPred.rank - 1];
  if (yTrue.rank === yPred.rank && yTrue.shape[yTrue.rank - 1] === numClasses && numClasses > 1) {
    return tf.argMax(yTrue, -1);
  }
  const expected = yPred.shape.slice(0, -1);
  const labels = yTrue.rank === yPred.rank ? tf.reshape(yTrue, expected) : yTrue;
  if (!tf.util.arraysEqual(labels.shape, expected)) {
    throw invalidArgument(
      'yTrue',
      yTrue.shape,
      `labels of shape [${expected.join(', ')}] or one-hot rows like yPred`,
    );
  }
  return tf.cast(tf.round(labels), 'int32');
}

/** Options of {@link accuracyMetric}. */
export interface AccuracyMetricOptions {
  /** Threshold for one-column (sigmoid or logit) outputs: predicted 1 where yPred > threshold (default 0.5). */
  threshold?: number;
}

/**
 * Accuracy for `compile`: with `[batch, k]` outputs (k ≥ 2) the argmax is compared with sparse or
 * one-hot targets; with `[batch, 1]` outputs the prediction is yPred > threshold against 0/1 targets.
 */
export function accuracyMetric(options: AccuracyMetricOptions = {}): LayersMetricFn {
  const threshold = options.threshold ?? 0.5;
  if (typeof threshold !== 'number' || !Number.isFinite(threshold)) {
    throw invalidArgument('options.threshold', threshold, 'a finite number');
  }
  return named('accuracy', (yTrue, yPred) =>
    tf.tidy(() => {
      const numClasses = yPred.shape[yPred.rank - 1];
      if (numClasses === 1 || yPred.rank === 1) {
        const predicted = tf.cast(tf.greater(yPred, threshold), 'float32');
        const truth = tf.reshape(tf.cast(yTrue, 'float32'), predicted.shape);
        return tf.reshape(tf.cast(tf.equal(truth, predicted), 'float32'), [yPred.shape[0]]);
      }
      const predicted = tf.cast(tf.argMax(yPred, -1), 'int32');
      return tf.cast(tf.equal(labelIndices(yTrue, yPred), predicted), 'float32');
    }),
  );
}

/**
 * Top-k accuracy for `compile`: 1 where the true class is among the k highest outputs, with
 * scikit-learn's tie rule (among equal scores the larger class index ranks first).
 */
export function topKAccuracyMetric(k = 5): LayersMetricFn {
  const top = checkK(k);
  return named(`top${top}Accuracy`, (yTrue, yPred) =>
    tf.tidy(() => {
      const numClasses = yPred.shape[yPred.rank - 1];
      const labels = labelIndices(yTrue, yPred);
      const oneHot = tf.oneHot(labels, numClasses);
      const target = tf.sum(tf.mul(oneHot, yPred), -1, true);
      const classIndex = tf.range(0, numClasses, 1, 'int32');
      const after = tf.greater(classIndex, tf.expandDims(labels, -1));
      const ahead = tf.logicalOr(tf.greater(yPred, target), tf.logicalAnd(tf.equal(yPred, target), after));
      const rank = tf.sum(tf.cast(ahead, 'float32'), -1);
      return tf.cast(tf.less(rank, top), 'float32');
    }),
  );
}

/**
 * Per-sample log loss for `compile` on probability outputs, with scikit-learn's `log_loss` rule:
 * clip to [ε, 1 − ε] (ε = float32 machine epsilon), renormalize, −log p_y. `[batch, 1]` outputs are
 * the probability of class 1.
 */
export function logLossMetric(): LayersMetricFn {
  return named('logLoss', (yTrue, yPred) =>
    tf.tidy(() => {
      const eps = FLOAT32_EPSILON;
      const numClasses = yPred.shape[yPred.rank - 1];
      let probabilities = tf.clipByValue(tf.cast(yPred, 'float32'), eps, 1 - eps);
      if (numClasses === 1) probabilities = tf.concat([tf.sub(1, probabilities), probabilities], -1);
      const oneHot = tf.oneHot(
        labelIndices(yTrue, numClasses === 1 ? probabilities : yPred),
        probabilities.shape[probabilities.rank - 1],
      );
      const normalized = tf.div(probabilities, tf.sum(probabilities, -1, true));
      return tf.neg(tf.log(tf.sum(tf.mul(oneHot, normalized), -1)));
    }),
  );
}
