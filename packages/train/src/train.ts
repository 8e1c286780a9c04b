/**
 * The training loop: a custom loop over async-iterable batches (`@tfzoo/datasets`' `DataLoader`),
 * one `tf.variableGrads` + `optimizer.applyGradients` per batch, batch-norm in training mode, with
 * callbacks, a per-step learning-rate schedule, interruption and resume.
 *
 * The structure follows PyTorch's canonical loop (`model.train(); for x, y in loader:
 * opt.zero_grad(); loss(model(x), y).backward(); opt.step(); sched.step()`) and Keras' callback
 * hooks (`onTrainBegin`, `onEpochBegin`, `onBatchEnd`, `onEpochEnd`, `onTrainEnd`).
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { checkTrainable, invalidArgument, ZooError } from '@tfzoo/core';
import type { TensorBatch } from '@tfzoo/datasets';
import { categoricalCrossEntropy, type LossFunction, sparseCategoricalCrossEntropy } from '@tfzoo/losses';
import { accuracyMetric, topKAccuracyMetric } from '@tfzoo/metrics';
import { setLearningRate } from '@tfzoo/optimizers';
import { FeatureCache, type FeatureCacheStats } from './feature-cache.js';
import { CheckpointedModel } from './grad-checkpointing.js';
import { leanVariableGrads } from './lean-gradients.js';
import {
  assertTrainingFits,
  estimateTrainingMemory,
  type TrainingMemoryEstimate,
} from './memory-estimate.js';
import { applyReleasing } from './releasing-forward.js';

/** A source of batches: anything iterable once per epoch (a `DataLoader`, an array of batches). */
export type BatchSource = AsyncIterable<TensorBatch> | Iterable<TensorBatch>;

/** A `(step) => learning rate` schedule, evaluated before every optimizer step. */
export type LrSchedule = (step: number) => number;

/** Names of the built-in metrics. */
export type MetricName = 'accuracy' | 'top5';

/** Where training stands: epochs completed and optimizer steps taken. */
export interface TrainState {
  /** The epoch being run (0-based); equals the number of completed epochs between epochs. */
  epoch: number;
  /** Global optimizer steps taken so far (what schedules are evaluated at). */
  step: number;
  /** Batches of {@link TrainState.epoch} already trained (non-zero only when resuming mid-epoch). */
  batchInEpoch: number;
}

/** Logs of one batch. */
export interface BatchLogs {
  /** Mean loss of the batch. */
  loss: number;
  /** Samples in the batch. */
  size: number;
  /** Learning rate used for the step. */
  lr: number;
  /** Metric values on the batch. */
  [metric: string]: number;
}

/** Logs of one epoch: means over the epoch's training batches, and `val_*` validation values. */
export interface EpochLogs {
  /** The epoch (0-based). */
  epoch: number;
  /** Mean training loss. */
  loss: number;
  /** Learning rate at the end of the epoch. */
  lr: number;
  /** Seconds the epoch took (training and validation). */
  seconds: number;
  /** Training samples per second. */
  samplesPerSecond: number;
  /** Metrics (`accuracy`, `top5`) and their validation counterparts (`val_loss`, `val_accuracy`…). */
  [metric: string]: number;
}

/** What {@link train} returns. */
export interface History {
  /** One entry per epoch run by this call. */
  epochs: EpochLogs[];
  /** The state at the end (pass to a checkpoint to continue later). */
  state: TrainState;
  /** True when training stopped on the abort signal (the state then points mid-epoch). */
  interrupted: boolean;
  /** True when a callback stopped training (early stopping). */
  stopped: boolean;
  /** Lookups of the feature cache, when {@link TrainOptions.cacheFeatures} was set. */
  featureCache?: FeatureCacheStats;
}

