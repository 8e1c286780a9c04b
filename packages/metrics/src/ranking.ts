/**
 * Score-ranking metrics with scikit-learn 1.2's definitions: `roc_curve` (with
 * `drop_intermediate=True` and the first threshold `max(score) + 1`), `roc_auc_score` (binary, and
 * one-vs-rest `macro` / `weighted` / `micro` for multi-class or multi-label targets),
 * `precision_recall_curve` and `average_precision_score` (the step-wise sum Σ(Rₙ − Rₙ₋₁)·Pₙ, no
 * interpolation). Tied scores form one threshold, exactly as `_binary_clf_curve`.
 */
import { invalidArgument, ZooError } from '@tfzoo/core';
import {
  checkSameLength,
  type MatrixInput,
  sampleWeights,
  type Table,
  targetLabels,
  toTable,
  type VectorInput,
} from './inputs.js';

/** Points of a ROC curve, by decreasing threshold. */
export interface RocCurve {
  /** False-positive rates (NaN everywhere when there is no negative sample, as scikit-learn). */
  fpr: number[];
  /** True-positive rates (NaN everywhere when there is no positive sample). */
  tpr: number[];
  /** Thresholds; the first is `thresholds[1] + 1` (scikit-learn 1.2), standing for "predict nothing". */
  thresholds: number[];
}

/** Points of a precision–recall curve, by increasing threshold (recall decreasing). */
export interface PrecisionRecallCurve {
  /** Precision at each threshold, then a final 1. */
  precision: number[];
  /** Recall at each threshold, then a final 0. */
  recall: number[];
  /** The distinct scores, increasing. */
  thresholds: number[];
}

/** Options of the binary curves. */
export interface CurveOptions {
  /** The positive label (default 1; without it labels must be {0, 1} or {−1, 1}). */
  posLabel?: number;
  /** One weight per sample. */
  sampleWeight?: VectorInput;
}

/** Options of {@link rocCurve}. */
export interface RocCurveOptions extends CurveOptions {
  /** Drop points collinear with their neighbours, which do not change the AUC (default true). */
  dropIntermediate?: boolean;
}

/** Cumulative false and true positives at each distinct score, by decreasing score. */
export interface BinaryCounts {
  /** (Weighted) false positives at or above each threshold. */
  fps: number[];
  /** (Weighted) true positives at or above each threshold. */
  tps: number[];
  /** The distinct scores, decreasing. */
  thresholds: number[];
}

/**
 * scikit-learn's `_binary_clf_curve`: sorts by decreasing score and accumulates positives and
 * negatives at the last index of each run of tied scores.
 */
export function binaryCounts(
  positive: ArrayLike<boolean>,
  scores: ArrayLike<number>,
  weights?: ArrayLike<number>,
): BinaryCounts {
  const n = scores.length;
  // np.argsort(kind="mergesort")[::-1]: a stable ascending sort, reversed.
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) =>
    scores[a] < scores[b] ? -1 : scores[a] > scores[b] ? 1 : 0,
  );
  order.reverse();
  const fps: number[] = [];
  const tps: number[] = [];
  const thresholds: number[] = [];
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < n; i++) {
    const j = order[i];
    const w = weights === undefined ? 1 : weights[j];
    if (positive[j]) tp += w;
    else if (weights !== undefined) fp += w;
    if (i === n - 1 || scores[order[i + 1]] !== scores[j]) {
      tps.push(tp);
      fps.push(weights === undefined ? 1 + i - tp : fp);
      thresholds.push(scores[j]);
    }
  }
  return { fps, tps, thresholds };
}

/** Checks a score vector for NaN (scikit-learn rejects non-finite scores too). */
function checkScores(scores: ArrayLike<number>, what: string): void {
  for (let i = 0; i < scores.length; i++) {
    if (Number.isNaN(scores[i])) throw invalidArgument(`${what}[${i}]`, scores[i], 'a number (not NaN)');
  }
}

