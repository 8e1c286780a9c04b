/**
 * Adagrad with learning-rate decay and an initial accumulator value.
 *
 * Paper: Duchi, Hazan & Singer, "Adaptive Subgradient Methods for Online Learning and Stochastic
 * Optimization" (JMLR 2011). Reference: `torch.optim.Adagrad` (PyTorch 1.13, `_single_tensor_adagrad`).
 */
import * as tf from '@tensorflow/tfjs-core';
import { type BaseOptimizerOptions, type VariableUpdate, ZooOptimizer } from './base.js';
import { checkNumber } from './validate.js';

/** Options of {@link Adagrad}. */
export interface AdagradOptions extends BaseOptimizerOptions {
  /** Learning-rate decay: step t uses `lr / (1 + (t − 1) · lrDecay)` (default 0). */
  lrDecay?: number;
  /** Starting value of the sum of squared gradients (default 0). */
  initialAccumulatorValue?: number;
  /** Added to the root of the sum (default 1e-10). */
  epsilon?: number;
}

/** `torch.optim.Adagrad` (default learning rate 1e-2, coupled L2 weight decay). */
export class Adagrad extends ZooOptimizer {
  /** Serialization name. */
  static get className(): string {
    return 'tfzoo.Adagrad';
  }
  /** Learning-rate decay. */
  readonly lrDecay: number;
  /** Initial accumulator value. */
  readonly initialAccumulatorValue: number;
  /** Denominator epsilon. */
  readonly epsilon: number;

  constructor(options: AdagradOptions = {}) {
    super(options, 1e-2, 0, { slots: ['sum'], scalars: ['step'] });
    this.lrDecay = checkNumber('lrDecay', options.lrDecay, 0, { min: 0 });
    this.initialAccumulatorValue = checkNumber(
      'initialAccumulatorValue',
      options.initialAccumulatorValue,
      0,
      {
        min: 0,
      },
    );
    this.epsilon = checkNumber('epsilon', options.epsilon, 1e-10, { min: 0 });
  }

  protected updateVariable(u: VariableUpdate): void {
    const step = this.getScalar(u.name, 'step', 0) + 1;
    this.setScalar(u.name, 'step', step);
    let grad = u.gradient;
    if (u.weightDecay !== 0) grad = tf.add(grad, tf.mul(u.variable, u.weightDecay));
    const clr = u.learningRate / (1 + (step - 1) * this.lrDecay);
    const sum = this.slot(u, 'sum', () => tf.fill(u.variable.shape, this.initialAccumulatorValue));
    sum.assign(tf.add(sum, tf.square(grad)));
    const std = tf.add(tf.sqrt(sum), this.epsilon);
    u.variable.assign(tf.sub(u.variable, tf.div(tf.mul(grad, clr), std)));
  }

  protected extraConfig(): tf.serialization.ConfigDict {
    return {
      lrDecay: this.lrDecay,
      initialAccumulatorValue: this.initialAccumulatorValue,
      epsilon: this.epsilon,
    };
  }
}
tf.serialization.registerClass(Adagrad);
