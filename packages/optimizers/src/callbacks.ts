/**
 * tfjs-layers callbacks that drive the learning rate during `model.fit`.
 *
 * Reference: `tf.keras.callbacks.LearningRateScheduler` / `ReduceLROnPlateau`; the per-batch mode
 * mirrors calling a `torch.optim.lr_scheduler` scheduler's `step()` after every optimizer step.
 */
import type * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { invalidArgument, ZooError } from '@tfzoo/core';
import { getLearningRate, setLearningRate } from './learning-rate.js';
import { ReduceLROnPlateau, type ReduceLROnPlateauOptions } from './plateau.js';
import type { Schedule } from './schedules.js';
import { checkChoice, checkNumber } from './validate.js';

function optimizerOf(model: tfl.LayersModel | undefined, explicit: tf.Optimizer | undefined): tf.Optimizer {
  const optimizer = explicit ?? model?.optimizer;
  if (!optimizer) {
    throw new ZooError(
      'INVALID_ARGUMENT',
      'the learning-rate callback found no optimizer; expected a compiled model or an explicit optimizer',
      {
        expected: 'model.compile({ optimizer }) before fit',
      },
    );
  }
  return optimizer;
}

/** Options of {@link LearningRateScheduler}. */
export interface LearningRateSchedulerOptions {
  /** The schedule, `(step) => lr`. */
  schedule: Schedule;
  /** Step the schedule per `'batch'` (default; step = global batch index) or per `'epoch'`. */
  updateEvery?: 'batch' | 'epoch';
  /** Step of the first batch/epoch, to resume a run (default 0). */
  initialStep?: number;
  /** Optimizer to drive (default: the model's). */
  optimizer?: tf.Optimizer;
  /** Called after the rate is set, e.g. for logging. */
  onLearningRate?: (learningRate: number, step: number) => void;
}

/**
 * Sets the optimizer's learning rate from a schedule before every batch (or epoch). The step
 * counter continues across `fit` calls; {@link LearningRateScheduler.step} exposes it.
 */
export class LearningRateScheduler extends tfl.Callback {
  /** The schedule. */
  readonly schedule: Schedule;
  /** Whether the schedule advances per batch or per epoch. */
  readonly updateEvery: 'batch' | 'epoch';
  /** Index of the next step. */
  step: number;
  private readonly explicitOptimizer: tf.Optimizer | undefined;
  private readonly onLearningRate: ((learningRate: number, step: number) => void) | undefined;

  constructor(options: LearningRateSchedulerOptions) {
    super();
    if (typeof options?.schedule !== 'function') {
      throw invalidArgument('schedule', options?.schedule, 'a function (step) => learningRate');
    }
    this.schedule = options.schedule;
    this.updateEvery = checkChoice('updateEvery', options.updateEvery, 'batch', ['batch', 'epoch'] as const);
    this.step = checkNumber('initialStep', options.initialStep, 0, { min: 0, integer: true });
    this.explicitOptimizer = options.optimizer;
    this.onLearningRate = options.onLearningRate;
  }

  private apply(): void {
    const lr = this.schedule(this.step);
    setLearningRate(optimizerOf(this.model, this.explicitOptimizer), lr);
    this.onLearningRate?.(lr, this.step);
    this.step += 1;
  }

  /** Sets the rate for the coming batch (per-batch mode). */
  override async onBatchBegin(_batch: number): Promise<void> {
    if (this.updateEvery === 'batch') this.apply();
  }

  /** Sets the rate for the coming epoch (per-epoch mode). */
  override async onEpochBegin(_epoch: number): Promise<void> {
    if (this.updateEvery === 'epoch') this.apply();
  }
}

/** Options of {@link ReduceLROnPlateauCallback}. */
export interface ReduceLROnPlateauCallbackOptions extends Omit<ReduceLROnPlateauOptions, 'learningRate'> {
  /** Log entry to watch at the end of each epoch (default `'val_loss'`). */
  monitor?: string;
  /** Optimizer to drive (default: the model's). */
  optimizer?: tf.Optimizer;
}

/** Reduces the optimizer's rate when the monitored metric plateaus (checked at each epoch end). */
export class ReduceLROnPlateauCallback extends tfl.Callback {
  /** Log entry watched. */
  readonly monitor: string;
  /** The plateau detector, created at the start of training from the optimizer's rate. */
  plateau: ReduceLROnPlateau | null = null;
  private readonly options: ReduceLROnPlateauCallbackOptions;

  constructor(options: ReduceLROnPlateauCallbackOptions = {}) {
    super();
    this.monitor = options.monitor ?? 'val_loss';
    this.options = options;
    // validate eagerly
    new ReduceLROnPlateau({ ...options, learningRate: 1 });
  }

  /** Creates the detector from the optimizer's current rate (kept across `fit` calls). */
  override async onTrainBegin(): Promise<void> {
    if (this.plateau === null) {
      const learningRate = getLearningRate(optimizerOf(this.model, this.options.optimizer));
      this.plateau = new ReduceLROnPlateau({ ...this.options, learningRate });
    }
  }

  /** Feeds the epoch's metric to the detector and sets the resulting rate. */
  override async onEpochEnd(_epoch: number, logs?: tfl.Logs): Promise<void> {
    const value = logs?.[this.monitor];
    if (typeof value !== 'number') {
      throw new ZooError(
        'NOT_FOUND',
        `ReduceLROnPlateauCallback found no numeric log ${JSON.stringify(this.monitor)}; received logs ${JSON.stringify(Object.keys(logs ?? {}))}`,
        {
          received: logs,
          expected: `a number under logs.${this.monitor}`,
        },
      );
    }
    const optimizer = optimizerOf(this.model, this.options.optimizer);
    if (this.plateau === null)
      this.plateau = new ReduceLROnPlateau({ ...this.options, learningRate: getLearningRate(optimizer) });
    setLearningRate(optimizer, this.plateau.step(value));
  }
}
