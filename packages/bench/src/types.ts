/**
 * The data the benchmark harness passes between its orchestrator, its workers and its reports.
 */

/** What is measured: a forward pass (`inference`) or one SGD training step (`train`). */
export type BenchMode = 'inference' | 'train';

/** A runtime measured in the benchmark: a tfzoo (TF.js) backend or a peer. */
export interface RuntimeSpec {
  /** Stable key used in tables and JSON (`wasm-2`, `cpu`, `pytorch`, `onnxruntime`). */
  key: string;
  /** Label shown in tables and charts. */
  label: string;
  /** Which kind of worker runs it. */
  kind: 'tfjs' | 'pytorch' | 'onnxruntime';
  /** For `tfjs`: the backend name given to `initBackend` of `@tfzoo/core`. */
  backend?: string;
  /** Threads the runtime is asked to use. */
  threads: number;
  /** Whether this runtime can run a training step. */
  trains: boolean;
  /** For `pytorch`: the device (default `cpu`). */
  device?: 'cpu' | 'cuda';
  /** For `pytorch` on CUDA: allow TF32 matmuls and convolutions (default false: strict fp32). */
  tf32?: boolean;
  /** For `pytorch`: run in channels-last memory format (default false). */
  channelsLast?: boolean;
  /**
   * For `tfjs`: time the inference form (`optimizeForInference` of `@tfzoo/core`: batch-norm
   * folded, fused kernels) instead of the model as built (default false).
   */
  optimize?: boolean;
  /** Whether this runtime runs the inference cases (default true; false for training-only rows). */
  infers?: boolean;
  /**
   * For `tfjs`: train with activation checkpointing per stage (`CheckpointedModel` of
   * `@tfzoo/train`), as `--grad-checkpointing` does for every tfzoo row (default false).
   */
  gradCheckpointing?: boolean;
}

/** One model of the benchmark: a tfzoo id and the torchvision constructor of the same architecture. */
export interface ModelSpec {
  /** Model id for `createModel` of `@tfzoo/models`. */
  id: string;
  /** Label shown in tables. */
  label: string;
  /** Name of the `torchvision.models` constructor with the same architecture. */
  torchvision: string;
  /** Packages that register the model (imported best-effort before `createModel`). */
  packages: string[];
}

/** One cell of the matrix: a mode at a batch size. */
export interface Case {
  /** Forward pass or training step. */
  mode: BenchMode;
  /** Images per call. */
  batch: number;
}

/** What a worker is asked to do (written as JSON to a file, its path passed as an argument). */
export interface WorkerTask {
  /** The runtime to measure. */
  runtime: RuntimeSpec;
  /** The model to measure; absent for a backend probe. */
  model?: ModelSpec;
  /** The cases, in the order to run them. */
  cases: Case[];
  /** Untimed runs before timing. */
  warmup: number;
  /** Timed runs wanted (fewer when the row budget does not allow them, at least one). */
  repeats: number;
  /** Seconds one case may take, warm-up included; a case estimated to need more is skipped. */
  rowBudgetSeconds: number;
  /** Image side (square, 3 channels). */
  imageSize: number;
  /** Seed of the deterministic weights and inputs. */
  seed: number;
  /** Where the cpu backend's logits of the check input are (written by the cpu worker, read by others). */
  referencePath?: string;
  /** Relative tolerance of the logits check against the cpu backend. */
  tolerance: number;
  /** tfzoo training steps with activation checkpointing per stage (`@tfzoo/train`'s `CheckpointedModel`). */
  gradCheckpointing?: boolean;
  /** For onnxruntime: the ONNX file. */
  onnxPath?: string;
  /** For PyTorch: where to export the ONNX file of the model (random weights). */
  exportOnnxPath?: string;
}

/** How a case ended. */
export type RowStatus = 'ok' | 'skipped' | 'error' | 'unavailable';

/** One measured (or skipped) case of one runtime and model. */
export interface BenchRow {
  /** Model id. */
  model: string;
  /** Runtime key. */
  runtime: string;
  /** Forward pass or training step. */
  mode: BenchMode;
  /** Images per call. */
  batch: number;
  /** How it ended. */
  status: RowStatus;
  /** Why it was skipped or failed. */
  reason?: string;
  /** Median images per second over the timed runs. */
  imagesPerSecond?: number;
  /** Median seconds of one call. */
  medianSeconds?: number;
  /** Every timed run, in seconds. */
  runsSeconds?: number[];
  /** Untimed warm-up runs made. */
  warmup?: number;
  /** Estimated seconds of one call, made before running it (used for the budget). */
  estimatedSeconds?: number;
  /**
   * TF.js: the peak of `tf.memory().numBytes` during one call (from `tf.profile`); PyTorch on CUDA:
   * `torch.cuda.max_memory_allocated()` so far.
   */
  peakTensorBytes?: number;
  /** The process's peak resident set size so far, in bytes (includes building the model). */
  peakRssBytes?: number;
  /**
   * wasm: the size of the backend's heap after the case (`wasmHeapBytes` of `@tfzoo/core`). The heap
   * never shrinks, so it is the most the backend has held so far, each buffer counted once.
   */
  heapBytes?: number;
}

/** The logits check of a runtime against the cpu backend. */
export interface CheckResult {
  /** Whether the logits agree within the tolerance. */
  ok: boolean;
  /** Largest absolute difference. */
  maxAbsDiff: number;
  /** `maxAbsDiff` divided by the largest absolute reference logit. */
  relativeError: number;
  /** The tolerance it was held to. */
  tolerance: number;
  /** Seconds of the checked forward pass (batch 1, first call). */
  seconds: number;
  /** Why the check could not run, when it could not. */
  reason?: string;
}

/** What a worker reports. */
export interface WorkerResult {
  /** Runtime key. */
  runtime: string;
  /** Model id, when a model was run. */
  model?: string;
  /** Whether the runtime came up. */
  available: boolean;
  /** Why not, when it did not. */
  reason?: string;
  /** Runtime details: versions, backend attempts, real thread count. */
  info: Record<string, unknown>;
  /** The logits check, for tfjs backends other than cpu. */
  check?: CheckResult;
  /** The cases run. */
  rows: BenchRow[];
  /** Seconds spent building the model and filling its weights. */
  buildSeconds?: number;
  /** The case running now and since when (epoch ms): the orchestrator's watchdog reads it. */
  running?: Case & { since: number };
}