/** Passed to every callback: the run's objects and its mutable state. */
export interface TrainContext {
  /** The model being trained. */
  readonly model: tfl.LayersModel;
  /** The optimizer. */
  readonly optimizer: tf.Optimizer;
  /** The position in training (mutated by the loop; checkpoints save it). */
  readonly state: TrainState;
  /** Total epochs of the run. */
  readonly epochs: number;
  /** Batches per epoch when the source knows it (a `DataLoader` does), else undefined. */
  readonly stepsPerEpoch: number | undefined;
  /** The epoch logs so far. */
  readonly history: EpochLogs[];
  /** The schedule, when one is used. */
  readonly schedule: LrSchedule | undefined;
  /** Set to true to stop after the current epoch (early stopping does). */
  stopTraining: boolean;
  /** True once the abort signal fired. */
  interrupted: boolean;
}

/** A training callback; every hook is optional and may be async. */
export interface TrainCallback {
  /** Before the first epoch (after a resume has restored the state). */
  onTrainBegin?(context: TrainContext): void | Promise<void>;
  /** Before each epoch. */
  onEpochBegin?(epoch: number, context: TrainContext): void | Promise<void>;
  /**
   * Between the backward pass and the optimizer step: returns the gradients to apply (keyed by
   * variable name), e.g. masked by pruning. The loop disposes the tensors of both maps.
   */
  transformGradients?(grads: tf.NamedTensorMap, context: TrainContext): tf.NamedTensorMap;
  /** After each optimizer step. */
  onBatchEnd?(batch: number, logs: BatchLogs, context: TrainContext): void | Promise<void>;
  /** After each epoch and its validation. */
  onEpochEnd?(epoch: number, logs: EpochLogs, context: TrainContext): void | Promise<void>;
  /** When training was interrupted by the abort signal, before {@link TrainCallback.onTrainEnd}. */
  onInterrupt?(context: TrainContext): void | Promise<void>;
  /** After the last epoch, also after an interruption or a stop. */
  onTrainEnd?(context: TrainContext): void | Promise<void>;
}

/** Options of {@link train}. */
export interface TrainOptions {
  /** The model; it is called with `training: true` (batch-norm batch statistics, dropout on). */
  model: tfl.LayersModel;
  /** Training batches, iterated once per epoch; `x` NHWC, `y` class indices or one-hot/soft targets. */
  data: BatchSource;
  /** Validation batches, evaluated after every epoch (logged as `val_loss`, `val_<metric>`). */
  validation?: BatchSource;
  /** Total number of epochs (a resumed run continues up to it). */
  epochs: number;
  /** The optimizer (a `@tfzoo/optimizers` optimizer or a tfjs one). */
  optimizer: tf.Optimizer;
  /**
   * The loss `(yTrue, yPred) => scalar`. Default: cross-entropy from logits — sparse for class
   * indices, categorical for one-hot / soft targets — weighted by {@link TrainOptions.classWeights}.
   */
  loss?: LossFunction;
  /** Per-class loss weights for the default loss (class imbalance; see `balancedClassWeights`). */
  classWeights?: readonly number[];
  /** Label smoothing for the default loss (default 0). */
  labelSmoothing?: number;
  /** Whether the model outputs logits (default true, the zoo's default head). */
  fromLogits?: boolean;
  /** Metrics tracked on training and validation batches (default `['accuracy']`). */
  metrics?: readonly MetricName[];
  /** Callbacks, called in order. */
  callbacks?: readonly TrainCallback[];
  /** A per-step learning-rate schedule applied before every step. */
  schedule?: LrSchedule;
  /** Start from this state (from a checkpoint); default epoch 0, step 0. */
  initialState?: TrainState;
  /** Stop cleanly after the current step when aborted (SIGINT); callbacks get `onInterrupt`. */
  signal?: AbortSignal;
  /**
   * Gradient accumulation: take one optimizer step every `accumulateSteps` batches (default 1).
   * Each batch is a micro-batch: its gradients are added up, weighted by its share of the samples,
   * so the step applies the gradient of the mean loss over all of them, as one batch of their
   * combined size would (PyTorch's `loss / accumulation_steps` recipe, exact for unequal sizes too).
   * Batch-norm statistics are those of each micro-batch. An epoch's last, shorter group still
   * steps. `TrainState.step` and the schedule count optimizer steps; `onBatchEnd` runs per
   * micro-batch; an interruption waits for the group to finish.
   */
  accumulateSteps?: number;
  /**
   * Activation checkpointing per stage (timm's `set_grad_checkpointing`; default false): the
   * forward pass keeps only each stage's input, and the backward pass recomputes the stage's
   * forward to take its gradients (`CheckpointedModel`). The stages end at the model's
   * feature levels (its `featuresOnly` taps). The step's activation memory drops to the stage
   * inputs plus the largest stage's, for one more forward pass of the stages; gradients, batch-norm
   * statistics and dropout masks are those of the plain step. Not used with
   * {@link TrainOptions.cacheFeatures} while the cache is on (only the head runs).
   */
  gradientCheckpointing?: boolean;
  /**
   * Before the first step on a backend other than cpu, check with `@tfzoo/core`'s
   * `checkTrainable` that the backend has every kernel the step needs, and fail at once with the
   * missing ones (default true). The check runs one batch-1 step on the cpu backend.
   */
  checkKernels?: boolean;
  /**
   * Before the first step, estimate the step's memory (`estimateTrainingMemory`: one
   * batch-1 forward pass) and refuse, with the options that would fit, a step that cannot fit the
   * backend's heap (wasm: 4 GiB) (default true; the estimate runs only where the backend has a
   * known limit or {@link TrainOptions.onMemoryEstimate} is given).
   */
  memoryCheck?: boolean;
  /**
   * Train the head on cached backbone features (`FeatureCache`): every layer below the head
   * must be frozen with `freeze` and deterministic (default false). Each image's features are
   * computed once and reused in later epochs, with the same batches, order and results as the
   * uncached run; if the images change between epochs (augmentation), the cache turns itself off.
   */
  cacheFeatures?: boolean;
  /** Receives the memory estimate before the first step (the CLI prints it). */
  onMemoryEstimate?: (estimate: TrainingMemoryEstimate) => void;
}

