/**
 * Adadelta.
 *
 * Paper: Zeiler, "ADADELTA: An Adaptive Learning Rate Method" (arXiv:1212.5701).
 * Reference: `torch.optim.Adadelta` (PyTorch 1.13, `_single_tensor_adadelta`).
 */
import * as tf from '@tensorflow/tfjs-core';
import { type BaseOptimizerOptions, type VariableUpdate, ZooOptimizer } from './base.js';
import { checkNumber } from './validate.js';

/** Options of {@link Adadelta}. */
export interface AdadeltaOptions extends BaseOptimizerOptions {
  /** Decay of both running averages (default 0.9). */
  rho?: number;
  /** Added inside both square roots (default 1e-6). */
  epsilon?: number;
}

/** `torch.optim.Adadelta` (default learning rate 1.0, coupled L2 weight decay). */
export class Adadelta extends ZooOptimizer {
  /** Serialization name. */
  static get className(): string {
    return 'tfzoo.Adadelta';
  }
  /** Decay of the running averages. */
  readonly rho: number;
  /** Epsilon inside the square roots. */
  readonly epsilon: number;

  constructor(options: AdadeltaOptions = {}) {
    super(options, 1.0, 0, { slots: ['square_avg', 'acc_delta'] });
    this.rho = checkNumber('rho', options.rho, 0.9, { min: 0, max: 1 });
    this.epsilon = checkNumber('epsilon', options.epsilon, 1e-6, { min: 0 });
  }

  protected updateVariable(u: VariableUpdate): void {
    const { rho, epsilon } = this;
    let grad = u.gradient;
    if (u.weightDecay !== 0) grad = tf.add(grad, tf.mul(u.variable, u.weightDecay));
    const squareAvg = this.slot(u, 'square_avg');
    const accDelta = this.slot(u, 'acc_delta');
    squareAvg.assign(tf.add(tf.mul(squareAvg, rho), tf.mul(tf.square(grad), 1 - rho)));
    const std = tf.sqrt(tf.add(squareAvg, epsilon));
    const delta = tf.mul(tf.div(tf.sqrt(tf.add(accDelta, epsilon)), std), grad);
    accDelta.assign(tf.add(tf.mul(accDelta, rho), tf.mul(tf.square(delta), 1 - rho)));
    u.variable.assign(tf.sub(u.variable, tf.mul(delta, u.learningRate)));
  }

  protected extraConfig(): tf.serialization.ConfigDict {
    return { rho: this.rho, epsilon: this.epsilon };
  }
}
tf.serialization.registerClass(Adadelta);
