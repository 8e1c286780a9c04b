/**
 * Reduce the learning rate when a metric stops improving.
 *
 * Reference: `torch.optim.lr_scheduler.ReduceLROnPlateau` (PyTorch 1.13): same modes, relative and
 * absolute thresholds, patience, cooldown, minimum rate, and the `eps` below which a reduction is
 * skipped.
 */
import { invalidArgument } from '@tfzoo/core';
import { checkChoice, checkNumber } from './validate.js';

/** Options of {@link ReduceLROnPlateau}. */
export interface ReduceLROnPlateauOptions {
  /** Starting learning rate. */
  learningRate: number;
  /** `'min'` when lower is better (a loss, default) or `'max'` (an accuracy). */
  mode?: 'min' | 'max';
  /** Factor applied on a reduction (default 0.1; must be < 1). */
  factor?: number;
  /** Epochs without improvement tolerated before reducing (default 10). */
  patience?: number;
  /** Improvement threshold (default 1e-4). */
  threshold?: number;
  /** `'rel'`: better than best·(1 ∓ threshold) (default); `'abs'`: best ∓ threshold. */
  thresholdMode?: 'rel' | 'abs';
  /** Epochs to wait after a reduction before counting again (default 0). */
  cooldown?: number;
  /** Lower bound of the rate (default 0). */
  minLr?: number;
  /** Reductions smaller than this are skipped (default 1e-8). */
  eps?: number;
}

/** Stateful plateau detector: call {@link ReduceLROnPlateau.step} with each epoch's metric. */
export class ReduceLROnPlateau {
  /** The current learning rate. */
  learningRate: number;
  /** Optimization direction of the metric. */
  readonly mode: 'min' | 'max';
  /** Reduction factor. */
  readonly factor: number;
  /** Patience in epochs. */
  readonly patience: number;
  /** Improvement threshold. */
  readonly threshold: number;
  /** Threshold mode. */
  readonly thresholdMode: 'rel' | 'abs';
  /** Cooldown in epochs. */
  readonly cooldown: number;
  /** Lowest rate. */
  readonly minLr: number;
  /** Smallest reduction applied. */
  readonly eps: number;
  /** Best metric seen so far. */
  best: number;
  /** Epochs since the last improvement. */
  numBadEpochs = 0;
  /** Epochs of cooldown left. */
  cooldownCounter = 0;
  /** Number of `step` calls. */
  lastEpoch = 0;

  constructor(options: ReduceLROnPlateauOptions) {
    this.learningRate = checkNumber('learningRate', options.learningRate, Number.NaN, { min: 0 });
    this.mode = checkChoice('mode', options.mode, 'min', ['min', 'max'] as const);
    this.factor = checkNumber('factor', options.factor, 0.1, { min: 0, max: 1, maxExclusive: true });
    this.patience = checkNumber('patience', options.patience, 10, { min: 0, integer: true });
    this.threshold = checkNumber('threshold', options.threshold, 1e-4, { min: 0 });
    this.thresholdMode = checkChoice('thresholdMode', options.thresholdMode, 'rel', ['rel', 'abs'] as const);
    this.cooldown = checkNumber('cooldown', options.cooldown, 0, { min: 0, integer: true });
    this.minLr = checkNumber('minLr', options.minLr, 0, { min: 0 });
    this.eps = checkNumber('eps', options.eps, 1e-8, { min: 0 });
    this.best = this.mode === 'min' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  }

  private isBetter(a: number, best: number): boolean {
    if (this.mode === 'min') {
      return this.thresholdMode === 'rel' ? a < best * (1 - this.threshold) : a < best - this.threshold;
    }
    return this.thresholdMode === 'rel' ? a > best * (this.threshold + 1) : a > best + this.threshold;
  }

  /** Records one epoch's metric and returns the (possibly reduced) learning rate. */
  step(metric: number): number {
    if (typeof metric !== 'number') throw invalidArgument('metric', metric, 'a number');
    const current = metric;
    this.lastEpoch += 1;
    if (this.isBetter(current, this.best)) {
      this.best = current;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs += 1;
    }
    if (this.cooldownCounter > 0) {
      this.cooldownCounter -= 1;
      this.numBadEpochs = 0;
    }
    if (this.numBadEpochs > this.patience) {
      const newLr = Math.max(this.learningRate * this.factor, this.minLr);
      if (this.learningRate - newLr > this.eps) this.learningRate = newLr;
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    return this.learningRate;
  }
}
