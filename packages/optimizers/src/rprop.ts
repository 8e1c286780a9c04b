/**
 * Rprop: resilient backpropagation, sign-based steps with per-element adaptive step sizes.
 *
 * Paper: Riedmiller & Braun, "A Direct Adaptive Method for Faster Backpropagation Learning: The
 * RPROP Algorithm" (ICNN 1993). Reference: `torch.optim.Rprop` (PyTorch 1.13, `_single_tensor_rprop`):
 * step sizes start at the learning rate; after a sign change the step is skipped and the stored
 * gradient zeroed (iRprop−).
 */
import * as tf from '@tensorflow/tfjs-core';
import { invalidArgument } from '@tfzoo/core';
import { type BaseOptimizerOptions, type VariableUpdate, ZooOptimizer } from './base.js';
import { checkNumber } from './validate.js';

/** Options of {@link Rprop}. `weightDecay` is not supported (PyTorch's Rprop has none). */
export interface RpropOptions extends BaseOptimizerOptions {
  /** Step-size factor after a sign change, η− (default 0.5). */
  etaMinus?: number;
  /** Step-size factor when the sign holds, η+ (default 1.2). */
  etaPlus?: number;
  /** Smallest step size (default 1e-6). */
  stepSizeMin?: number;
  /** Largest step size (default 50). */
  stepSizeMax?: number;
}

/** `torch.optim.Rprop` (default learning rate 1e-2 = the initial step size). */
export class Rprop extends ZooOptimizer {
  /** Serialization name. */
  static get className(): string {
    return 'tfzoo.Rprop';
  }
  /** η−. */
  readonly etaMinus: number;
  /** η+. */
  readonly etaPlus: number;
  /** Smallest step size. */
  readonly stepSizeMin: number;
  /** Largest step size. */
  readonly stepSizeMax: number;

  constructor(options: RpropOptions = {}) {
    super(options, 1e-2, 0, { slots: ['prev', 'step_size'] });
    if (this.weightDecay !== 0 || this.paramGroups.some((g) => (g.weightDecay ?? 0) !== 0)) {
      throw invalidArgument(
        'weightDecay',
        options.weightDecay,
        '0 (Rprop has no weight decay, as in PyTorch)',
      );
    }
    this.etaMinus = checkNumber('etaMinus', options.etaMinus, 0.5, {
      min: 0,
      max: 1,
      minExclusive: true,
      maxExclusive: true,
    });
    this.etaPlus = checkNumber('etaPlus', options.etaPlus, 1.2, { min: 1, minExclusive: true });
    this.stepSizeMin = checkNumber('stepSizeMin', options.stepSizeMin, 1e-6, { min: 0 });
    this.stepSizeMax = checkNumber('stepSizeMax', options.stepSizeMax, 50, { min: this.stepSizeMin });
  }

  protected updateVariable(u: VariableUpdate): void {
    const prev = this.slot(u, 'prev');
    const stepSize = this.slot(u, 'step_size', () => tf.fill(u.variable.shape, u.learningRate));
    const sign = tf.sign(tf.mul(u.gradient, prev));
    const positive = tf.greater(sign, 0);
    const negative = tf.less(sign, 0);
    const factor = tf.where(
      positive,
      tf.scalar(this.etaPlus),
      tf.where(negative, tf.scalar(this.etaMinus), tf.scalar(1)),
    );
    stepSize.assign(tf.clipByValue(tf.mul(stepSize, factor), this.stepSizeMin, this.stepSizeMax));
    const grad = tf.where(negative, tf.zerosLike(u.gradient), u.gradient);
    u.variable.assign(tf.sub(u.variable, tf.mul(tf.sign(grad), stepSize)));
    prev.assign(grad);
  }

  protected extraConfig(): tf.serialization.ConfigDict {
    return {
      etaMinus: this.etaMinus,
      etaPlus: this.etaPlus,
      stepSizeMin: this.stepSizeMin,
      stepSizeMax: this.stepSizeMax,
    };
  }
}
tf.serialization.registerClass(Rprop);