interface BatchStats {
  loss: number;
  size: number;
  correct: number;
  correct5: number;
}

function isAsyncIterable(value: unknown): value is AsyncIterable<TensorBatch> {
  return typeof (value as AsyncIterable<TensorBatch>)?.[Symbol.asyncIterator] === 'function';
}

function isIterable(value: unknown): value is Iterable<TensorBatch> {
  return typeof (value as Iterable<TensorBatch>)?.[Symbol.iterator] === 'function';
}

interface EpochAware {
  epoch?: number;
  length?: number;
  tensors?: (epoch: number) => AsyncIterable<TensorBatch>;
}

/**
 * One epoch of a source. A `DataLoader` (anything with `tensors(epoch)`) runs exactly epoch
 * `epoch`, so a resumed run sees the same shuffled order it would have seen without interruption.
 */
function epochBatches(
  source: BatchSource,
  epoch: number,
): AsyncIterable<TensorBatch> | Iterable<TensorBatch> {
  const aware = source as EpochAware;
  if (typeof aware.tensors === 'function') {
    if (typeof aware.epoch === 'number') aware.epoch = epoch + 1;
    return aware.tensors(epoch);
  }
  return source;
}

async function* iterate(
  source: AsyncIterable<TensorBatch> | Iterable<TensorBatch>,
): AsyncGenerator<TensorBatch> {
  if (isAsyncIterable(source)) yield* source;
  else yield* source;
}

function checkSource(what: string, source: unknown): void {
  if (!isAsyncIterable(source) && !isIterable(source)) {
    throw invalidArgument(what, source, 'an (async) iterable of {x, y} batches, e.g. a DataLoader');
  }
}

/** The default loss for targets of `y`'s rank: sparse (indices) or categorical (one-hot / soft). */
export function defaultLoss(
  options: Pick<TrainOptions, 'classWeights' | 'labelSmoothing' | 'fromLogits'> = {},
): LossFunction {
  const common = {
    fromLogits: options.fromLogits ?? true,
    ...(options.labelSmoothing ? { labelSmoothing: options.labelSmoothing } : {}),
    ...(options.classWeights ? { classWeights: options.classWeights } : {}),
  };
  const sparse = sparseCategoricalCrossEntropy(common);
  const dense = categoricalCrossEntropy(common);
  return (yTrue, yPred, weight) => (yTrue.rank === 1 ? sparse : dense)(yTrue, yPred, weight);
}

