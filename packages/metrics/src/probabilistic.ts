/**
 * Metrics of predicted probabilities: log loss with scikit-learn 1.2's definition
 * (`sklearn.metrics.log_loss`: clip to [ε, 1 − ε], renormalize rows, mean of −log p_y) and the
 * expected calibration error of Guo et al., "On Calibration of Modern Neural Networks", ICML 2017
 * (equal-width bins on the max-probability confidence).
 */
import { invalidArgument } from '@tfzoo/core';
import {
  argmaxRow,
  checkSameLength,
  type MatrixInput,
  sampleWeights,
  type Table,
  targetLabels,
  toTable,
  type VectorInput,
} from './inputs.js';

/** Machine epsilon of float32, scikit-learn's `eps='auto'` for float32 probabilities. */
export const FLOAT32_EPSILON = 1.1920928955078125e-7;

/** Options of {@link logLoss}. */
export interface LogLossOptions {
  /**
   * Clipping ε (default `'auto'`: the machine epsilon of the input's dtype, 1.19e-7 for float32
   * tensors and Float32Arrays, 2.2e-16 otherwise, as scikit-learn 1.2).
   */
  eps?: number | 'auto';
  /** Return the mean (default true) or the sum of per-sample losses. */
  normalize?: boolean;
  /** One weight per sample. */
  sampleWeight?: VectorInput;
}

/** Resolves the ε option for a table of probabilities. */
export function resolveEps(eps: number | 'auto' | undefined, table: Table): number {
  if (eps === undefined || eps === 'auto') return table.float32 ? FLOAT32_EPSILON : Number.EPSILON;
  if (typeof eps !== 'number' || !(eps >= 0 && eps < 0.5)) {
    throw invalidArgument('options.eps', eps, "'auto' or a number in [0, 0.5)");
  }
  return eps;
}

/**
 * Per-sample log losses −log p̂_y after scikit-learn's clipping and renormalization. `probabilities`
 * is `[n, k]` (class probabilities) or `[n]` (probability of class 1); labels index the classes.
 */
export function perSampleLogLoss(labels: readonly number[], table: Table, eps: number): number[] {
  const numClasses = table.cols === 1 ? 2 : table.cols;
  const losses: number[] = new Array(labels.length);
  const clip = (p: number) => Math.min(Math.max(p, eps), 1 - eps);
  for (let r = 0; r < labels.length; r++) {
    const label = labels[r];
    if (label < 0 || label >= numClasses) {
      throw invalidArgument(`yTrue[${r}]`, label, `a class index in [0, ${numClasses})`);
    }
    let total = 0;
    let target = 0;
    if (table.cols === 1) {
      const p = clip(table.data[r]);
      total = 1 - p + p;
      target = label === 1 ? p : 1 - p;
    } else {
      for (let c = 0; c < numClasses; c++) {
        const p = clip(table.data[r * numClasses + c]);
        total += p;
        if (c === label) target = p;
      }
    }
    losses[r] = -Math.log(target / total);
  }
  return losses;
}

/**
 * Log loss (cross-entropy of probabilities), as `sklearn.metrics.log_loss` with
 * `labels = 0..k-1`. `yTrue` holds class indices (or one-hot rows).
 */
export function logLoss(
  yTrue: MatrixInput,
  probabilities: MatrixInput,
  options: LogLossOptions = {},
): number {
  const labels = targetLabels(yTrue);
  const table = toTable(probabilities, 'probabilities');
  checkSameLength(labels.length, table.rows, 'probabilities');
  const losses = perSampleLogLoss(labels, table, resolveEps(options.eps, table));
  const weights = sampleWeights(options.sampleWeight, labels.length);
  let sum = 0;
  let weightSum = 0;
  for (let i = 0; i < losses.length; i++) {
    const w = weights === undefined ? 1 : weights[i];
    sum += w * losses[i];
    weightSum += w;
  }
  return options.normalize === false ? sum : sum / weightSum;
}

/** Options of {@link expectedCalibrationError}. */
export interface CalibrationOptions {
  /** Number of equal-width confidence bins over [0, 1] (default 15, as Guo et al.). */
  numBins?: number;
}

/** Checks the number of bins. */
export function checkBins(numBins: unknown): number {
  const value = numBins === undefined ? 15 : numBins;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw invalidArgument('options.numBins', value, 'a positive integer');
  }
  return value;
}

/** Per-bin sums behind the calibration error: count, sum of confidences, number correct. */
export interface CalibrationBins {
  /** Samples in each bin. */
  count: number[];
  /** Sum of confidences in each bin. */
  confidence: number[];
  /** Correct predictions in each bin. */
  correct: number[];
}

/** Empty {@link CalibrationBins}. */
export function emptyBins(numBins: number): CalibrationBins {
  return {
    count: new Array(numBins).fill(0),
    confidence: new Array(numBins).fill(0),
    correct: new Array(numBins).fill(0),
  };
}

/**
 * Adds samples to calibration bins. Bin b holds confidences in (b/B, (b+1)/B] (NumPy `linspace`
 * edges); a confidence of exactly 0 falls in no bin, as in Guo et al.'s code.
 */
export function addToBins(bins: CalibrationBins, labels: readonly number[], table: Table): void {
  const numBins = bins.count.length;
  const step = 1 / numBins;
  const edge = (b: number) => (b === numBins ? 1 : b * step);
  for (let r = 0; r < labels.length; r++) {
    let confidence: number;
    let predicted: number;
    if (table.cols === 1) {
      const p = table.data[r];
      predicted = p > 0.5 ? 1 : 0;
      confidence = predicted === 1 ? p : 1 - p;
    } else {
      predicted = argmaxRow(table, r);
      confidence = table.data[r * table.cols + predicted];
    }
    let b = Math.min(numBins - 1, Math.max(0, Math.ceil(confidence * numBins) - 1));
    while (b > 0 && confidence <= edge(b)) b--;
    while (b < numBins - 1 && confidence > edge(b + 1)) b++;
    if (!(confidence > edge(b) && confidence <= edge(b + 1))) continue;
    bins.count[b] += 1;
    bins.confidence[b] += confidence;
    if (predicted === labels[r]) bins.correct[b] += 1;
  }
}

/** ECE = Σ_b (n_b / N)·|accuracy_b − confidence_b| from filled bins. */
export function eceFromBins(bins: CalibrationBins, total: number): number {
  let ece = 0;
  for (let b = 0; b < bins.count.length; b++) {
    const n = bins.count[b];
    if (n === 0) continue;
    ece += (n / total) * Math.abs(bins.correct[b] / n - bins.confidence[b] / n);
  }
  return ece;
}

/**
 * Expected calibration error (Guo et al. 2017): samples are binned by confidence (the largest class
 * probability; for a vector of positive-class probabilities p, max(p, 1 − p) with prediction p > 0.5)
 * into `numBins` equal-width bins, and ECE = Σ_b (n_b / N)·|accuracy_b − mean confidence_b|.
 */
export function expectedCalibrationError(
  yTrue: MatrixInput,
  probabilities: MatrixInput,
  options: CalibrationOptions = {},
): number {
  const bins = emptyBins(checkBins(options.numBins));
  const labels = targetLabels(yTrue);
  const table = toTable(probabilities, 'probabilities');
  checkSameLength(labels.length, table.rows, 'probabilities');
  addToBins(bins, labels, table);
  return eceFromBins(bins, labels.length);
}
