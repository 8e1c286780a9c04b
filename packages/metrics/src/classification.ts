/**
 * Label metrics with scikit-learn's definitions (`sklearn.metrics` 1.2): `accuracy_score`,
 * `top_k_accuracy_score`, `confusion_matrix` and `precision_recall_fscore_support` (binary, micro,
 * macro and weighted averages, `zero_division`). All of them are computed from counts, so the
 * streaming versions in `streaming.ts` are exact.
 */
import { invalidArgument, ZooError } from '@tfzoo/core';
import {
  checkSameLength,
  type MatrixInput,
  predictedLabels,
  sampleWeights,
  targetLabels,
  toTable,
  type VectorInput,
} from './inputs.js';

/** Options of {@link accuracy}. */
export interface AccuracyOptions {
  /** Return the fraction of correct samples (default true) or their (weighted) count. */
  normalize?: boolean;
  /** One weight per sample. */
  sampleWeight?: VectorInput;
  /** For vector predictions: read them as positive-class scores and predict 1 where score > threshold. */
  threshold?: number;
}

/**
 * Fraction of correct predictions, as `sklearn.metrics.accuracy_score`. `yTrue` holds labels (or
 * one-hot rows); `yPred` holds labels, or scores `[n, k]` whose argmax is the prediction.
 */
export function accuracy(yTrue: MatrixInput, yPred: MatrixInput, options: AccuracyOptions = {}): number {
  const truth = targetLabels(yTrue);
  const predicted = predictedLabels(yPred, options.threshold);
  checkSameLength(truth.length, predicted.length, 'yPred');
  const weights = sampleWeights(options.sampleWeight, truth.length);
  let correct = 0;
  let total = 0;
  for (let i = 0; i < truth.length; i++) {
    const w = weights === undefined ? 1 : weights[i];
    if (truth[i] === predicted[i]) correct += w;
    total += w;
  }
  return options.normalize === false ? correct : correct / total;
}

/** Options of {@link topKAccuracy}. */
export interface TopKAccuracyOptions {
  /** How many of the highest scores count as a hit (default 5). */
  k?: number;
  /** Return the fraction of hits (default true) or their (weighted) count. */
  normalize?: boolean;
  /** One weight per sample. */
  sampleWeight?: VectorInput;
}

/**
 * Whether class `label` is among the `k` highest scores of a row. Ties are broken as scikit-learn's
 * `top_k_accuracy_score` breaks them (a stable sort, reversed): among equal scores the larger class
 * index ranks first.
 */
export function inTopK(
  scores: ArrayLike<number>,
  offset: number,
  numClasses: number,
  label: number,
  k: number,
): boolean {
  const target = scores[offset + label];
  let rank = 0;
  for (let c = 0; c < numClasses; c++) {
    const s = scores[offset + c];
    if (s > target || (s === target && c > label)) rank++;
  }
  return rank < k;
}

/** Checks a `k` option. */
export function checkK(k: unknown): number {
  const value = k === undefined ? 5 : k;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw invalidArgument('options.k', value, 'a positive integer');
  }
  return value;
}

/**
 * Fraction of samples whose true class is among the `k` highest scores, as
 * `sklearn.metrics.top_k_accuracy_score` for multi-class scores `[n, numClasses]` with
 * `labels = 0..numClasses-1`.
 */
export function topKAccuracy(
  yTrue: MatrixInput,
  scores: MatrixInput,
  options: TopKAccuracyOptions = {},
): number {
  const k = checkK(options.k);
  const truth = targetLabels(yTrue);
  const table = toTable(scores, 'scores');
  if (table.vector || table.cols < 2) {
    throw invalidArgument(
      'scores',
      `shape [${table.rows}${table.vector ? '' : `, ${table.cols}`}]`,
      'scores of shape [n, numClasses]',
    );
  }
  checkSameLength(truth.length, table.rows, 'scores');
  const weights = sampleWeights(options.sampleWeight, truth.length);
  let hits = 0;
  let total = 0;
  for (let i = 0; i < truth.length; i++) {
    if (truth[i] < 0 || truth[i] >= table.cols) {
      throw invalidArgument(`yTrue[${i}]`, truth[i], `a class index in [0, ${table.cols})`);
    }
    const w = weights === undefined ? 1 : weights[i];
    if (inTopK(table.data, i * table.cols, table.cols, truth[i], k)) hits += w;
    total += w;
  }
  return options.normalize === false ? hits : hits / total;
}