/** Class indices of a target tensor: the tensor itself when sparse, else the argmax of each row. */
/** Per-sample top-1 and top-5 hits, computed on the device by `@tfzoo/metrics` (scikit-learn's tie rule). */
const ACCURACY = accuracyMetric();
const TOP5 = topKAccuracyMetric(5);

/**
 * The batch's loss and its counts of correct top-1 and top-5 predictions, read back in one
 * asynchronous read (a GPU backend has no synchronous read in Node, and in browsers it stalls the
 * page). The tensors given are not disposed.
 */
async function readStep(
  loss: tf.Tensor,
  y: tf.Tensor,
  logits: tf.Tensor,
  top5: boolean,
  x?: tf.Tensor,
): Promise<[number, number, number, number]> {
  const packed = tf.tidy(() => {
    // Σ 0·x is 0 when every input is finite and NaN otherwise (NaN·0 and ±∞·0 are NaN). A loss
    // check alone differs by backend: wasm's ReLU (XNNPACK) maps NaN to 0, so NaN images trained
    // silently there while the cpu backend's loss became NaN.
    const inputCheck = x ? tf.sum(tf.mul(tf.cast(x, 'float32'), 0)) : tf.scalar(0);
    const correct = tf.sum(ACCURACY(y, logits));
    const hit = top5 ? tf.sum(TOP5(y, logits)) : tf.scalar(0);
    return tf.stack([tf.cast(tf.reshape(loss, []), 'float32'), correct, hit, inputCheck]);
  });
  const values = await packed.data();
  packed.dispose();
  return [values[0]!, values[1]!, values[2]!, values[3]!];
}

/** The trainable tf.Variables of a model (the ones gradients are taken for). */
export function trainableVariables(model: tfl.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}

/** Options of {@link evaluate}. */
export interface EvaluateOptions {
  /** The loss (default: {@link defaultLoss}). */
  loss?: LossFunction;
  /** Metrics (default `['accuracy']`). */
  metrics?: readonly MetricName[];
  /** Whether the model outputs logits (default true). */
  fromLogits?: boolean;
  /** Called after every batch with the number of samples done. */
  onBatch?: (samplesDone: number) => void;
}

/** What {@link evaluate} returns. */
export interface EvaluateResult {
  /** Mean loss over every sample. */
  loss: number;
  /** Number of samples. */
  samples: number;
  /** Metric values (`accuracy`, `top5`). */
  [metric: string]: number;
}

/**
 * Evaluates a model over a source of batches in inference mode (batch-norm running statistics,
 * no dropout): sample-weighted mean loss and metrics. Disposes every batch.
 */
export async function evaluate(
  model: tfl.LayersModel,
  data: BatchSource,
  options: EvaluateOptions = {},
): Promise<EvaluateResult> {
  checkSource('data', data);
  const lossFn = options.loss ?? defaultLoss({ fromLogits: options.fromLogits ?? true });
  const metrics = options.metrics ?? ['accuracy'];
  const top5 = metrics.includes('top5');
  let lossSum = 0;
  let samples = 0;
  let correct = 0;
  let correct5 = 0;
  for await (const batch of iterate(epochBatches(data, (data as EpochAware).epoch ?? 0))) {
    try {
      const logits = tf.tidy(() => model.apply(batch.x, { training: false }) as tf.Tensor);
      const lossValue = tf.tidy(() => lossFn(batch.y, logits));
      const n = batch.x.shape[0];
      const [loss, c1, c5] = await readStep(lossValue, batch.y, logits, top5);
      tf.dispose([logits, lossValue]);
      lossSum += loss * n;
      correct += c1;
      correct5 += c5;
      samples += n;
      options.onBatch?.(samples);
    } finally {
      tf.dispose([batch.x, batch.y]);
    }
  }
  if (samples === 0) throw invalidArgument('data', 'no batches', 'at least one batch to evaluate');
  const result: EvaluateResult = { loss: lossSum / samples, samples };
  if (metrics.includes('accuracy')) result.accuracy = correct / samples;
  if (top5) result.top5 = correct5 / samples;
  return result;
}

