/**
 * Adamax: Adam with the infinity norm in place of the second moment.
 *
 * Paper: Kingma & Ba, "Adam: A Method for Stochastic Optimization", section 7.1 (arXiv:1412.6980).
 * Reference: `torch.optim.Adamax` (PyTorch 1.13, `_single_tensor_adamax`).
 */
import * as tf from '@tensorflow/tfjs-core';
import { type BaseOptimizerOptions, type VariableUpdate, ZooOptimizer } from './base.js';
import { checkNumber } from './validate.js';

/** Options of {@link Adamax}. */
export interface AdamaxOptions extends BaseOptimizerOptions {
  /** First-moment decay β1 (default 0.9). */
  beta1?: number;
  /** Decay of the infinity norm β2 (default 0.999). */
  beta2?: number;
  /** Added to |g| before the maximum (default 1e-8). */
  epsilon?: number;
}

/** `torch.optim.Adamax` (default learning rate 2e-3, coupled L2 weight decay). */
export class Adamax extends ZooOptimizer {
  /** Serialization name. */
  static get className(): string {
    return 'tfzoo.Adamax';
  }
  /** First-moment decay β1. */
  readonly beta1: number;
  /** Infinity-norm decay β2. */
  readonly beta2: number;
  /** Epsilon added to |g|. */
  readonly epsilon: number;

  constructor(options: AdamaxOptions = {}) {
    super(options, 2e-3, 0, { slots: ['exp_avg', 'exp_inf'], scalars: ['step'] });
    this.beta1 = checkNumber('beta1', options.beta1, 0.9, { min: 0, max: 1, maxExclusive: true });
    this.beta2 = checkNumber('beta2', options.beta2, 0.999, { min: 0, max: 1, maxExclusive: true });
    this.epsilon = checkNumber('epsilon', options.epsilon, 1e-8, { min: 0 });
  }

  protected updateVariable(u: VariableUpdate): void {
    const step = this.getScalar(u.name, 'step', 0) + 1;
    this.setScalar(u.name, 'step', step);
    let grad = u.gradient;
    if (u.weightDecay !== 0) grad = tf.add(grad, tf.mul(u.variable, u.weightDecay));
    const m = this.slot(u, 'exp_avg');
    const inf = this.slot(u, 'exp_inf');
    m.assign(tf.add(tf.mul(m, this.beta1), tf.mul(grad, 1 - this.beta1)));
    inf.assign(tf.maximum(tf.mul(inf, this.beta2), tf.add(tf.abs(grad), this.epsilon)));
    const clr = u.learningRate / (1 - this.beta1 ** step);
    u.variable.assign(tf.sub(u.variable, tf.div(tf.mul(m, clr), inf)));
  }

  protected extraConfig(): tf.serialization.ConfigDict {
    return { beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
  }
}
tf.serialization.registerClass(Adamax);