/**
 * Counts of (true label, predicted label) pairs, optionally weighted: the sufficient statistics of
 * every confusion-matrix metric. Adding batches gives exactly the counts of the whole set.
 */
export class LabelPairCounts {
  private readonly counts = new Map<number, Map<number, number>>();
  private readonly seen = new Set<number>();

  /** Adds one (true, predicted) pair with weight `weight`. */
  add(truth: number, predicted: number, weight = 1): void {
    let row = this.counts.get(truth);
    if (row === undefined) {
      row = new Map();
      this.counts.set(truth, row);
    }
    row.set(predicted, (row.get(predicted) ?? 0) + weight);
    this.seen.add(truth);
    this.seen.add(predicted);
  }

  /** Adds paired label arrays. */
  addAll(truth: readonly number[], predicted: readonly number[], weights?: readonly number[]): void {
    for (let i = 0; i < truth.length; i++)
      this.add(truth[i], predicted[i], weights === undefined ? 1 : weights[i]);
  }

  /** The labels seen in either role, sorted (scikit-learn's `unique_labels`). */
  labels(): number[] {
    return [...this.seen].sort((a, b) => a - b);
  }

  /** The (weighted) count of pairs (truth, predicted). */
  count(truth: number, predicted: number): number {
    return this.counts.get(truth)?.get(predicted) ?? 0;
  }

  /** Per label: true positives, predicted count and true count. */
  sums(labels: readonly number[]): { tp: number[]; predicted: number[]; actual: number[] } {
    const index = new Map(labels.map((l, i) => [l, i]));
    const tp = labels.map(() => 0);
    const predicted = labels.map(() => 0);
    const actual = labels.map(() => 0);
    for (const [truth, row] of this.counts) {
      for (const [guess, n] of row) {
        const ti = index.get(truth);
        const pi = index.get(guess);
        if (ti !== undefined) actual[ti] += n;
        if (pi !== undefined) predicted[pi] += n;
        if (ti !== undefined && truth === guess) tp[ti] += n;
      }
    }
    return { tp, predicted, actual };
  }

  /** Forgets every count. */
  clear(): void {
    this.counts.clear();
    this.seen.clear();
  }
}

/** How {@link confusionMatrix} normalizes: over true labels (rows), predictions (columns), or all. */
export type ConfusionNormalize = 'true' | 'pred' | 'all';

/** Options of {@link confusionMatrix}. */
export interface ConfusionMatrixOptions {
  /** Labels indexing rows and columns, in this order (default: every label seen, sorted). */
  labels?: readonly number[];
  /** Shorthand for `labels: [0, 1, …, numClasses − 1]`. */
  numClasses?: number;
  /** One weight per sample. */
  sampleWeight?: VectorInput;
  /** Normalization (default none: counts). Rows or columns that sum to 0 stay 0, as in scikit-learn. */
  normalize?: ConfusionNormalize;
  /** For vector predictions: read them as positive-class scores thresholded here. */
  threshold?: number;
}

/** Resolves the `labels` / `numClasses` options against the labels seen. */
export function resolveLabels(
  counts: LabelPairCounts,
  labels: readonly number[] | undefined,
  numClasses: number | undefined,
): number[] {
  if (labels !== undefined) {
    if (!Array.isArray(labels) || labels.length === 0 || !labels.every(Number.isInteger)) {
      throw invalidArgument('options.labels', labels, 'a non-empty array of integer labels');
    }
    return [...labels];
  }
  if (numClasses !== undefined) {
    if (!Number.isInteger(numClasses) || numClasses < 1) {
      throw invalidArgument('options.numClasses', numClasses, 'a positive integer');
    }
    return Array.from({ length: numClasses }, (_, i) => i);
  }
  return counts.labels();
}