/** Positive mask from binary labels, with scikit-learn's `pos_label` rule. */
function positives(labels: readonly number[], posLabel: number | undefined): boolean[] {
  if (posLabel === undefined) {
    const distinct = [...new Set(labels)].sort((a, b) => a - b);
    const ok = distinct.every((l) => l === 0 || l === 1) || distinct.every((l) => l === -1 || l === 1);
    if (!ok) {
      throw invalidArgument('yTrue', distinct, 'labels in {0, 1} or {-1, 1}, or options.posLabel');
    }
    posLabel = 1;
  }
  return labels.map((l) => l === posLabel);
}

function binaryInputs(
  yTrue: VectorInput,
  scores: VectorInput,
  options: CurveOptions,
): { positive: boolean[]; values: ArrayLike<number>; weights?: number[] } {
  const labels = targetLabels(yTrue);
  const table = toTable(scores, 'scores');
  if (table.cols !== 1)
    throw invalidArgument('scores', `shape [${table.rows}, ${table.cols}]`, 'one score per sample');
  checkSameLength(labels.length, table.rows, 'scores');
  checkScores(table.data, 'scores');
  return {
    positive: positives(labels, options.posLabel),
    values: table.data,
    weights: sampleWeights(options.sampleWeight, labels.length),
  };
}

/** Second difference test of `roc_curve(drop_intermediate=True)`: keep corners only. */
function dropIntermediate(counts: BinaryCounts): BinaryCounts {
  const { fps, tps, thresholds } = counts;
  if (fps.length <= 2) return counts;
  const keep: number[] = [0];
  for (let i = 1; i < fps.length - 1; i++) {
    // np.diff(x, 2), in NumPy's order of operations.
    const d2f = fps[i + 1] - fps[i] - (fps[i] - fps[i - 1]);
    const d2t = tps[i + 1] - tps[i] - (tps[i] - tps[i - 1]);
    if (d2f !== 0 || d2t !== 0) keep.push(i);
  }
  keep.push(fps.length - 1);
  return {
    fps: keep.map((i) => fps[i]),
    tps: keep.map((i) => tps[i]),
    thresholds: keep.map((i) => thresholds[i]),
  };
}

/** The ROC curve of counted scores, as the tail of `roc_curve`. */
export function rocFromCounts(counts: BinaryCounts, drop = true): RocCurve {
  const c = drop ? dropIntermediate(counts) : counts;
  const fps = [0, ...c.fps];
  const tps = [0, ...c.tps];
  const thresholds = [c.thresholds[0] + 1, ...c.thresholds];
  const lastF = fps[fps.length - 1];
  const lastT = tps[tps.length - 1];
  return {
    fpr: fps.map((f) => (lastF <= 0 ? Number.NaN : f / lastF)),
    tpr: tps.map((t) => (lastT <= 0 ? Number.NaN : t / lastT)),
    thresholds,
  };
}

/**
 * Receiver operating characteristic, as `sklearn.metrics.roc_curve` (scikit-learn 1.2.1: the extra
 * first threshold is `thresholds[0] + 1`; newer releases use +∞).
 */
export function rocCurve(yTrue: VectorInput, scores: VectorInput, options: RocCurveOptions = {}): RocCurve {
  const { positive, values, weights } = binaryInputs(yTrue, scores, options);
  return rocFromCounts(binaryCounts(positive, values, weights), options.dropIntermediate ?? true);
}

/** Area under a curve by the trapezoidal rule, as `sklearn.metrics.auc` (x monotonic). */
export function auc(x: readonly number[], y: readonly number[]): number {
  if (x.length < 2 || x.length !== y.length) {
    throw invalidArgument('x', x.length, `at least 2 points and as many as y (${y.length})`);
  }
  let direction = 1;
  for (let i = 1; i < x.length; i++) {
    if (x[i] < x[i - 1]) {
      direction = -1;
      break;
    }
  }
  if (direction === -1 && x.some((v, i) => i > 0 && v > x[i - 1])) {
    throw invalidArgument('x', x, 'monotonic values');
  }
  let area = 0;
  for (let i = 1; i < x.length; i++) area += ((x[i] - x[i - 1]) * (y[i] + y[i - 1])) / 2;
  return direction * area;
}

