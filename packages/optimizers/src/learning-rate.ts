/**
 * Reading and setting the learning rate of any tfjs optimizer: ours (a `learningRate` accessor)
 * and tfjs-core's own (`SGDOptimizer.setLearningRate`, or the plain `learningRate` field of Adam,
 * Adagrad, Adadelta, Adamax, RMSProp and Momentum).
 */
import type * as tf from '@tensorflow/tfjs-core';
import { ZooError } from '@tfzoo/core';

interface WithLearningRate {
  learningRate?: unknown;
  setLearningRate?: (lr: number) => void;
}

/** The current learning rate of `optimizer`; throws if it has none. */
export function getLearningRate(optimizer: tf.Optimizer): number {
  const lr = (optimizer as unknown as WithLearningRate).learningRate;
  if (typeof lr !== 'number') {
    throw new ZooError(
      'UNSUPPORTED',
      `optimizer ${optimizer?.getClassName?.() ?? String(optimizer)} has no numeric learningRate; expected a tfjs or tfzoo optimizer`,
      {
        received: lr,
        expected: 'an optimizer with a numeric learningRate',
      },
    );
  }
  return lr;
}

/** Sets the learning rate of `optimizer`, effective from its next step. */
export function setLearningRate(optimizer: tf.Optimizer, learningRate: number): void {
  const target = optimizer as unknown as WithLearningRate;
  getLearningRate(optimizer);
  if (typeof target.setLearningRate === 'function') target.setLearningRate(learningRate);
  else target.learningRate = learningRate;
}