/** The confusion matrix of counted pairs: rows are true labels, columns predictions. */
export function matrixFromCounts(
  counts: LabelPairCounts,
  labels: readonly number[],
  normalize?: ConfusionNormalize,
): number[][] {
  const matrix = labels.map((t) => labels.map((p) => counts.count(t, p)));
  if (normalize === undefined) return matrix;
  if (normalize === 'true') {
    return matrix.map((row) => {
      const total = row.reduce((a, b) => a + b, 0);
      return row.map((v) => (total === 0 ? 0 : v / total));
    });
  }
  if (normalize === 'pred') {
    const totals = labels.map((_, j) => matrix.reduce((a, row) => a + row[j], 0));
    return matrix.map((row) => row.map((v, j) => (totals[j] === 0 ? 0 : v / totals[j])));
  }
  if (normalize === 'all') {
    const total = matrix.reduce((a, row) => a + row.reduce((b, v) => b + v, 0), 0);
    return matrix.map((row) => row.map((v) => (total === 0 ? 0 : v / total)));
  }
  throw invalidArgument('options.normalize', normalize, "'true', 'pred', 'all' or undefined");
}

/**
 * Confusion matrix, as `sklearn.metrics.confusion_matrix`: entry [i][j] counts samples of true label
 * `labels[i]` predicted as `labels[j]`; samples whose labels are outside `labels` are left out.
 */
export function confusionMatrix(
  yTrue: MatrixInput,
  yPred: MatrixInput,
  options: ConfusionMatrixOptions = {},
): number[][] {
  const truth = targetLabels(yTrue);
  const predicted = predictedLabels(yPred, options.threshold);
  checkSameLength(truth.length, predicted.length, 'yPred');
  const counts = new LabelPairCounts();
  counts.addAll(truth, predicted, sampleWeights(options.sampleWeight, truth.length));
  return matrixFromCounts(
    counts,
    resolveLabels(counts, options.labels, options.numClasses),
    options.normalize,
  );
}

/** Averages of {@link precisionRecallF1}. */
export type PrfAverage = 'binary' | 'micro' | 'macro' | 'weighted';

/** Options of {@link precisionRecallF1}. */
export interface PrecisionRecallF1Options {
  /** How per-label scores are combined (default `'binary'`, as scikit-learn). */
  average?: PrfAverage;
  /** The positive label of `'binary'` (default 1). */
  posLabel?: number;
  /** Labels to score (default: every label seen, sorted); ignored by `'binary'`. */
  labels?: readonly number[];
  /** Value of a ratio whose denominator is 0: 0 (default; scikit-learn's `'warn'`, without the warning) or 1. */
  zeroDivision?: 0 | 1;
  /** One weight per sample. */
  sampleWeight?: VectorInput;
  /** For vector predictions: read them as positive-class scores thresholded here. */
  threshold?: number;
}

/** Per-label scores behind an averaged {@link PrecisionRecallF1Result}. */
export interface PerLabelScores {
  /** The labels scored, in order. */
  labels: number[];
  /** Precision of each label. */
  precision: number[];
  /** Recall of each label. */
  recall: number[];
  /** F1 of each label. */
  f1: number[];
  /** Number (or weight) of true samples of each label. */
  support: number[];
}

/** Result of {@link precisionRecallF1}. */
export interface PrecisionRecallF1Result {
  /** Averaged precision. */
  precision: number;
  /** Averaged recall. */
  recall: number;
  /** Averaged F1 (for `'macro'` / `'weighted'`, the average of per-label F1, as scikit-learn). */
  f1: number;
  /** Per-label scores (scikit-learn's `average=None`) over the labels used. */
  perLabel: PerLabelScores;
}