function checkState(state: TrainState): TrainState {
  for (const key of ['epoch', 'step', 'batchInEpoch'] as const) {
    if (!Number.isInteger(state[key]) || state[key] < 0) {
      throw invalidArgument(`initialState.${key}`, state[key], 'a non-negative integer');
    }
  }
  return { ...state };
}

/** Resolves after one turn of the event loop, so that timers and signal handlers can run. */
function nextMacrotask(): Promise<void> {
  return new Promise((resolve) => {
    if (typeof setImmediate === 'function') setImmediate(resolve);
    else setTimeout(resolve, 0);
  });
}

/**
 * Trains `model` for `epochs` epochs with a custom loop and returns the history.
 *
 * Each step runs the model with `training: true` under `tf.variableGrads` over the model's
 * trainable variables only (frozen layers get no gradient), applies the gradients with the
 * optimizer, and disposes every tensor it made and every batch it was given. Layers frozen with
 * {@link freeze} keep batch-norm in inference mode.
 *
 * @example
 * ```ts
 * const loader = new DataLoader(trainSet, { batchSize: 64, shuffle: true, seed: 1, transform: toFloat() });
 * const history = await train({ model, data: loader, epochs: 5, optimizer: new AdamW({ learningRate: 1e-3 }) });
 * ```
 */
