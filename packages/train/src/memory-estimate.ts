/**
 * Training-step memory, estimated before the first step: what `train` checks against the wasm
 * heap (wasm32 cannot address more than 4 GiB) so that an oversized batch fails at once with the
 * options that would fit, instead of an allocation failure deep inside a kernel minutes later.
 *
 * The activation memory is measured, not modelled: one forward pass of a single sample in training
 * mode runs on the active backend under a gradient tape, and the bytes the tape keeps for the
 * backward pass (each buffer once: a saved tensor often shares its buffer with another) are the
 * per-sample activation cost. The backward pass of {@link leanVariableGrads} frees them as it goes,
 * so the step's peak is about the saved activations of the batch, plus the weights, one gradient
 * per trainable weight and the optimizer's slots, plus the larger of two transients: the gradient
 * frontier (a margin on the activations) or two copies of the largest weight (a dense layer's
 * forward on wasm copies its kernel and XNNPACK packs the copy; an update or an accumulation writes
 * a new tensor before the old one goes). Memory that does not grow with the batch is counted too:
 * on wasm, XNNPACK's packed copy of every convolution kernel, which tfjs-backend-wasm keeps while
 * the weight lives (`@tfzoo/wasm-training` trains dense layers without keeping theirs), and, with
 * gradient accumulation, the running sum of the gradients.
 *
 * With activation checkpointing the saved activations are the stage inputs and the head's, plus,
 * while a stage is recomputed, that stage's own: the largest stage's is counted (each stage is
 * measured alone, also at batch 1). Both figures are measured whenever the model has stages, so a
 * step that does not fit can say whether checkpointing would make it fit.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { ZooError } from '@tfzoo/core';
import { CheckpointedModel } from './grad-checkpointing.js';

/** The wasm backend's heap limit: wasm32 addresses at most 4 GiB. */
export const WASM_HEAP_BYTES = 4 * 2 ** 30;

/** Fraction added to the saved activations for the gradients alive during the backward pass. */
const FRONTIER_MARGIN = 0.25;

/** What {@link estimateTrainingMemory} found. */
export interface TrainingMemoryEstimate {
  /** Samples per step (per micro-batch with gradient accumulation). */
  batchSize: number;
  /** Activation bytes the backward pass needs, per sample (measured), for the step as configured. */
  activationBytesPerSample: number;
  /** Whether the estimate is for a step with activation checkpointing. */
  gradientCheckpointing: boolean;
  /**
   * Activation bytes per sample with activation checkpointing (stage inputs, head, largest stage);
   * undefined when the model has no stages to checkpoint.
   */
  checkpointedActivationBytesPerSample: number | undefined;
  /** Activation bytes per sample without activation checkpointing. */
  plainActivationBytesPerSample: number;
  /** Bytes of all model weights. */
  weightBytes: number;
  /** Bytes of the trainable weights (their gradients take as much). */
  trainableBytes: number;
  /** Optimizer slots per trainable weight assumed (Adam-style 2, SGD with momentum 1). */
  optimizerSlots: number;
  /**
   * Bytes of XNNPACK's packed copies of the convolution kernels (the weights of rank 4) on the
   * wasm backend; 0 elsewhere.
   */
  packedWeightBytes: number;
  /**
   * Bytes of the largest weight: a dense layer's forward pass, an update or an accumulation briefly
   * holds two more copies.
   */
  largestWeightBytes: number;
  /** Micro-batches per optimizer step the estimate is for (more than 1: the gradients' sum is kept). */
  accumulateSteps: number;
  /**
   * The estimated bytes that stay through the step whatever the batch: weights, gradients,
   * optimizer slots, packed kernels and the gradients' running sum.
   */
  fixedBytes: number;
  /** The estimated peak of one step, in bytes. */
  totalBytes: number;
  /** The backend's limit (wasm: 4 GiB), or undefined when it has none we know of. */
  limitBytes: number | undefined;
}

interface TapeNode {
  saved?: tf.Tensor[];
}

interface EngineInternals {
  state: { activeTape: TapeNode[] | null; gradientDepth: number };
  startTape(): void;
  endTape(): void;
  scopedRun<T>(start: () => void, end: () => void, f: () => T): T;
  tidy<T extends tf.TensorContainer>(name: string, f: () => T): T;
}

/** Slots per trainable weight of a tfjs or `@tfzoo/optimizers` optimizer, from its class name (default 2). */
export function optimizerSlotsOf(optimizer: tf.Optimizer | undefined): number {
  const name = (optimizer?.getClassName?.() ?? optimizer?.constructor?.name ?? '').toLowerCase();
  if (name.includes('sgd')) {
    const momentum = (optimizer as unknown as { momentum?: number }).momentum;
    return momentum ? 1 : 0;
  }
  if (name.includes('momentum') || name.includes('adagrad') || name.includes('rmsprop')) return 1;
  return 2;
}

function bytesOf(tensors: readonly tf.Tensor[]): number {
  return tensors.reduce((sum, t) => sum + t.size * 4, 0);
}

