/**
 * Lion: evolved sign momentum.
 *
 * Paper: Chen et al., "Symbolic Discovery of Optimization Algorithms" (arXiv:2302.06675), Program 1.
 * Reference: lucidrains/lion-pytorch `lion_pytorch.py` (`update_fn`):
 * `θ ← θ(1 − lr·wd)`, `θ ← θ − lr · sign(β1·m + (1 − β1)·g)`, `m ← β2·m + (1 − β2)·g`.
 */
import * as tf from '@tensorflow/tfjs-core';
import { type BaseOptimizerOptions, type VariableUpdate, ZooOptimizer } from './base.js';
import { checkNumber } from './validate.js';

/** Options of {@link Lion}. */
export interface LionOptions extends BaseOptimizerOptions {
  /** Interpolation factor of the update direction β1 (default 0.9). */
  beta1?: number;
  /** Decay of the momentum β2 (default 0.99). */
  beta2?: number;
}

/** Lion (default learning rate 1e-4, decoupled weight decay, default 0). */
export class Lion extends ZooOptimizer {
  /** Serialization name. */
  static get className(): string {
    return 'tfzoo.Lion';
  }
  /** β1. */
  readonly beta1: number;
  /** β2. */
  readonly beta2: number;

  constructor(options: LionOptions = {}) {
    super(options, 1e-4, 0, { slots: ['exp_avg'] });
    this.beta1 = checkNumber('beta1', options.beta1, 0.9, { min: 0, max: 1 });
    this.beta2 = checkNumber('beta2', options.beta2, 0.99, { min: 0, max: 1 });
  }

  protected updateVariable(u: VariableUpdate): void {
    const lr = u.learningRate;
    const m = this.slot(u, 'exp_avg');
    let param: tf.Tensor = u.variable;
    if (u.weightDecay !== 0) param = tf.mul(param, 1 - lr * u.weightDecay);
    const direction = tf.sign(tf.add(tf.mul(m, this.beta1), tf.mul(u.gradient, 1 - this.beta1)));
    u.variable.assign(tf.sub(param, tf.mul(direction, lr)));
    m.assign(tf.add(tf.mul(m, this.beta2), tf.mul(u.gradient, 1 - this.beta2)));
  }

  protected extraConfig(): tf.serialization.ConfigDict {
    return { beta1: this.beta1, beta2: this.beta2 };
  }
}
tf.serialization.registerClass(Lion);
