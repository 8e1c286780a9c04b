/**
 * NAdam: Adam with Nesterov momentum and the momentum-decay schedule
 * `μ_t = β1 · (1 − 0.5 · 0.96^(t · ψ))`.
 *
 * Paper: Dozat, "Incorporating Nesterov Momentum into Adam" (ICLR 2016 workshop).
 * Reference: `torch.optim.NAdam` (PyTorch ≥ 2.0, `_single_tensor_nadam`). PyTorch 1.13 multiplied
 * the product of momenta by `μ_t` twice when forming `μ_product_next`; `legacyMuProduct: true`
 * reproduces that release exactly.
 */
import * as tf from '@tensorflow/tfjs-core';
import { type BaseOptimizerOptions, type VariableUpdate, ZooOptimizer } from './base.js';
import { checkBoolean, checkNumber } from './validate.js';

/** Options of {@link NAdam}. */
export interface NAdamOptions extends BaseOptimizerOptions {
  /** First-moment decay β1 (default 0.9). */
  beta1?: number;
  /** Second-moment decay β2 (default 0.999). */
  beta2?: number;
  /** Denominator epsilon (default 1e-8). */
  epsilon?: number;
  /** Momentum decay ψ (default 4e-3). */
  momentumDecay?: number;
  /** Reproduce PyTorch 1.13's `μ_product_next = μ_product · μ_t · μ_{t+1}` (default false). */
  legacyMuProduct?: boolean;
}

/** `torch.optim.NAdam` (default learning rate 2e-3, coupled L2 weight decay). */
export class NAdam extends ZooOptimizer {
  /** Serialization name. */
  static get className(): string {
    return 'tfzoo.NAdam';
  }
  /** First-moment decay β1. */
  readonly beta1: number;
  /** Second-moment decay β2. */
  readonly beta2: number;
  /** Denominator epsilon. */
  readonly epsilon: number;
  /** Momentum decay ψ. */
  readonly momentumDecay: number;
  /** Whether PyTorch 1.13's momentum product is reproduced. */
  readonly legacyMuProduct: boolean;

  constructor(options: NAdamOptions = {}) {
    super(options, 2e-3, 0, { slots: ['exp_avg', 'exp_avg_sq'], scalars: ['step', 'mu_product'] });
    this.beta1 = checkNumber('beta1', options.beta1, 0.9, { min: 0, max: 1, maxExclusive: true });
    this.beta2 = checkNumber('beta2', options.beta2, 0.999, { min: 0, max: 1, maxExclusive: true });
    this.epsilon = checkNumber('epsilon', options.epsilon, 1e-8, { min: 0 });
    this.momentumDecay = checkNumber('momentumDecay', options.momentumDecay, 4e-3, { min: 0 });
    this.legacyMuProduct = checkBoolean('legacyMuProduct', options.legacyMuProduct, false);
  }

  protected updateVariable(u: VariableUpdate): void {
    const step = this.getScalar(u.name, 'step', 0) + 1;
    this.setScalar(u.name, 'step', step);
    const { beta1, beta2, momentumDecay } = this;
    const lr = u.learningRate;
    const biasCorrection2 = 1 - beta2 ** step;
    let grad = u.gradient;
    if (u.weightDecay !== 0) grad = tf.add(grad, tf.mul(u.variable, u.weightDecay));
    const mu = beta1 * (1 - 0.5 * 0.96 ** (step * momentumDecay));
    const muNext = beta1 * (1 - 0.5 * 0.96 ** ((step + 1) * momentumDecay));
    // PyTorch keeps the product in a float32 tensor.
    const muProduct = Math.fround(this.getScalar(u.name, 'mu_product', 1) * Math.fround(mu));
    this.setScalar(u.name, 'mu_product', muProduct);
    const muProductNext = this.legacyMuProduct
      ? Math.fround(Math.fround(muProduct * Math.fround(mu)) * Math.fround(muNext))
      : muProduct * muNext;
    const m = this.slot(u, 'exp_avg');
    const v = this.slot(u, 'exp_avg_sq');
    m.assign(tf.add(tf.mul(m, beta1), tf.mul(grad, 1 - beta1)));
    v.assign(tf.add(tf.mul(v, beta2), tf.mul(tf.square(grad), 1 - beta2)));
    const denom = tf.add(tf.sqrt(tf.div(v, biasCorrection2)), this.epsilon);
    const gradCoef = (-lr * (1 - mu)) / (1 - muProduct);
    const avgCoef = (-lr * muNext) / (1 - muProductNext);
    const p1 = tf.add(u.variable, tf.div(tf.mul(grad, gradCoef), denom));
    u.variable.assign(tf.add(p1, tf.div(tf.mul(m, avgCoef), denom)));
  }

  protected extraConfig(): tf.serialization.ConfigDict {
    return {
      beta1: this.beta1,
      beta2: this.beta2,
      epsilon: this.epsilon,
      momentumDecay: this.momentumDecay,
      legacyMuProduct: this.legacyMuProduct,
    };
  }
}
tf.serialization.registerClass(NAdam);
