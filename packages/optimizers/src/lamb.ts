/**
 * LAMB: layer-wise adaptive moments, Adam's direction rescaled per variable by the trust ratio
 * ‖θ‖ / ‖update‖.
 *
 * Paper: You et al., "Large Batch Optimization for Deep Learning: Training BERT in 76 minutes"
 * (arXiv:1904.00962). Reference: timm `timm/optim/lamb.py` (`Lamb`, `_single_tensor_lamb`, after
 * NVIDIA's FusedLAMB): gradients are first divided by `max(1, globalNorm / maxGradNorm)`, the first
 * moment uses `lerp`, weight decay is added to the update (or applied decoupled), and the trust
 * ratio is used only for variables with weight decay unless `alwaysAdapt`.
 */
import * as tf from '@tensorflow/tfjs-core';
import { type BaseOptimizerOptions, type VariableUpdate, ZooOptimizer } from './base.js';
import { checkBoolean, checkNumber } from './validate.js';

/** Options of {@link Lamb}. */
export interface LambOptions extends BaseOptimizerOptions {
  /** First-moment decay β1 (default 0.9). */
  beta1?: number;
  /** Second-moment decay β2 (default 0.999). */
  beta2?: number;
  /** Denominator epsilon (default 1e-6). */
  epsilon?: number;
  /** Apply Adam's bias correction (default true). */
  biasCorrection?: boolean;
  /** Average the gradient into the first moment with weight 1 − β1 (default true; else weight 1). */
  gradAveraging?: boolean;
  /** Divide all gradients by `max(1, globalNorm / maxGradNorm)`; null disables (default 1.0). */
  maxGradNorm?: number | null;
  /** Clip the trust ratio at 1 (LAMBC, default false). */
  trustClip?: boolean;
  /** Use the trust ratio for variables without weight decay too (default false). */
  alwaysAdapt?: boolean;
  /** Decay weights as `θ ← θ(1 − lr·wd)` instead of adding `wd·θ` to the update (default false). */
  decoupledWeightDecay?: boolean;
}

/** LAMB as timm implements it (default learning rate 1e-3, weight decay 0.01). */
export class Lamb extends ZooOptimizer {
  /** Serialization name. */
  static get className(): string {
    return 'tfzoo.Lamb';
  }
  /** β1. */
  readonly beta1: number;
  /** β2. */
  readonly beta2: number;
  /** Denominator epsilon. */
  readonly epsilon: number;
  /** Whether bias correction is applied. */
  readonly biasCorrection: boolean;
  /** Whether the gradient is averaged into the first moment. */
  readonly gradAveraging: boolean;
  /** Global gradient-norm threshold, or null. */
  readonly maxGradNorm: number | null;
  /** Whether the trust ratio is clipped at 1. */
  readonly trustClip: boolean;
  /** Whether variables without weight decay are adapted too. */
  readonly alwaysAdapt: boolean;
  /** Whether weight decay is decoupled. */
  readonly decoupledWeightDecay: boolean;

  constructor(options: LambOptions = {}) {
    super(options, 1e-3, 1e-2, { slots: ['exp_avg', 'exp_avg_sq'], scalars: ['step'] });
    this.beta1 = checkNumber('beta1', options.beta1, 0.9, { min: 0, max: 1, maxExclusive: true });
    this.beta2 = checkNumber('beta2', options.beta2, 0.999, { min: 0, max: 1, maxExclusive: true });
    this.epsilon = checkNumber('epsilon', options.epsilon, 1e-6, { min: 0 });
    this.biasCorrection = checkBoolean('biasCorrection', options.biasCorrection, true);
    this.gradAveraging = checkBoolean('gradAveraging', options.gradAveraging, true);
    this.maxGradNorm =
      options.maxGradNorm === null
        ? null
        : checkNumber('maxGradNorm', options.maxGradNorm, 1.0, { min: 0, minExclusive: true });
    this.trustClip = checkBoolean('trustClip', options.trustClip, false);
    this.alwaysAdapt = checkBoolean('alwaysAdapt', options.alwaysAdapt, false);
    this.decoupledWeightDecay = checkBoolean('decoupledWeightDecay', options.decoupledWeightDecay, false);
  }

  private clipDivisor: tf.Tensor | null = null;

  protected override applyUpdates(updates: VariableUpdate[]): void {
    this.clipDivisor = null;
    if (this.maxGradNorm !== null && updates.length > 0) {
      const norms = tf.stack(updates.map((u) => tf.sqrt(tf.sum(tf.square(u.gradient)))));
      const total = tf.sqrt(tf.sum(tf.square(norms)));
      this.clipDivisor = tf.maximum(tf.div(total, this.maxGradNorm), 1);
    }
    super.applyUpdates(updates);
    this.clipDivisor = null;
  }

  protected updateVariable(u: VariableUpdate): void {
    const step = this.getScalar(u.name, 'step', 0) + 1;
    this.setScalar(u.name, 'step', step);
    const { beta1, beta2 } = this;
    const beta3 = this.gradAveraging ? 1 - beta1 : 1;
    const biasCorrection1 = this.biasCorrection ? 1 - beta1 ** step : 1;
    const biasCorrection2 = this.biasCorrection ? 1 - beta2 ** step : 1;
    const grad = this.clipDivisor === null ? u.gradient : tf.div(u.gradient, this.clipDivisor);
    const m = this.slot(u, 'exp_avg');
    const v = this.slot(u, 'exp_avg_sq');
    if (this.gradAveraging) {
      // torch.lerp(m, g, w) for w < 0.5: m + w · (g − m)
      m.assign(
        beta3 < 0.5
          ? tf.add(m, tf.mul(tf.sub(grad, m), beta3))
          : tf.sub(grad, tf.mul(tf.sub(grad, m), 1 - beta3)),
      );
    } else {
      m.assign(tf.add(tf.mul(m, beta1), tf.mul(grad, beta3)));
    }
    v.assign(tf.add(tf.mul(v, beta2), tf.mul(tf.square(grad), 1 - beta2)));
    const denom = tf.add(tf.div(tf.sqrt(v), biasCorrection2 ** 0.5), this.epsilon);
    let update = tf.div(tf.div(m, biasCorrection1), denom);
    let param: tf.Tensor = u.variable;
    if (u.weightDecay !== 0) {
      if (this.decoupledWeightDecay) param = tf.add(param, tf.mul(param, -u.learningRate * u.weightDecay));
      else update = tf.add(update, tf.mul(param, u.weightDecay));
    }
    if (u.weightDecay !== 0 || this.alwaysAdapt) {
      const wNorm = tf.sqrt(tf.sum(tf.square(param)));
      const gNorm = tf.sqrt(tf.sum(tf.square(update)));
      const one = tf.onesLike(wNorm);
      let trust = tf.where(
        tf.greater(wNorm, 0),
        tf.where(tf.greater(gNorm, 0), tf.div(wNorm, gNorm), one),
        one,
      );
      if (this.trustClip) trust = tf.minimum(trust, 1);
      update = tf.mul(update, trust);
    }
    u.variable.assign(tf.add(param, tf.mul(update, -u.learningRate)));
  }

  protected extraConfig(): tf.serialization.ConfigDict {
    return {
      beta1: this.beta1,
      beta2: this.beta2,
      epsilon: this.epsilon,
      biasCorrection: this.biasCorrection,
      gradAveraging: this.gradAveraging,
      maxGradNorm: this.maxGradNorm,
      trustClip: this.trustClip,
      alwaysAdapt: this.alwaysAdapt,
      decoupledWeightDecay: this.decoupledWeightDecay,
    };
  }
}
tf.serialization.registerClass(Lamb);
