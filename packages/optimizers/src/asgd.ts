/**
 * ASGD: averaged stochastic gradient descent, as PyTorch 1.13 implements it.
 *
 * Paper: Polyak & Juditsky, "Acceleration of Stochastic Approximation by Averaging" (SIAM J.
 * Control Optim. 1992). Reference: `torch.optim.ASGD` (PyTorch 1.13, `_single_tensor_asgd`):
 * `θ ← θ(1 − λη) − ηg`, `η_t = lr / (1 + λ·lr·t)^α`, averaging starts after `t0` steps
 * (`μ_t = 1 / max(1, t − t0)`); η and μ are float32 as in PyTorch.
 */
import * as tf from '@tensorflow/tfjs-core';
import { type BaseOptimizerOptions, type VariableUpdate, ZooOptimizer } from './base.js';
import { checkNumber } from './validate.js';

/** Options of {@link ASGD}. */
export interface ASGDOptions extends BaseOptimizerOptions {
  /** Decay term λ (default 1e-4). */
  lambd?: number;
  /** Power of the η update (default 0.75). */
  alpha?: number;
  /** Step at which averaging starts (default 1e6). */
  t0?: number;
}

/** `torch.optim.ASGD` (default learning rate 1e-2, coupled L2 weight decay). */
export class ASGD extends ZooOptimizer {
  /** Serialization name. */
  static get className(): string {
    return 'tfzoo.ASGD';
  }
  /** Decay term λ. */
  readonly lambd: number;
  /** Power α of the η schedule. */
  readonly alpha: number;
  /** Step at which averaging starts. */
  readonly t0: number;

  constructor(options: ASGDOptions = {}) {
    super(options, 1e-2, 0, { slots: ['ax'], scalars: ['step', 'eta', 'mu'] });
    this.lambd = checkNumber('lambd', options.lambd, 1e-4, { min: 0 });
    this.alpha = checkNumber('alpha', options.alpha, 0.75, { min: 0 });
    this.t0 = checkNumber('t0', options.t0, 1e6, { min: 0 });
  }

  /** The averaged value of variable `name` (PyTorch's `state['ax']`), or undefined before its first step. */
  averagedValue(name: string): tf.Tensor | undefined {
    return this.peekSlot(name, 'ax');
  }

  protected updateVariable(u: VariableUpdate): void {
    const step = this.getScalar(u.name, 'step', 0) + 1;
    this.setScalar(u.name, 'step', step);
    const lr = u.learningRate;
    const eta = this.getScalar(u.name, 'eta', Math.fround(lr));
    const mu = this.getScalar(u.name, 'mu', 1);
    let grad = u.gradient;
    if (u.weightDecay !== 0) grad = tf.add(grad, tf.mul(u.variable, u.weightDecay));
    const decayed = tf.mul(u.variable, 1 - this.lambd * eta);
    const param = tf.sub(decayed, tf.mul(grad, eta));
    u.variable.assign(param);
    const ax = this.slot(u, 'ax');
    if (mu !== 1) ax.assign(tf.add(ax, tf.mul(tf.sub(param, ax), mu)));
    else ax.assign(param);
    this.setScalar(u.name, 'eta', Math.fround(lr / (1 + this.lambd * lr * step) ** this.alpha));
    this.setScalar(u.name, 'mu', Math.fround(1 / Math.max(1, step - this.t0)));
  }

  protected extraConfig(): tf.serialization.ConfigDict {
    return { lambd: this.lambd, alpha: this.alpha, t0: this.t0 };
  }
}
tf.serialization.registerClass(ASGD);
