/**
 * RMSprop, optionally centered and with momentum.
 *
 * Reference: Hinton, Neural Networks for Machine Learning, lecture 6e; Graves, "Generating
 * Sequences With Recurrent Neural Networks" (centered variant, arXiv:1308.0850);
 * `torch.optim.RMSprop` (PyTorch 1.13, `_single_tensor_rmsprop`). Note PyTorch adds ε outside the
 * square root, unlike tfjs' `RMSPropOptimizer`.
 */
import * as tf from '@tensorflow/tfjs-core';
import { type BaseOptimizerOptions, type VariableUpdate, ZooOptimizer } from './base.js';
import { checkBoolean, checkNumber } from './validate.js';

/** Options of {@link RMSprop}. */
export interface RMSpropOptions extends BaseOptimizerOptions {
  /** Smoothing constant of the squared-gradient average (default 0.99). */
  alpha?: number;
  /** Added to the root (default 1e-8). */
  epsilon?: number;
  /** Momentum factor (default 0). */
  momentum?: number;
  /** Normalize by the estimated variance instead of the raw second moment (default false). */
  centered?: boolean;
}

/** `torch.optim.RMSprop` (default learning rate 1e-2, coupled L2 weight decay). */
export class RMSprop extends ZooOptimizer {
  /** Serialization name. */
  static get className(): string {
    return 'tfzoo.RMSprop';
  }
  /** Smoothing constant. */
  readonly alpha: number;
  /** Denominator epsilon. */
  readonly epsilon: number;
  /** Momentum factor; settable (one-cycle schedules cycle it). */
  momentum: number;
  /** Whether the centered variant is used. */
  readonly centered: boolean;

  constructor(options: RMSpropOptions = {}) {
    super(options, 1e-2, 0, { slots: ['square_avg', 'momentum_buffer', 'grad_avg'] });
    this.alpha = checkNumber('alpha', options.alpha, 0.99, { min: 0, max: 1 });
    this.epsilon = checkNumber('epsilon', options.epsilon, 1e-8, { min: 0 });
    this.momentum = checkNumber('momentum', options.momentum, 0, { min: 0 });
    this.centered = checkBoolean('centered', options.centered, false);
  }

  protected updateVariable(u: VariableUpdate): void {
    const { alpha } = this;
    let grad = u.gradient;
    if (u.weightDecay !== 0) grad = tf.add(grad, tf.mul(u.variable, u.weightDecay));
    const squareAvg = this.slot(u, 'square_avg');
    squareAvg.assign(tf.add(tf.mul(squareAvg, alpha), tf.mul(tf.square(grad), 1 - alpha)));
    let avg: tf.Tensor;
    if (this.centered) {
      const gradAvg = this.slot(u, 'grad_avg');
      gradAvg.assign(tf.add(tf.mul(gradAvg, alpha), tf.mul(grad, 1 - alpha)));
      avg = tf.sqrt(tf.sub(squareAvg, tf.square(gradAvg)));
    } else {
      avg = tf.sqrt(squareAvg);
    }
    avg = tf.add(avg, this.epsilon);
    if (this.momentum > 0) {
      const buf = this.slot(u, 'momentum_buffer');
      buf.assign(tf.add(tf.mul(buf, this.momentum), tf.div(grad, avg)));
      u.variable.assign(tf.sub(u.variable, tf.mul(buf, u.learningRate)));
    } else {
      u.variable.assign(tf.sub(u.variable, tf.div(tf.mul(grad, u.learningRate), avg)));
    }
  }

  protected extraConfig(): tf.serialization.ConfigDict {
    return { alpha: this.alpha, epsilon: this.epsilon, momentum: this.momentum, centered: this.centered };
  }
}
tf.serialization.registerClass(RMSprop);