/** Binary ROC AUC of a positive mask and scores; throws when only one class is present. */
export function binaryRocAuc(
  positive: ArrayLike<boolean>,
  scores: ArrayLike<number>,
  weights?: ArrayLike<number>,
): number {
  let pos = 0;
  for (let i = 0; i < positive.length; i++) if (positive[i]) pos++;
  if (pos === 0 || pos === positive.length) {
    throw new ZooError(
      'INVALID_ARGUMENT',
      `ROC AUC needs both classes in yTrue; received ${pos} positive of ${positive.length} samples`,
      { received: pos, expected: 'at least one positive and one negative sample' },
    );
  }
  const roc = rocFromCounts(binaryCounts(positive, scores, weights), true);
  return auc(roc.fpr, roc.tpr);
}

/** Averages over classes of {@link rocAuc} and {@link averagePrecision}. */
export type ScoreAverage = 'macro' | 'weighted' | 'micro';

/** Options of {@link rocAuc} and {@link averagePrecision}. */
export interface ScoreAverageOptions {
  /** How per-class scores of multi-class or multi-label data are combined (default `'macro'`). */
  average?: ScoreAverage;
  /** One weight per sample. */
  sampleWeight?: VectorInput;
}

/** One-vs-rest indicator matrix of targets: indices `[n]` with `numClasses`, or indicator rows. */
function indicator(yTrue: MatrixInput, numClasses: number, rows: number): Uint8Array {
  const truthTable = toTable(yTrue, 'yTrue');
  const out = new Uint8Array(rows * numClasses);
  if (truthTable.cols === numClasses && numClasses > 1) {
    for (let i = 0; i < out.length; i++) out[i] = truthTable.data[i] > 0 ? 1 : 0;
    return out;
  }
  const labels = targetLabels(yTrue);
  checkSameLength(labels.length, rows, 'scores');
  labels.forEach((label, r) => {
    if (label < 0 || label >= numClasses) {
      throw invalidArgument(`yTrue[${r}]`, label, `a class index in [0, ${numClasses})`);
    }
    out[r * numClasses + label] = 1;
  });
  return out;
}

/** scikit-learn's `_average_binary_score` over the columns of an indicator matrix. */
export function averageOverClasses(
  truth: Uint8Array,
  scores: Table,
  weights: number[] | undefined,
  average: ScoreAverage,
  metric: (positive: ArrayLike<boolean>, scores: ArrayLike<number>, weights?: ArrayLike<number>) => number,
): number {
  if (!['macro', 'weighted', 'micro'].includes(average)) {
    throw invalidArgument('options.average', average, "'macro', 'weighted' or 'micro'");
  }
  const { rows, cols } = scores;
  if (average === 'micro') {
    const positive = Array.from(truth, (t) => t === 1);
    const flatWeights =
      weights === undefined
        ? undefined
        : Array.from({ length: rows * cols }, (_, i) => weights[Math.floor(i / cols)]);
    return metric(positive, scores.data, flatWeights);
  }
  const perClass: number[] = [];
  const classWeights: number[] = [];
  for (let c = 0; c < cols; c++) {
    const positive: boolean[] = new Array(rows);
    const column: number[] = new Array(rows);
    let support = 0;
    for (let r = 0; r < rows; r++) {
      positive[r] = truth[r * cols + c] === 1;
      column[r] = scores.data[r * cols + c];
      if (positive[r]) support += weights === undefined ? 1 : weights[r];
    }
    perClass.push(metric(positive, column, weights));
    classWeights.push(support);
  }
  if (average === 'weighted') {
    const total = classWeights.reduce((a, b) => a + b, 0);
    if (total === 0) return 0;
    return perClass.reduce((a, s, c) => a + s * classWeights[c], 0) / total;
  }
  return perClass.reduce((a, b) => a + b, 0) / perClass.length;
}

/**
 * Area under the ROC curve, as `sklearn.metrics.roc_auc_score`. Scores `[n]` (or `[n, 1]`): binary,
 * the larger label is positive. Scores `[n, k]`: one-vs-rest over k classes against class indices or
 * an indicator matrix (`multi_class='ovr'`; the scores are not required to sum to 1). Throws when a
 * class has no positive or no negative sample, as scikit-learn does.
 */
