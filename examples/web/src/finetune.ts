/**
 * Fine-tuning a fresh head in the page: the pretrained body is frozen (its layers keep their
 * weights and batch-norm statistics), the classifier is new with one output per class the person
 * labelled (batch-norm layers stay in inference mode), and Adam trains it on their images with softmax cross-entropy, one step per batch,
 * reporting loss and accuracy after each step and stopping when asked.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

/** One step's numbers. */
export interface StepReport {
  step: number;
  loss: number;
  accuracy: number;
}

/** Options of {@link fineTuneHead}. */
export interface FineTuneOptions {
  /** Layer names of the classifier (trained); every other layer is frozen. */
  head: readonly string[];
  /** Steps to run at most. */
  steps: number;
  /** Adam's learning rate. */
  learningRate: number;
  /** Called after every step. */
  onStep: (report: StepReport) => void;
  /** Checked before every step; true stops the loop. */
  shouldStop: () => boolean;
}

/**
 * Trains the layers named in `options.head` of `model` (logits out) on `images` / `labels`
 * (full batch: a handful of images per class) and returns the steps run.
 */
export async function fineTuneHead(
  model: tfl.LayersModel,
  images: tf.Tensor4D,
  labels: number[],
  numClasses: number,
  options: FineTuneOptions,
): Promise<StepReport[]> {
  const head = new Set(options.head);
  for (const layer of model.layers) layer.trainable = head.has(layer.name);
  const variables = model.trainableWeights.map((weight) => weight.read() as tf.Variable);
  const optimizer = tf.train.adam(options.learningRate);
  const target = tf.oneHot(tf.tensor1d(labels, 'int32'), numClasses);
  const reports: StepReport[] = [];
  try {
    for (let step = 1; step <= options.steps && !options.shouldStop(); step++) {
      const value = optimizer.minimize(
        () =>
          tf.losses.softmaxCrossEntropy(
            target,
            model.apply(images, { training: false }) as tf.Tensor,
          ) as tf.Scalar,
        true,
        variables,
      )!;
      const correct = tf.tidy(() =>
        tf.sum(
          tf.cast(
            tf.equal(tf.argMax(model.predict(images) as tf.Tensor, -1), tf.argMax(target, -1)),
            'int32',
          ),
        ),
      );
      const [loss, hits] = await Promise.all([value.data(), correct.data()]);
      tf.dispose([value, correct]);
      const report = { step, loss: loss[0]!, accuracy: hits[0]! / labels.length };
      reports.push(report);
      options.onStep(report);
      await tf.nextFrame(); // let the page draw the chart and hear the stop button
    }
  } finally {
    optimizer.dispose();
    target.dispose();
  }
  return reports;
}
