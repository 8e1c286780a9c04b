/**
 * Streaming accumulators: `update(yTrue, yPred)` once per batch, `result()` at any time, `reset()`
 * to start over. Count-based metrics (accuracy, top-k, confusion matrix, precision/recall/F1, log
 * loss, calibration error) keep only sufficient statistics and equal the one-shot result exactly
 * (up to floating-point summation order). ROC AUC and average precision need every score: their
 * accumulators keep all labels and scores, O(samples × classes) numbers of memory.
 */
import { invalidArgument } from '@tfzoo/core';
import {
  type ConfusionNormalize,
  checkK,
  checkPrfOptions,
  inTopK,
  LabelPairCounts,
  matrixFromCounts,
  type PrecisionRecallF1Options,
  type PrecisionRecallF1Result,
  prfFromCounts,
  resolveLabels,
} from './classification.js';
import {
  checkSameLength,
  type MatrixInput,
  predictedLabels,
  readInput,
  targetLabels,
  toTable,
} from './inputs.js';
import {
  addToBins,
  type CalibrationBins,
  checkBins,
  eceFromBins,
  emptyBins,
  perSampleLogLoss,
  resolveEps,
} from './probabilistic.js';
import { averagePrecision, rocAuc, type ScoreAverage } from './ranking.js';

/** The contract of every streaming metric. */
export interface StreamingMetric<R> {
  /** Adds one batch: targets and predictions (tensors are read synchronously). */
  update(yTrue: MatrixInput, yPred: MatrixInput): void;
  /** The metric over every batch added since the last reset. */
  result(): R;
  /** Forgets every batch. */
  reset(): void;
}

/**
 * The base of every streaming metric here: `update` reads tensors synchronously, `updateAsync` reads
 * them with `await tensor.data()` first — the one to use on WebGPU (whose synchronous read does not
 * exist in Node, and stalls the GPU pipeline in browsers) and in any loop that should not block.
 */
export abstract class StreamingMetricBase<R> implements StreamingMetric<R> {
  abstract update(yTrue: MatrixInput, yPred: MatrixInput): void;
  abstract result(): R;
  abstract reset(): void;

  /** Adds one batch like `update`, reading tensors asynchronously (they are not disposed). */
  async updateAsync(yTrue: MatrixInput, yPred: MatrixInput): Promise<void> {
    const [truth, predicted] = await Promise.all([readInput(yTrue, 'yTrue'), readInput(yPred, 'yPred')]);
    this.update(truth, predicted);
  }
}

/** Options of {@link StreamingAccuracy}. */
export interface StreamingAccuracyOptions {
  /** For vector predictions: read them as positive-class scores thresholded here. */
  threshold?: number;
}

/** Accuracy over batches (exact). */
export class StreamingAccuracy extends StreamingMetricBase<number> {
  private correct = 0;
  private total = 0;
  private readonly threshold?: number;

  constructor(options: StreamingAccuracyOptions = {}) {
    super();
    this.threshold = options.threshold;
  }

  update(yTrue: MatrixInput, yPred: MatrixInput): void {
    const truth = targetLabels(yTrue);
    const predicted = predictedLabels(yPred, this.threshold);
    checkSameLength(truth.length, predicted.length, 'yPred');
    for (let i = 0; i < truth.length; i++) if (truth[i] === predicted[i]) this.correct++;
    this.total += truth.length;
  }

  /** Fraction correct (NaN before any sample). */
  result(): number {
    return this.correct / this.total;
  }

  reset(): void {
    this.correct = 0;
    this.total = 0;
  }
}

/** Top-k accuracy over batches (exact; scikit-learn's tie rule). */
export class StreamingTopKAccuracy extends StreamingMetricBase<number> {
  private hits = 0;
  private total = 0;
  private readonly k: number;

  constructor(options: { /** How many of the highest scores count (default 5). */ k?: number } = {}) {
    super();
    this.k = checkK(options.k);
  }