/** Options of {@link estimateTrainingMemory}. */
export interface TrainingMemoryOptions {
  /** Estimate a step with activation checkpointing (`train`'s `gradientCheckpointing`; default false). */
  gradientCheckpointing?: boolean;
  /** Micro-batches per optimizer step (`train`'s `accumulateSteps`; default 1). */
  accumulateSteps?: number;
}

/**
 * The bytes a gradient tape keeps for the backward pass of `f` (each buffer once, weights not
 * counted); runs `f` once and frees what it saved.
 */
function savedBytesOf(f: () => tf.Tensor, weights: ReadonlySet<unknown>): number {
  const engine = tf.engine() as unknown as EngineInternals;
  if (engine.state.gradientDepth > 0) throw new Error('estimateTrainingMemory inside a gradient');
  const y = engine.scopedRun(
    () => engine.startTape(),
    () => engine.endTape(),
    () => engine.tidy('forward', () => tf.sum(f())),
  );
  const buffers = new Map<unknown, number>();
  for (const node of engine.state.activeTape ?? []) {
    for (const t of node.saved ?? []) if (!weights.has(t.dataId)) buffers.set(t.dataId, t.size * 4);
    for (const t of node.saved ?? []) t.dispose();
  }
  engine.state.activeTape = null;
  tf.dispose(y);
  return [...buffers.values()].reduce((a, b) => a + b, 0);
}

/**
 * Estimates the peak memory of one training step of `model` on the active backend for batches of
 * `batchSize` samples shaped `sampleShape` (NHWC without the batch). Runs training-mode forward
 * passes of one sample and puts the batch-norm statistics they moved back.
 */
export function estimateTrainingMemory(
  model: tfl.LayersModel,
  sampleShape: readonly number[],
  batchSize: number,
  optimizer?: tf.Optimizer,
  options: TrainingMemoryOptions = {},
): TrainingMemoryEstimate {
  const gradientCheckpointing = options.gradientCheckpointing ?? false;
  const moving = model.weights.filter((w) => !w.trainable);
  const snapshot = tf.tidy(() => moving.map((w) => tf.add(w.read(), 0)));
  // Weights saved by the kernels that read them are counted once, as weights.
  const weights = new Set<unknown>(model.weights.map((w) => w.read().dataId));
  let plainActivationBytesPerSample = 0;
  let checkpointedActivationBytesPerSample: number | undefined;
  const x = tf.zeros([1, ...sampleShape]);
  try {
    plainActivationBytesPerSample = savedBytesOf(() => {
      const out = model.apply(x, { training: true }) as tf.Tensor | tf.Tensor[];
      return tf.addN((Array.isArray(out) ? out : [out]).map((o) => tf.sum(o)));
    }, weights);
    let checkpointed: CheckpointedModel | undefined;
    try {
      checkpointed = new CheckpointedModel(model);
    } catch (error) {
      if (gradientCheckpointing) throw error;
    }
    if (checkpointed) {
      const kept = savedBytesOf(() => {
        const out = checkpointed.apply(x);
        return tf.addN((Array.isArray(out) ? out : [out]).map((o) => tf.sum(o)));
      }, weights);
      // The stage's input is already counted among the kept tensors.
      const { stages } = checkpointed.measureStages(x, (f, input) =>
        savedBytesOf(f, new Set([...weights, input.dataId])),
      );
      checkpointedActivationBytesPerSample = kept + Math.max(0, ...stages);
    }
  } finally {
    x.dispose();
    moving.forEach((w, i) => {
      w.write(snapshot[i]!);
    });
    tf.dispose(snapshot);
  }
  const activationBytesPerSample =
    gradientCheckpointing && checkpointedActivationBytesPerSample !== undefined
      ? checkpointedActivationBytesPerSample
      : plainActivationBytesPerSample;
  const weightBytes = bytesOf(model.weights.map((w) => w.read()));
  const trainableBytes = bytesOf(model.trainableWeights.map((w) => w.read()));
  const optimizerSlots = optimizerSlotsOf(optimizer);
  const packedWeightBytes =
    tf.getBackend() === 'wasm' ? bytesOf(model.weights.map((w) => w.read()).filter((t) => t.rank === 4)) : 0;
  const largestWeightBytes = Math.max(0, ...model.weights.map((w) => w.read().size * 4));
  const accumulateSteps = options.accumulateSteps ?? 1;
  const parts = {
    weightBytes,
    trainableBytes,
    optimizerSlots,
    packedWeightBytes,
    largestWeightBytes,
    accumulateSteps,
  };
  const fixedBytes = fixedOf(parts, accumulateSteps > 1);
  return {
    batchSize,
    activationBytesPerSample,
    gradientCheckpointing,
    checkpointedActivationBytesPerSample,
    plainActivationBytesPerSample,
    ...parts,
    fixedBytes,
    totalBytes: totalOf(fixedBytes, largestWeightBytes, activationBytesPerSample, batchSize),
    limitBytes: tf.getBackend() === 'wasm' ? WASM_HEAP_BYTES : undefined,
  };
}

