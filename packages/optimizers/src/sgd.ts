/**
 * Stochastic gradient descent with momentum, dampening, Nesterov momentum and coupled weight decay.
 *
 * Reference: `torch.optim.SGD` (PyTorch 1.13, `_single_tensor_sgd`); Nesterov momentum as in
 * Sutskever et al., "On the importance of initialization and momentum in deep learning" (ICML 2013).
 */
import * as tf from '@tensorflow/tfjs-core';
import { invalidArgument } from '@tfzoo/core';
import { type BaseOptimizerOptions, type VariableUpdate, ZooOptimizer } from './base.js';
import { checkBoolean, checkNumber } from './validate.js';

/** Options of {@link SGD}. */
export interface SGDOptions extends BaseOptimizerOptions {
  /** Momentum factor (default 0: plain SGD). */
  momentum?: number;
  /** Dampening of the momentum's gradient term (default 0). */
  dampening?: number;
  /** Use Nesterov momentum (needs momentum > 0 and dampening 0). */
  nesterov?: boolean;
}

/** `torch.optim.SGD`: weight decay is added to the gradient (L2), then momentum is applied. */
export class SGD extends ZooOptimizer {
  /** Serialization name. */
  static get className(): string {
    return 'tfzoo.SGD';
  }
  /** Momentum factor; settable (one-cycle schedules cycle it). */
  momentum: number;
  /** Dampening of the momentum's gradient term. */
  readonly dampening: number;
  /** Whether Nesterov momentum is used. */
  readonly nesterov: boolean;

  constructor(options: SGDOptions = {}) {
    super(options, 0.01, 0, { slots: ['momentum_buffer'] });
    this.momentum = checkNumber('momentum', options.momentum, 0, { min: 0 });
    this.dampening = checkNumber('dampening', options.dampening, 0);
    this.nesterov = checkBoolean('nesterov', options.nesterov, false);
    if (this.nesterov && (this.momentum <= 0 || this.dampening !== 0)) {
      throw invalidArgument(
        'nesterov',
        { nesterov: true, momentum: this.momentum, dampening: this.dampening },
        'used with momentum > 0 and dampening = 0',
      );
    }
  }

  protected updateVariable(u: VariableUpdate): void {
    let d = u.gradient;
    if (u.weightDecay !== 0) d = tf.add(d, tf.mul(u.variable, u.weightDecay));
    if (this.momentum !== 0) {
      let buf: tf.Variable;
      if (!this.hasSlot(u.name, 'momentum_buffer')) {
        const first = d;
        buf = this.slot(u, 'momentum_buffer', () => tf.clone(first));
      } else {
        buf = this.slot(u, 'momentum_buffer');
        buf.assign(tf.add(tf.mul(buf, this.momentum), tf.mul(d, 1 - this.dampening)));
      }
      d = this.nesterov ? tf.add(d, tf.mul(buf, this.momentum)) : buf;
    }
    u.variable.assign(tf.sub(u.variable, tf.mul(d, u.learningRate)));
  }

  protected extraConfig(): tf.serialization.ConfigDict {
    return { momentum: this.momentum, dampening: this.dampening, nesterov: this.nesterov };
  }
}
tf.serialization.registerClass(SGD);