  update(yTrue: MatrixInput, scores: MatrixInput): void {
    const truth = targetLabels(yTrue);
    const table = toTable(scores, 'scores');
    if (table.cols < 2)
      throw invalidArgument('scores', `shape [${table.rows}]`, 'scores of shape [n, numClasses]');
    checkSameLength(truth.length, table.rows, 'scores');
    for (let i = 0; i < truth.length; i++) {
      if (inTopK(table.data, i * table.cols, table.cols, truth[i], this.k)) this.hits++;
    }
    this.total += truth.length;
  }

  /** Fraction of hits (NaN before any sample). */
  result(): number {
    return this.hits / this.total;
  }

  reset(): void {
    this.hits = 0;
    this.total = 0;
  }
}

/** Options of {@link StreamingConfusionMatrix}. */
export interface StreamingConfusionMatrixOptions {
  /** Labels indexing rows and columns (default: every label seen, sorted). */
  labels?: readonly number[];
  /** Shorthand for `labels: [0, …, numClasses − 1]`. */
  numClasses?: number;
  /** Normalization of the result (default none: counts). */
  normalize?: ConfusionNormalize;
  /** For vector predictions: read them as positive-class scores thresholded here. */
  threshold?: number;
}

/** Confusion matrix over batches (exact). */
export class StreamingConfusionMatrix extends StreamingMetricBase<number[][]> {
  /** The counted (true, predicted) pairs. */
  readonly counts = new LabelPairCounts();
  private readonly options: StreamingConfusionMatrixOptions;

  constructor(options: StreamingConfusionMatrixOptions = {}) {
    super();
    this.options = { ...options };
  }

  update(yTrue: MatrixInput, yPred: MatrixInput): void {
    const truth = targetLabels(yTrue);
    const predicted = predictedLabels(yPred, this.options.threshold);
    checkSameLength(truth.length, predicted.length, 'yPred');
    this.counts.addAll(truth, predicted);
  }

  result(): number[][] {
    const labels = resolveLabels(this.counts, this.options.labels, this.options.numClasses);
    return matrixFromCounts(this.counts, labels, this.options.normalize);
  }

  reset(): void {
    this.counts.clear();
  }
}

/** Precision, recall and F1 over batches (exact: computed from the streamed confusion counts). */
export class StreamingPrecisionRecallF1 extends StreamingMetricBase<PrecisionRecallF1Result> {
  private readonly counts = new LabelPairCounts();
  private readonly options: Omit<PrecisionRecallF1Options, 'sampleWeight'>;

  constructor(options: Omit<PrecisionRecallF1Options, 'sampleWeight'> = {}) {
    super();
    this.options = { ...options };
    checkPrfOptions(this.options);
  }

  update(yTrue: MatrixInput, yPred: MatrixInput): void {
    const truth = targetLabels(yTrue);
    const predicted = predictedLabels(yPred, this.options.threshold);
    checkSameLength(truth.length, predicted.length, 'yPred');
    this.counts.addAll(truth, predicted);
  }

  result(): PrecisionRecallF1Result {
    return prfFromCounts(this.counts, this.options);
  }

  reset(): void {
    this.counts.clear();
  }
}

/** Keeps every target row and score row of the batches seen (for ranking metrics). */
class ScoreStore {
  truth: number[] = [];
  scores: number[] = [];
  truthCols = 0;
  scoreCols = 0;
  rows = 0;

  add(yTrue: MatrixInput, scores: MatrixInput): void {
    const t = toTable(yTrue, 'yTrue');
    const s = toTable(scores, 'scores');
    checkSameLength(t.rows, s.rows, 'scores');
    if (this.rows > 0 && (t.cols !== this.truthCols || s.cols !== this.scoreCols)) {
      throw invalidArgument(
        'scores',
        `[${s.rows}, ${s.cols}]`,
        `batches shaped like the first: [n, ${this.scoreCols}]`,
      );
    }
    this.truthCols = t.cols;
    this.scoreCols = s.cols;
    for (let i = 0; i < t.data.length; i++) this.truth.push(t.data[i]);
    for (let i = 0; i < s.data.length; i++) this.scores.push(s.data[i]);
    this.rows += t.rows;
  }

