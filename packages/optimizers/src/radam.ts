/**
 * RAdam: Adam with a rectified adaptive learning rate (plain momentum SGD while the variance of
 * the adaptive rate is intractable, ρ_t ≤ 5).
 *
 * Paper: Liu et al., "On the Variance of the Adaptive Learning Rate and Beyond" (arXiv:1908.03265).
 * Reference: `torch.optim.RAdam` (PyTorch 1.13, `_single_tensor_radam`).
 */
import * as tf from '@tensorflow/tfjs-core';
import { type BaseOptimizerOptions, type VariableUpdate, ZooOptimizer } from './base.js';
import { checkNumber } from './validate.js';

/** Options of {@link RAdam}. */
export interface RAdamOptions extends BaseOptimizerOptions {
  /** First-moment decay β1 (default 0.9). */
  beta1?: number;
  /** Second-moment decay β2 (default 0.999). */
  beta2?: number;
  /** Denominator epsilon (default 1e-8). */
  epsilon?: number;
}

/** `torch.optim.RAdam` (coupled L2 weight decay). */
export class RAdam extends ZooOptimizer {
  /** Serialization name. */
  static get className(): string {
    return 'tfzoo.RAdam';
  }
  /** First-moment decay β1. */
  readonly beta1: number;
  /** Second-moment decay β2. */
  readonly beta2: number;
  /** Denominator epsilon. */
  readonly epsilon: number;

  constructor(options: RAdamOptions = {}) {
    super(options, 1e-3, 0, { slots: ['exp_avg', 'exp_avg_sq'], scalars: ['step'] });
    this.beta1 = checkNumber('beta1', options.beta1, 0.9, { min: 0, max: 1, maxExclusive: true });
    this.beta2 = checkNumber('beta2', options.beta2, 0.999, { min: 0, max: 1, maxExclusive: true });
    this.epsilon = checkNumber('epsilon', options.epsilon, 1e-8, { min: 0 });
  }

  protected updateVariable(u: VariableUpdate): void {
    const step = this.getScalar(u.name, 'step', 0) + 1;
    this.setScalar(u.name, 'step', step);
    const { beta1, beta2 } = this;
    const lr = u.learningRate;
    const biasCorrection1 = 1 - beta1 ** step;
    const biasCorrection2 = 1 - beta2 ** step;
    let grad = u.gradient;
    if (u.weightDecay !== 0) grad = tf.add(grad, tf.mul(u.variable, u.weightDecay));
    const m = this.slot(u, 'exp_avg');
    const v = this.slot(u, 'exp_avg_sq');
    m.assign(tf.add(tf.mul(m, beta1), tf.mul(grad, 1 - beta1)));
    v.assign(tf.add(tf.mul(v, beta2), tf.mul(tf.square(grad), 1 - beta2)));
    const corrected = tf.div(m, biasCorrection1);
    const rhoInf = 2 / (1 - beta2) - 1;
    const rhoT = rhoInf - (2 * step * beta2 ** step) / biasCorrection2;
    let update: tf.Tensor;
    if (rhoT > 5) {
      const rect = Math.sqrt(((rhoT - 4) * (rhoT - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rhoT));
      const adaptive = tf.div(Math.sqrt(biasCorrection2), tf.add(tf.sqrt(v), this.epsilon));
      update = tf.mul(tf.mul(tf.mul(corrected, lr), adaptive), rect);
    } else {
      update = tf.mul(corrected, lr);
    }
    u.variable.assign(tf.sub(u.variable, update));
  }

  protected extraConfig(): tf.serialization.ConfigDict {
    return { beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
  }
}
tf.serialization.registerClass(RAdam);