export function rocAuc(yTrue: MatrixInput, scores: MatrixInput, options: ScoreAverageOptions = {}): number {
  const table = toTable(scores, 'scores');
  checkScores(table.data, 'scores');
  const weights = sampleWeights(options.sampleWeight, table.rows);
  if (table.cols === 1) {
    const labels = targetLabels(yTrue);
    checkSameLength(labels.length, table.rows, 'scores');
    const distinct = [...new Set(labels)].sort((a, b) => a - b);
    if (distinct.length > 2) throw invalidArgument('yTrue', distinct, 'two labels for one score per sample');
    const top = distinct[distinct.length - 1];
    return binaryRocAuc(
      labels.map((l) => distinct.length === 2 && l === top),
      table.data,
      weights,
    );
  }
  return averageOverClasses(
    indicator(yTrue, table.cols, table.rows),
    table,
    weights,
    options.average ?? 'macro',
    binaryRocAuc,
  );
}

/** The precision–recall curve of counted scores, as the tail of `precision_recall_curve`. */
export function prFromCounts(counts: BinaryCounts): PrecisionRecallCurve {
  const { fps, tps, thresholds } = counts;
  const last = tps[tps.length - 1];
  const precision = tps.map((t, i) => (t + fps[i] === 0 ? 0 : t / (t + fps[i])));
  const recall = tps.map((t) => (last === 0 ? 1 : t / last));
  return {
    precision: [...precision.reverse(), 1],
    recall: [...recall.reverse(), 0],
    thresholds: [...thresholds].reverse(),
  };
}

/** Precision–recall pairs at every distinct score, as `sklearn.metrics.precision_recall_curve` (1.2). */
export function precisionRecallCurve(
  yTrue: VectorInput,
  scores: VectorInput,
  options: CurveOptions = {},
): PrecisionRecallCurve {
  const { positive, values, weights } = binaryInputs(yTrue, scores, options);
  return prFromCounts(binaryCounts(positive, values, weights));
}

/** Average precision Σ(Rₙ − Rₙ₋₁)·Pₙ of a positive mask and scores (0 when there is no positive). */
export function binaryAveragePrecision(
  positive: ArrayLike<boolean>,
  scores: ArrayLike<number>,
  weights?: ArrayLike<number>,
): number {
  const { precision, recall } = prFromCounts(binaryCounts(positive, scores, weights));
  let total = 0;
  for (let i = 0; i < recall.length - 1; i++) total += (recall[i + 1] - recall[i]) * precision[i];
  return -total;
}

/** Options of {@link averagePrecision}. */
export interface AveragePrecisionOptions extends ScoreAverageOptions {
  /** The positive label for one score per sample (default 1). */
  posLabel?: number;
}

/**
 * Average precision, as `sklearn.metrics.average_precision_score`. Scores `[n]`: binary with
 * `posLabel`. Scores `[n, k]`: per class against class indices or an indicator matrix, averaged.
 */
export function averagePrecision(
  yTrue: MatrixInput,
  scores: MatrixInput,
  options: AveragePrecisionOptions = {},
): number {
  const table = toTable(scores, 'scores');
  checkScores(table.data, 'scores');
  const weights = sampleWeights(options.sampleWeight, table.rows);
  if (table.cols === 1) {
    const labels = targetLabels(yTrue);
    checkSameLength(labels.length, table.rows, 'scores');
    const posLabel = options.posLabel ?? 1;
    const present = [...new Set(labels)].sort((a, b) => a - b);
    if (present.length === 2 && !present.includes(posLabel)) {
      throw invalidArgument('options.posLabel', posLabel, `one of the labels ${JSON.stringify(present)}`);
    }
    if (present.length > 2) throw invalidArgument('yTrue', present, 'two labels for one score per sample');
    return binaryAveragePrecision(
      labels.map((l) => l === posLabel),
      table.data,
      weights,
    );
  }
  return averageOverClasses(
    indicator(yTrue, table.cols, table.rows),
    table,
    weights,
    options.average ?? 'macro',
    binaryAveragePrecision,
  );
}