  asInputs(): [number[] | number[][], number[] | number[][]] {
    const rowsOf = (data: number[], cols: number) =>
      cols === 1 ? data : Array.from({ length: this.rows }, (_, r) => data.slice(r * cols, (r + 1) * cols));
    return [rowsOf(this.truth, this.truthCols), rowsOf(this.scores, this.scoreCols)];
  }

  clear(): void {
    this.truth = [];
    this.scores = [];
    this.rows = 0;
  }
}

/** Options of {@link StreamingRocAuc} and {@link StreamingAveragePrecision}. */
export interface StreamingScoreOptions {
  /** Average over classes for scores `[n, k]` (default `'macro'`). */
  average?: ScoreAverage;
}

/** ROC AUC over batches; keeps every label and score (memory grows with the data). */
export class StreamingRocAuc extends StreamingMetricBase<number> {
  private readonly store = new ScoreStore();
  private readonly average?: ScoreAverage;

  constructor(options: StreamingScoreOptions = {}) {
    super();
    this.average = options.average;
  }

  update(yTrue: MatrixInput, scores: MatrixInput): void {
    this.store.add(yTrue, scores);
  }

  result(): number {
    const [truth, scores] = this.store.asInputs();
    return rocAuc(truth, scores, { average: this.average });
  }

  reset(): void {
    this.store.clear();
  }
}

/** Average precision over batches; keeps every label and score (memory grows with the data). */
export class StreamingAveragePrecision extends StreamingMetricBase<number> {
  private readonly store = new ScoreStore();
  private readonly options: StreamingScoreOptions & { posLabel?: number };

  constructor(
    options: StreamingScoreOptions & {
      /** Positive label for one score per sample (default 1). */ posLabel?: number;
    } = {},
  ) {
    super();
    this.options = { ...options };
  }

  update(yTrue: MatrixInput, scores: MatrixInput): void {
    this.store.add(yTrue, scores);
  }

  result(): number {
    const [truth, scores] = this.store.asInputs();
    return averagePrecision(truth, scores, this.options);
  }

  reset(): void {
    this.store.clear();
  }
}

/** Log loss over batches (exact: a running sum of per-sample losses). */
export class StreamingLogLoss extends StreamingMetricBase<number> {
  private sum = 0;
  private count = 0;
  private readonly eps?: number | 'auto';

  constructor(
    options: { /** Clipping ε (default `'auto'`, see {@link logLoss}). */ eps?: number | 'auto' } = {},
  ) {
    super();
    this.eps = options.eps;
  }

  update(yTrue: MatrixInput, probabilities: MatrixInput): void {
    const labels = targetLabels(yTrue);
    const table = toTable(probabilities, 'probabilities');
    checkSameLength(labels.length, table.rows, 'probabilities');
    for (const loss of perSampleLogLoss(labels, table, resolveEps(this.eps, table))) this.sum += loss;
    this.count += labels.length;
  }

  /** Mean log loss (NaN before any sample). */
  result(): number {
    return this.sum / this.count;
  }

  reset(): void {
    this.sum = 0;
    this.count = 0;
  }
}

/** Expected calibration error over batches (exact: per-bin sums). */
export class StreamingCalibrationError extends StreamingMetricBase<number> {
  private bins: CalibrationBins;
  private total = 0;
  private readonly numBins: number;

  constructor(options: { /** Number of equal-width bins (default 15). */ numBins?: number } = {}) {
    super();
    this.numBins = checkBins(options.numBins);
    this.bins = emptyBins(this.numBins);
  }

  update(yTrue: MatrixInput, probabilities: MatrixInput): void {
    const labels = targetLabels(yTrue);
    const table = toTable(probabilities, 'probabilities');
    checkSameLength(labels.length, table.rows, 'probabilities');
    addToBins(this.bins, labels, table);
    this.total += labels.length;
  }

  /** ECE (NaN before any sample). */
  result(): number {
    return this.total === 0 ? Number.NaN : eceFromBins(this.bins, this.total);
  }

  reset(): void {
    this.bins = emptyBins(this.numBins);
    this.total = 0;
  }
}