export async function train(options: TrainOptions): Promise<History> {
  const { model, data, validation, optimizer } = options;
  if (typeof model?.apply !== 'function') throw invalidArgument('model', model, 'a tf.LayersModel');
  checkSource('data', data);
  if (validation !== undefined) checkSource('validation', validation);
  if (!Number.isInteger(options.epochs) || options.epochs < 1) {
    throw invalidArgument('epochs', options.epochs, 'a positive integer');
  }
  if (typeof optimizer?.applyGradients !== 'function') {
    throw invalidArgument('optimizer', optimizer, 'a tf.Optimizer');
  }
  const lossFn = options.loss ?? defaultLoss(options);
  const metrics = options.metrics ?? ['accuracy'];
  for (const metric of metrics) {
    if (metric !== 'accuracy' && metric !== 'top5')
      throw invalidArgument('metric', metric, "'accuracy' or 'top5'");
  }
  const top5 = metrics.includes('top5');
  const accumulateSteps = options.accumulateSteps ?? 1;
  if (!Number.isInteger(accumulateSteps) || accumulateSteps < 1) {
    throw invalidArgument('accumulateSteps', options.accumulateSteps, 'a positive integer');
  }
  const checkpointing = options.gradientCheckpointing ?? false;
  if (typeof checkpointing !== 'boolean') {
    throw invalidArgument('gradientCheckpointing', options.gradientCheckpointing, 'a boolean');
  }
  const checkpointed = checkpointing ? new CheckpointedModel(model) : undefined;
  const callbacks = options.callbacks ?? [];
  const cache = options.cacheFeatures ? new FeatureCache(model) : undefined;
  const state = checkState(options.initialState ?? { epoch: 0, step: 0, batchInEpoch: 0 });
  const stepsPerEpoch =
    typeof (data as EpochAware).length === 'number' ? (data as EpochAware).length : undefined;
  const history: EpochLogs[] = [];
  const context: TrainContext = {
    model,
    optimizer,
    state,
    epochs: options.epochs,
    stepsPerEpoch,
    history,
    schedule: options.schedule,
    stopTraining: false,
    interrupted: false,
  };
  const signal = options.signal;
  const call = async (fn: (cb: TrainCallback) => void | Promise<void> | undefined): Promise<void> => {
    for (const cb of callbacks) await fn(cb);
  };

  // Gradients waiting for the optimizer step: one batch's, or the weighted sum of micro-batches'.
  const pending: { grads: tf.NamedTensorMap; count: number; samples: number } = {
    grads: {},
    count: 0,
    samples: 0,
  };
  const discardPending = (): void => {
    tf.dispose(Object.values(pending.grads));
    pending.grads = {};
    pending.count = 0;
    pending.samples = 0;
  };
  const applyPending = (): void => {
    try {
      let grads = pending.grads;
      if (accumulateSteps > 1) {
        const total = pending.samples;
        grads = tf.tidy(() => {
          const mean: tf.NamedTensorMap = {};
          for (const [name, g] of Object.entries(pending.grads)) mean[name] = tf.div(g, total);
          return mean;
        });
        tf.dispose(Object.values(pending.grads));
        pending.grads = grads;
      }
      for (const cb of callbacks) {
        if (!cb.transformGradients) continue;
        const next = cb.transformGradients(grads, context);
        if (next !== grads) tf.dispose(Object.values(grads).filter((g) => !Object.values(next).includes(g)));
        grads = next;
        pending.grads = grads;
      }
      optimizer.applyGradients(grads);
    } finally {
      discardPending();
    }
    state.step++;
  };

  // Before the first step: the kernels the step needs, and whether it fits the backend's heap.
  let preflightDone = false;
  const preflight = async (batch: TensorBatch): Promise<void> => {
    if (options.checkKernels !== false && tf.getBackend() !== 'cpu') {
      await checkTrainable(model, {
        backend: tf.getBackend(),
        inputShapes: [[1, ...batch.x.shape.slice(1)]],
        throwIfMissing: true,
      });
    }
    const limited = tf.getBackend() === 'wasm';
    if (options.memoryCheck !== false && (limited || options.onMemoryEstimate)) {
      const estimate = estimateTrainingMemory(model, batch.x.shape.slice(1), batch.x.shape[0], optimizer, {
        gradientCheckpointing: checkpointing,
        accumulateSteps,
      });
      options.onMemoryEstimate?.(estimate);
      assertTrainingFits(estimate, accumulateSteps);
    }
  };

  await call((cb) => cb.onTrainBegin?.(context));
  for (; state.epoch < options.epochs && !context.stopTraining && !context.interrupted; ) {
    const epoch = state.epoch;
    await call((cb) => cb.onEpochBegin?.(epoch, context));
    const started = performance.now();
    const totals: BatchStats = { loss: 0, size: 0, correct: 0, correct5: 0 };
    let batchIndex = 0;
    const skip = state.batchInEpoch;
    let lr = NaN;
    for await (const batch of iterate(epochBatches(data, epoch))) {
      if (batchIndex < skip) {
        tf.dispose([batch.x, batch.y]);
        batchIndex++;
        continue;
      }
      let logs: BatchLogs;
      try {
        if (!preflightDone) {
          preflightDone = true;
          await preflight(batch);
        }
        if (pending.count === 0) {
          if (options.schedule) {
            lr = options.schedule(state.step);
            setLearningRate(optimizer, lr);
          } else {
            lr = (optimizer as unknown as { learningRate?: number }).learningRate ?? NaN;
          }
        }
        const variables = trainableVariables(model);
        if (variables.length === 0) {
          throw new ZooError(
            'INVALID_ARGUMENT',
            'the model has no trainable weights (every layer is frozen)',
            {
              received: 0,
              expected: 'at least one trainable layer',
            },
          );
        }
        let logits: tf.Tensor | undefined;
        const features = cache ? await cache.features(batch.x, epoch) : undefined;
        let result: { value: tf.Scalar; grads: tf.NamedTensorMap };
        try {
          result = leanVariableGrads(() => {
            const out = features
              ? cache!.head(features)
              : checkpointed
                ? (checkpointed.apply(batch.x) as tf.Tensor)
                : (applyReleasing(model, batch.x) as tf.Tensor);
            logits = tf.keep(out);
            return lossFn(batch.y, out) as tf.Scalar;
          }, variables);
        } finally {
          features?.dispose();
        }
        const { value, grads } = result;
        const n = batch.x.shape[0];
        const stepIndex = state.step;
        if (accumulateSteps === 1) {
          pending.grads = grads;
        } else {
          // Σ nᵢ·gᵢ over the micro-batches; divided by Σ nᵢ when the step is taken.
          // Each gradient is released as soon as it is weighted, so a layer holds at most three
          // copies at once (sum so far, weighted, new sum): VGG's 25088×4096 layer is 411 MB each.
          for (const [name, g] of Object.entries(grads)) {
            const previous = pending.grads[name];
            const weighted = tf.mul(g!, n);
            g!.dispose();
            if (previous) {
              pending.grads[name] = tf.add(previous, weighted);
              tf.dispose([previous, weighted]);
            } else pending.grads[name] = weighted;
          }
        }
        pending.count++;
        pending.samples += n;
        if (pending.count === accumulateSteps) applyPending();
        const [loss, c1, c5, inputCheck] = await readStep(value, batch.y, logits!, top5, batch.x).finally(
          () => tf.dispose([value, logits!]),
        );
        if (!Number.isFinite(inputCheck)) {
          throw new ZooError(
            'INVALID_ARGUMENT',
            `the training inputs of step ${stepIndex} contain NaN or ±Infinity`,
            {
              received: 'non-finite input values',
              expected: 'finite inputs (check the data and its transforms)',
            },
          );
        }
        if (!Number.isFinite(loss)) {
          throw new ZooError('INVALID_ARGUMENT', `the training loss became ${loss} at step ${stepIndex}`, {
            received: loss,
            expected: 'a finite loss (lower the learning rate, check the inputs)',
          });
        }
        totals.loss += loss * n;
        totals.size += n;
        totals.correct += c1;
        totals.correct5 += c5;
        logs = { loss, size: n, lr };
        if (metrics.includes('accuracy')) logs.accuracy = c1 / n;
        if (top5) logs.top5 = c5 / n;
      } catch (error) {
        discardPending();
        throw error;
      } finally {
        tf.dispose([batch.x, batch.y]);
      }
      batchIndex++;
      state.batchInEpoch = batchIndex;
      await call((cb) => cb.onBatchEnd?.(batchIndex - 1, logs, context));
      if (pending.count > 0) continue; // an interruption waits for the optimizer step
      // In-memory data never leaves the microtask queue: without this turn of the event loop a
      // SIGINT handler (or a browser's stop button) would run only at the end of the epoch.
      if (signal) await nextMacrotask();
      if (signal?.aborted) {
        context.interrupted = true;
        break;
      }
    }
    // The epoch's last micro-batches, fewer than accumulateSteps, still make a step.
    if (pending.count > 0) applyPending();
    if (context.interrupted) break;
    const trainSeconds = (performance.now() - started) / 1000;
    const epochLogs: EpochLogs = {
      epoch,
      loss: totals.size ? totals.loss / totals.size : NaN,
      lr,
      seconds: 0,
      samplesPerSecond: totals.size / Math.max(trainSeconds, 1e-9),
    };
    if (metrics.includes('accuracy')) epochLogs.accuracy = totals.size ? totals.correct / totals.size : NaN;
    if (top5) epochLogs.top5 = totals.size ? totals.correct5 / totals.size : NaN;
    if (validation !== undefined) {
      const result = await evaluate(model, validation, { loss: lossFn, metrics });
      for (const [key, value] of Object.entries(result))
        if (key !== 'samples') epochLogs[`val_${key}`] = value;
    }
    epochLogs.seconds = (performance.now() - started) / 1000;
    state.epoch++;
    state.batchInEpoch = 0;
    history.push(epochLogs);
    await call((cb) => cb.onEpochEnd?.(epoch, epochLogs, context));
    if (signal?.aborted) context.interrupted = true;
  }
  if (context.interrupted) await call((cb) => cb.onInterrupt?.(context));
  await call((cb) => cb.onTrainEnd?.(context));
  cache?.dispose();
  return {
    epochs: history,
    state: { ...state },
    interrupted: context.interrupted,
    stopped: context.stopTraining,
    ...(cache ? { featureCache: cache.counts } : {}),
  };
}
