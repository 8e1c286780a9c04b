/**
 * Adam and AdamW, with AMSGrad.
 *
 * Papers: Kingma & Ba, "Adam: A Method for Stochastic Optimization" (arXiv:1412.6980);
 * Loshchilov & Hutter, "Decoupled Weight Decay Regularization" (arXiv:1711.05101);
 * Reddi et al., "On the Convergence of Adam and Beyond" (AMSGrad, ICLR 2018).
 * Reference: `torch.optim.Adam` / `torch.optim.AdamW` (PyTorch 1.13, `_single_tensor_adam(w)`).
 */
import * as tf from '@tensorflow/tfjs-core';
import { type BaseOptimizerOptions, type VariableUpdate, ZooOptimizer } from './base.js';
import { checkBoolean, checkNumber } from './validate.js';

/** Options of {@link Adam} and {@link AdamW}. */
export interface AdamOptions extends BaseOptimizerOptions {
  /** Decay of the first-moment average (default 0.9); settable for one-cycle momentum. */
  beta1?: number;
  /** Decay of the second-moment average (default 0.999). */
  beta2?: number;
  /** Added to the denominator (default 1e-8). */
  epsilon?: number;
  /** Use the running maximum of the second moment (AMSGrad). */
  amsgrad?: boolean;
}

/** Shared implementation of Adam (coupled L2 decay) and AdamW (decoupled decay). */
abstract class AdamFamily extends ZooOptimizer {
  /** Decay of the first-moment average. */
  beta1: number;
  /** Decay of the second-moment average. */
  readonly beta2: number;
  /** Denominator epsilon. */
  readonly epsilon: number;
  /** Whether AMSGrad is used. */
  readonly amsgrad: boolean;
  private readonly decoupled: boolean;

  protected constructor(options: AdamOptions, defaultWeightDecay: number, decoupled: boolean) {
    super(options, 1e-3, defaultWeightDecay, {
      slots: ['exp_avg', 'exp_avg_sq', 'max_exp_avg_sq'],
      scalars: ['step'],
    });
    this.beta1 = checkNumber('beta1', options.beta1, 0.9, { min: 0, max: 1, maxExclusive: true });
    this.beta2 = checkNumber('beta2', options.beta2, 0.999, { min: 0, max: 1, maxExclusive: true });
    this.epsilon = checkNumber('epsilon', options.epsilon, 1e-8, { min: 0 });
    this.amsgrad = checkBoolean('amsgrad', options.amsgrad, false);
    this.decoupled = decoupled;
  }

  protected updateVariable(u: VariableUpdate): void {
    const step = this.getScalar(u.name, 'step', 0) + 1;
    this.setScalar(u.name, 'step', step);
    const { beta1, beta2 } = this;
    let param: tf.Tensor = u.variable;
    let grad = u.gradient;
    if (u.weightDecay !== 0) {
      if (this.decoupled) param = tf.mul(param, 1 - u.learningRate * u.weightDecay);
      else grad = tf.add(grad, tf.mul(param, u.weightDecay));
    }
    const m = this.slot(u, 'exp_avg');
    const v = this.slot(u, 'exp_avg_sq');
    m.assign(tf.add(tf.mul(m, beta1), tf.mul(grad, 1 - beta1)));
    v.assign(tf.add(tf.mul(v, beta2), tf.mul(tf.square(grad), 1 - beta2)));
    const biasCorrection1 = 1 - beta1 ** step;
    const biasCorrection2Sqrt = Math.sqrt(1 - beta2 ** step);
    const stepSize = u.learningRate / biasCorrection1;
    let second: tf.Tensor = v;
    if (this.amsgrad) {
      const vmax = this.slot(u, 'max_exp_avg_sq');
      vmax.assign(tf.maximum(vmax, v));
      second = vmax;
    }
    const denom = tf.add(tf.div(tf.sqrt(second), biasCorrection2Sqrt), this.epsilon);
    u.variable.assign(tf.sub(param, tf.div(tf.mul(m, stepSize), denom)));
  }

  protected extraConfig(): tf.serialization.ConfigDict {
    return { beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon, amsgrad: this.amsgrad };
  }
}

/** `torch.optim.Adam`: weight decay is added to the gradient (L2 regularization). */
export class Adam extends AdamFamily {
  /** Serialization name. */
  static get className(): string {
    return 'tfzoo.Adam';
  }
  constructor(options: AdamOptions = {}) {
    super(options, 0, false);
  }
}
tf.serialization.registerClass(Adam);

/** `torch.optim.AdamW`: decoupled weight decay `θ ← θ·(1 − lr·wd)` before the Adam step (default wd 0.01). */
export class AdamW extends AdamFamily {
  /** Serialization name. */
  static get className(): string {
    return 'tfzoo.AdamW';
  }
  constructor(options: AdamOptions = {}) {
    super(options, 1e-2, true);
  }
}
tf.serialization.registerClass(AdamW);
