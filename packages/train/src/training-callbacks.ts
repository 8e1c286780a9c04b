/**
 * Training callbacks that need nothing but TF.js — early stopping, an exponential moving average
 * of the weights, unfreezing at an epoch — so they work in browsers as in Node (`callbacks.ts`
 * holds the ones that write to streams and files).
 */
import type * as tf from '@tensorflow/tfjs-core';
import { invalidArgument } from '@tfzoo/core';
import { type EmaOptions, ExponentialMovingAverage } from '@tfzoo/optimizers';
import { type FreezeTarget, unfreeze } from './freeze.js';
import type { EpochLogs, TrainCallback, TrainContext } from './train.js';

/** Options of {@link EarlyStopping}. */
export interface EarlyStoppingOptions {
  /** Epoch log value to watch (default `val_loss`). */
  monitor?: string;
  /** Epochs without improvement before stopping (default 5). */
  patience?: number;
  /** Smallest change that counts as improvement (default 0). */
  minDelta?: number;
  /** `min` or `max` (default: `min` when the monitor contains `loss`, else `max`). */
  mode?: 'min' | 'max';
}

/** Stops training when the monitored value has not improved for `patience` epochs (Keras). */
export class EarlyStopping implements TrainCallback {
  /** The watched value. */
  readonly monitor: string;
  /** Epochs to wait. */
  readonly patience: number;
  /** Best value seen. */
  best: number | undefined;
  /** Epochs since the best. */
  wait = 0;
  private readonly minDelta: number;
  private readonly mode: 'min' | 'max';

  /** Checks the options. */
  constructor(options: EarlyStoppingOptions = {}) {
    this.monitor = options.monitor ?? 'val_loss';
    this.patience = options.patience ?? 5;
    if (!Number.isInteger(this.patience) || this.patience < 0) {
      throw invalidArgument('patience', options.patience, 'a non-negative integer');
    }
    this.minDelta = Math.abs(options.minDelta ?? 0);
    this.mode = options.mode ?? (this.monitor.includes('loss') ? 'min' : 'max');
  }

  /** Updates the best value and stops when patience ran out. */
  onEpochEnd(_epoch: number, logs: EpochLogs, context: TrainContext): void {
    const value = logs[this.monitor];
    if (typeof value !== 'number') {
      throw invalidArgument(
        `EarlyStopping monitor "${this.monitor}"`,
        Object.keys(logs),
        'a key of the epoch logs',
      );
    }
    const better =
      this.best === undefined ||
      (this.mode === 'min' ? value < this.best - this.minDelta : value > this.best + this.minDelta);
    if (better) {
      this.best = value;
      this.wait = 0;
    } else if (++this.wait > this.patience - 1) {
      context.stopTraining = true;
    }
  }
}

/**
 * Keeps an exponential moving average of the weights during training and evaluates validation
 * with it when `swapForValidation` is set (use `ema.apply()` / `restore()` yourself otherwise).
 */
export class EmaCallback implements TrainCallback {
  /** The average, created when training begins. */
  ema: ExponentialMovingAverage | undefined;
  private readonly options: EmaOptions;

  /** Stores the options. */
  constructor(options: EmaOptions = {}) {
    this.options = options;
  }

  /** Creates the average over the model's weights. */
  onTrainBegin(context: TrainContext): void {
    this.ema ??= new ExponentialMovingAverage(context.model, this.options);
  }

  /** Updates the average after every step. */
  onBatchEnd(): void {
    this.ema?.update();
  }
}

/** Options of {@link UnfreezeAfter}. */
export interface UnfreezeAfterOptions {
  /** Unfreeze at the start of this epoch (0-based; e.g. 2 trains epochs 0 and 1 frozen). */
  epoch: number;
  /** What to unfreeze (default: every layer). */
  target?: FreezeTarget;
  /** Optimizer to use from then on (e.g. with a lower learning rate or layer-wise decay). */
  optimizer?: () => tf.Optimizer;
}

/** Unfreezes layers at the start of a given epoch (two-stage fine-tuning: head first, then all). */
export class UnfreezeAfter implements TrainCallback {
  /** Options as given. */
  readonly options: UnfreezeAfterOptions;

  /** Checks the options. */
  constructor(options: UnfreezeAfterOptions) {
    if (!Number.isInteger(options?.epoch) || options.epoch < 0) {
      throw invalidArgument('epoch', options?.epoch, 'a non-negative integer');
    }
    this.options = options;
  }

  /** Unfreezes when the epoch is reached (also right away when resuming past it). */
  onEpochBegin(epoch: number, context: TrainContext): void {
    if (epoch >= this.options.epoch) unfreeze(context.model, this.options.target);
  }
}
