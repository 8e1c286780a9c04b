/**
 * Exponential moving average of weights, for evaluating with smoothed weights.
 *
 * Reference: `tf.train.ExponentialMovingAverage` (TensorFlow): `shadow ← shadow − (1 − d)·(shadow − w)`
 * with the `num_updates` warm-up `d = min(decay, (1 + n) / (10 + n))`; timm `ModelEmaV2`
 * (`timm/utils/model_ema.py`), which averages the whole state dict, batch-norm running statistics
 * included. By default this class does the same (every weight of the model, trainable or not);
 * `trainableOnly: true` averages only trainable weights (Keras' `use_ema`) and leaves the moving
 * statistics as training left them.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { invalidArgument, ZooError } from '@tfzoo/core';
import { checkBoolean, checkNumber } from './validate.js';

/** Options of {@link ExponentialMovingAverage}. */
export interface EmaOptions {
  /** Decay of the average (default 0.999). */
  decay?: number;
  /**
   * Use TensorFlow's warm-up `min(decay, (1 + n) / (10 + n))`, n = updates done before this one
   * (default true).
   */
  useNumUpdates?: boolean;
  /** Average only trainable weights (default false: every weight, batch-norm statistics included). */
  trainableOnly?: boolean;
}

/** The weights an EMA tracks: a layers model, or explicit variables. */
export type EmaSource = tfl.LayersModel | tf.Variable[];

function variablesOf(source: EmaSource, trainableOnly: boolean): tf.Variable[] {
  if (Array.isArray(source)) {
    source.forEach((v, i) => {
      if (!(v instanceof tf.Variable)) throw invalidArgument(`source[${i}]`, v, 'a tf.Variable');
    });
    return trainableOnly ? source.filter((v) => v.trainable) : [...source];
  }
  if (source === null || typeof source !== 'object' || !Array.isArray((source as tfl.LayersModel).weights)) {
    throw invalidArgument('source', source, 'a tf.LayersModel or an array of tf.Variable');
  }
  const weights = trainableOnly ? source.trainableWeights : source.weights;
  return weights.map((w) => w.read() as tf.Variable);
}

/**
 * Keeps a shadow copy of each tracked weight. Call {@link ExponentialMovingAverage.update} after
 * each optimizer step; {@link ExponentialMovingAverage.apply} swaps the averages into the model and
 * {@link ExponentialMovingAverage.restore} swaps the training weights back.
 */
export class ExponentialMovingAverage {
  /** Decay of the average. */
  readonly decay: number;
  /** Whether the `numUpdates` warm-up is used. */
  readonly useNumUpdates: boolean;
  /** Number of updates done. */
  numUpdates = 0;
  private readonly variables: tf.Variable[];
  private readonly shadows: tf.Variable[];
  private backup: tf.Tensor[] | null = null;

  constructor(source: EmaSource, options: EmaOptions = {}) {
    this.decay = checkNumber('decay', options.decay, 0.999, { min: 0, max: 1 });
    this.useNumUpdates = checkBoolean('useNumUpdates', options.useNumUpdates, true);
    const trainableOnly = checkBoolean('trainableOnly', options.trainableOnly, false);
    this.variables = variablesOf(source, trainableOnly).filter((v) => v.dtype === 'float32');
    this.shadows = this.variables.map((v) => tf.tidy(() => tf.clone(v).variable(false)));
  }

  /** The decay the next update uses. */
  currentDecay(): number {
    const n = this.numUpdates;
    return this.useNumUpdates ? Math.min(this.decay, (1 + n) / (10 + n)) : this.decay;
  }

  /** Moves every average toward the current weights. */
  update(): void {
    if (this.backup !== null) {
      throw new ZooError(
        'INVALID_ARGUMENT',
        'EMA update() was called while the averages are applied; expected restore() first',
        {
          expected: 'restore() before update()',
        },
      );
    }
    const keep = 1 - this.currentDecay();
    tf.tidy(() => {
      this.variables.forEach((v, i) => {
        const s = this.shadows[i]!;
        s.assign(tf.sub(s, tf.mul(tf.sub(s, v), keep)));
      });
    });
    this.numUpdates += 1;
  }

  /** The averages, by variable name (owned by the EMA: do not dispose). */
  averages(): tf.NamedTensorMap {
    const out: tf.NamedTensorMap = {};
    this.variables.forEach((v, i) => {
      out[v.name] = this.shadows[i]!;
    });
    return out;
  }

  /** Whether the averages are currently swapped in. */
  get applied(): boolean {
    return this.backup !== null;
  }

  /** Swaps the averaged weights into the variables (keeping the training weights aside). */
  apply(): void {
    if (this.backup !== null) return;
    this.backup = this.variables.map((v) => tf.clone(v));
    tf.tidy(() =>
      this.variables.forEach((v, i) => {
        v.assign(this.shadows[i]!);
      }),
    );
  }

  /** Puts the training weights back after {@link ExponentialMovingAverage.apply}. */
  restore(): void {
    if (this.backup === null) return;
    const backup = this.backup;
    this.backup = null;
    this.variables.forEach((v, i) => {
      v.assign(backup[i]!);
    });
    tf.dispose(backup);
  }

  /** Runs `fn` with the averaged weights in place and restores the training weights afterwards. */
  async withAveraged<T>(fn: () => T | Promise<T>): Promise<T> {
    this.apply();
    try {
      return await fn();
    } finally {
      this.restore();
    }
  }

  /** Copies the averages into the variables for good (e.g. before saving the final model). */
  copyToModel(): void {
    this.restore();
    tf.tidy(() =>
      this.variables.forEach((v, i) => {
        v.assign(tf.clone(this.shadows[i]!));
      }),
    );
  }

  /** Frees the shadows (and restores the training weights if averages are applied). */
  dispose(): void {
    this.restore();
    tf.dispose(this.shadows);
  }
}

/** Options of {@link EmaCallback}. */
export interface EmaCallbackOptions extends EmaOptions {
  /** Update the average every this many batches (default 1). */
  updateEvery?: number;
}

/**
 * Maintains an {@link ExponentialMovingAverage} of the model being fitted: created at the start of
 * the first `fit`, updated after every batch. Evaluate with `callback.ema.withAveraged(...)`.
 */
export class EmaCallback extends tfl.Callback {
  /** The average, available once training has started. */
  ema: ExponentialMovingAverage | null = null;
  private readonly options: EmaCallbackOptions;
  private readonly updateEvery: number;
  private batches = 0;

  constructor(options: EmaCallbackOptions = {}) {
    super();
    this.options = options;
    this.updateEvery = checkNumber('updateEvery', options.updateEvery, 1, { min: 1, integer: true });
    checkNumber('decay', options.decay, 0.999, { min: 0, max: 1 });
  }

  /** Creates the average from the model's weights (first `fit` only). */
  override async onTrainBegin(): Promise<void> {
    if (this.ema === null) this.ema = new ExponentialMovingAverage(this.model, this.options);
  }

  /** Updates the average. */
  override async onBatchEnd(): Promise<void> {
    this.batches += 1;
    if (this.ema !== null && this.batches % this.updateEvery === 0) this.ema.update();
  }
}