/** Validates the average and zero-division options of {@link precisionRecallF1}. */
export function checkPrfOptions(options: PrecisionRecallF1Options): {
  average: PrfAverage;
  zeroDivision: 0 | 1;
} {
  const average = options.average ?? 'binary';
  if (!['binary', 'micro', 'macro', 'weighted'].includes(average)) {
    throw invalidArgument('options.average', average, "'binary', 'micro', 'macro' or 'weighted'");
  }
  const zeroDivision = options.zeroDivision ?? 0;
  if (zeroDivision !== 0 && zeroDivision !== 1) {
    throw invalidArgument('options.zeroDivision', zeroDivision, '0 or 1');
  }
  return { average, zeroDivision };
}

/** Precision, recall and F1 from counted pairs, exactly as `precision_recall_fscore_support`. */
export function prfFromCounts(
  counts: LabelPairCounts,
  options: PrecisionRecallF1Options = {},
): PrecisionRecallF1Result {
  const { average, zeroDivision } = checkPrfOptions(options);
  let labels: number[];
  if (average === 'binary') {
    const posLabel = options.posLabel ?? 1;
    const present = counts.labels();
    if (present.length > 2) {
      throw new ZooError(
        'INVALID_ARGUMENT',
        `average 'binary' needs at most 2 labels; received labels ${JSON.stringify(present)}. Choose 'micro', 'macro' or 'weighted'`,
        { received: present, expected: 'at most 2 labels' },
      );
    }
    if (!present.includes(posLabel) && present.length === 2) {
      throw invalidArgument('options.posLabel', posLabel, `one of the labels ${JSON.stringify(present)}`);
    }
    labels = [posLabel];
  } else {
    labels = resolveLabels(counts, options.labels, undefined);
  }
  const { tp, predicted, actual } = counts.sums(labels);
  const divide = (a: number, b: number) => (b === 0 ? zeroDivision : a / b);
  const f1Of = (p: number, r: number) => (p + r === 0 ? 0 : (2 * p * r) / (p + r));
  const precisions = labels.map((_, i) => divide(tp[i], predicted[i]));
  const recalls = labels.map((_, i) => divide(tp[i], actual[i]));
  const f1s = labels.map((_, i) => f1Of(precisions[i], recalls[i]));
  const perLabel = { labels, precision: precisions, recall: recalls, f1: f1s, support: actual };
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  if (average === 'micro') {
    const p = divide(sum(tp), sum(predicted));
    const r = divide(sum(tp), sum(actual));
    return { precision: p, recall: r, f1: f1Of(p, r), perLabel };
  }
  if (average === 'weighted') {
    const total = sum(actual);
    if (total === 0) {
      if (sum(predicted) === 0)
        return { precision: zeroDivision, recall: zeroDivision, f1: zeroDivision, perLabel };
      return { precision: 0, recall: zeroDivision, f1: 0, perLabel };
    }
    const weighted = (xs: number[]) => sum(xs.map((x, i) => x * actual[i])) / total;
    return { precision: weighted(precisions), recall: weighted(recalls), f1: weighted(f1s), perLabel };
  }
  const mean = (xs: number[]) => sum(xs) / xs.length;
  return { precision: mean(precisions), recall: mean(recalls), f1: mean(f1s), perLabel };
}

/**
 * Precision, recall and F1, as `sklearn.metrics.precision_recall_fscore_support` (and
 * `precision_score`, `recall_score`, `f1_score`) with the same label set, averages and
 * `zero_division` rule.
 */
export function precisionRecallF1(
  yTrue: MatrixInput,
  yPred: MatrixInput,
  options: PrecisionRecallF1Options = {},
): PrecisionRecallF1Result {
  const truth = targetLabels(yTrue);
  const predicted = predictedLabels(yPred, options.threshold);
  checkSameLength(truth.length, predicted.length, 'yPred');
  const counts = new LabelPairCounts();
  counts.addAll(truth, predicted, sampleWeights(options.sampleWeight, truth.length));
  return prfFromCounts(counts, options);
}