type FixedParts = Pick<
  TrainingMemoryEstimate,
  'weightBytes' | 'trainableBytes' | 'optimizerSlots' | 'packedWeightBytes' | 'largestWeightBytes'
>;

/** The bytes that do not grow with the batch; `accumulating`: the gradients' running sum too. */
function fixedOf(e: FixedParts, accumulating: boolean): number {
  return (
    e.weightBytes + e.trainableBytes * (1 + e.optimizerSlots + (accumulating ? 1 : 0)) + e.packedWeightBytes
  );
}

function totalOf(
  fixedBytes: number,
  largestWeightBytes: number,
  activationBytesPerSample: number,
  batchSize: number,
): number {
  const activations = activationBytesPerSample * batchSize;
  return Math.round(
    fixedBytes + activations + Math.max(activations * FRONTIER_MARGIN, 2 * largestWeightBytes),
  );
}

const GiB = 2 ** 30;

/** `1.23 GiB` / `456 MiB`. */
export function formatBytes(bytes: number): string {
  return bytes >= GiB ? `${(bytes / GiB).toFixed(2)} GiB` : `${(bytes / 2 ** 20).toFixed(0)} MiB`;
}

/** The largest batch whose estimate fits `limit` with `fixed` bytes that do not grow (0: none). */
function largestBatch(estimate: TrainingMemoryEstimate, fixed: number, limit: number): number {
  const perSample = estimate.activationBytesPerSample;
  const room = limit - fixed;
  if (room < 2 * estimate.largestWeightBytes) return 0;
  if (perSample <= 0) return Number.MAX_SAFE_INTEGER;
  const withFrontier = Math.floor(room / (perSample * (1 + FRONTIER_MARGIN)));
  const withCopies = Math.floor((room - 2 * estimate.largestWeightBytes) / perSample);
  return Math.max(0, Math.min(withFrontier, withCopies));
}

/**
 * Throws a `ZooError` (`UNSUPPORTED`) when `estimate` exceeds the backend's limit, naming the
 * options that would make the step fit: a smaller batch with `accumulateSteps` for the same
 * effective batch, a frozen backbone, or another backend.
 */
export function assertTrainingFits(
  estimate: TrainingMemoryEstimate,
  accumulateSteps = estimate.accumulateSteps,
): void {
  const limit = estimate.limitBytes;
  if (limit === undefined || estimate.totalBytes <= limit) return;
  // Micro-batches keep the gradients' running sum as well.
  const fits = largestBatch(estimate, fixedOf(estimate, true), limit);
  const effective = estimate.batchSize * accumulateSteps;
  const hints: string[] = [];
  const checkpointedPerSample = estimate.checkpointedActivationBytesPerSample;
  if (!estimate.gradientCheckpointing && checkpointedPerSample !== undefined) {
    const checkpointed = totalOf(
      estimate.fixedBytes,
      estimate.largestWeightBytes,
      checkpointedPerSample,
      estimate.batchSize,
    );
    if (checkpointed <= limit) {
      hints.push(
        `activation checkpointing (gradientCheckpointing: true, --grad-checkpointing), about ${formatBytes(checkpointed)} at the same batch`,
      );
    }
  }
  if (fits >= 1) {
    // The fewest micro-batches that fit and divide the effective batch, so it stays the same.
    let k = Math.max(2, Math.ceil(effective / fits));
    while (effective % k !== 0) k++;
    const micro = effective / k;
    hints.push(
      `batch size ${micro} with accumulateSteps ${k} (--batch-size ${micro} --accumulate-steps ${k}) for the same effective batch of ${effective}`,
    );
  }
  hints.push('freezing the backbone (--freeze backbone), which needs no activation gradients below the head');
  hints.push('a smaller input size, or a backend without the 4 GiB wasm32 heap (webgpu, tensorflow)');
  const accumulating = estimate.accumulateSteps > 1 ? 1 : 0;
  const gradients = estimate.trainableBytes * (1 + estimate.optimizerSlots + accumulating);
  const packed =
    estimate.packedWeightBytes > 0
      ? `, XNNPACK's packed kernels ${formatBytes(estimate.packedWeightBytes)}`
      : '';
  throw new ZooError(
    'UNSUPPORTED',
    `one training step at batch ${estimate.batchSize} needs about ${formatBytes(estimate.totalBytes)} (activations ${formatBytes(estimate.activationBytesPerSample)} per sample, weights ${formatBytes(estimate.weightBytes)}, gradients and optimizer state ${formatBytes(gradients)}${packed}), more than the ${tf.getBackend()} backend's ${formatBytes(limit)} heap. Try ${hints.join('; or ')}.`,
    {
      received: `batch ${estimate.batchSize} ≈ ${formatBytes(estimate.totalBytes)}`,
      expected: `at most ${formatBytes(limit)}${fits >= 1 ? ` (about batch ${fits})` : ''}`,
    },
  );
}
