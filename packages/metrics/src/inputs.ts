/**
 * Reading metric inputs: tensors, typed arrays, plain arrays and arrays of rows, as a row-major table
 * of numbers. The synchronous functions read tensors with `dataSync`; {@link readInput} reads them
 * asynchronously first, for backends that cannot read synchronously (WebGPU in Node) and for loops
 * that must not stall the GPU.
 */
import * as tf from '@tensorflow/tfjs-core';
import { invalidArgument } from '@tfzoo/core';

/** A vector of numbers: a rank-1 tensor (or `[n, 1]`), a typed array or an array. */
export type VectorInput = tf.Tensor | ArrayLike<number>;

/** A vector or a matrix `[n, numClasses]`: a tensor, a typed array, an array or an array of rows. */
export type MatrixInput = tf.Tensor | ArrayLike<number> | ReadonlyArray<ArrayLike<number>>;

/** A row-major table of numbers read from an input; `cols` is 1 for vectors. */
export interface Table {
  /** The numbers, row after row. */
  data: ArrayLike<number>;
  /** Number of rows (samples). */
  rows: number;
  /** Number of columns (1 for a vector). */
  cols: number;
  /** Whether the input was a vector (rank 1) rather than a matrix. */
  vector: boolean;
  /** Whether the numbers are float32 (a float32 tensor or a Float32Array). */
  float32: boolean;
}

/** Reads an input into a {@link Table}; throws naming `what` when it is not a vector or matrix. */
export function toTable(input: MatrixInput, what: string): Table {
  if (input instanceof tf.Tensor) {
    if (input.rank !== 1 && input.rank !== 2) {
      throw invalidArgument(what, input.shape, 'a tensor of shape [n] or [n, k]');
    }
    let data: ArrayLike<number>;
    try {
      data = input.dataSync() as ArrayLike<number>;
    } catch (error) {
      // WebGPU in Node has no OffscreenCanvas, which tfjs-backend-webgpu's synchronous read needs.
      throw invalidArgument(
        what,
        `a ${input.dtype} tensor that the ${tf.getBackend()} backend cannot read synchronously (${String(
          (error as Error)?.message ?? error,
        ).slice(0, 200)})`,
        'an input read with `await readInput(tensor)` first, or `await metric.updateAsync(...)`',
      );
    }
    return {
      data,
      rows: input.shape[0] as number,
      cols: input.rank === 2 ? (input.shape[1] as number) : 1,
      vector: input.rank === 1,
      float32: input.dtype === 'float32',
    };
  }
  if (
    input === null ||
    typeof input !== 'object' ||
    typeof (input as ArrayLike<unknown>).length !== 'number'
  ) {
    throw invalidArgument(what, input, 'a tensor, a typed array, an array or an array of rows');
  }
  const rowsLike = input as ArrayLike<unknown>;
  if (rowsLike.length > 0 && typeof rowsLike[0] === 'object' && rowsLike[0] !== null) {
    const rows = Array.from(rowsLike as ArrayLike<ArrayLike<number>>);
    const cols = rows[0].length;
    const data: number[] = [];
    rows.forEach((row, i) => {
      if (row === null || typeof row !== 'object' || row.length !== cols) {
        throw invalidArgument(`${what}[${i}]`, row, `a row of ${cols} numbers`);
      }
      for (let j = 0; j < cols; j++) data.push(Number(row[j]));
    });
    return { data, rows: rows.length, cols, vector: false, float32: rows[0] instanceof Float32Array };
  }
  return {
    data: input as ArrayLike<number>,
    rows: rowsLike.length,
    cols: 1,
    vector: true,
    float32: input instanceof Float32Array,
  };
}

/**
 * Reads a tensor input asynchronously (`await tensor.data()`): a rank-1 tensor becomes its typed
 * array, a rank-2 one an array of row views (`subarray`s of one read), so that the synchronous metric
 * functions never call `dataSync`. Other inputs are returned as they are; the tensor is not disposed.
 * A float32 tensor stays float32 (its log-loss `eps: 'auto'` stays float32's epsilon).
 */
export async function readInput(input: MatrixInput, what = 'input'): Promise<MatrixInput> {
  if (!(input instanceof tf.Tensor)) return input;
  if (input.rank !== 1 && input.rank !== 2) {
    throw invalidArgument(what, input.shape, 'a tensor of shape [n] or [n, k]');
  }
  const data = (await input.data()) as Float32Array | Int32Array | Uint8Array;
  if (input.rank === 1) return data;
  const [rows, cols] = input.shape as [number, number];
  const out: ArrayLike<number>[] = new Array(rows);
  for (let r = 0; r < rows; r++) out[r] = data.subarray(r * cols, (r + 1) * cols);
  return out;
}

/** Index of the first largest value in row `r` (NumPy's `argmax`). */
export function argmaxRow(table: Table, r: number): number {
  let best = 0;
  let bestValue = table.data[r * table.cols];
  for (let c = 1; c < table.cols; c++) {
    const v = table.data[r * table.cols + c];
    if (v > bestValue) {
      bestValue = v;
      best = c;
    }
  }
  return best;
}

function checkInteger(value: number, what: string, index: number): number {
  if (!Number.isInteger(value)) throw invalidArgument(`${what}[${index}]`, value, 'an integer class label');
  return value;
}

/**
 * Class labels from targets: integer labels `[n]` / `[n, 1]`, or one-hot rows `[n, k]` (k ≥ 2,
 * read with argmax).
 */
export function targetLabels(yTrue: MatrixInput, what = 'yTrue'): number[] {
  const table = toTable(yTrue, what);
  const labels: number[] = new Array(table.rows);
  for (let r = 0; r < table.rows; r++) {
    labels[r] = table.cols > 1 ? argmaxRow(table, r) : checkInteger(table.data[r], what, r);
  }
  return labels;
}

/**
 * Predicted labels: scores `[n, k]` (k ≥ 2) give their argmax; a vector (or `[n, 1]`) holds labels,
 * or positive-class probabilities/scores when `threshold` is given (label 1 where score > threshold).
 */
export function predictedLabels(yPred: MatrixInput, threshold: number | undefined, what = 'yPred'): number[] {
  const table = toTable(yPred, what);
  const labels: number[] = new Array(table.rows);
  for (let r = 0; r < table.rows; r++) {
    if (table.cols > 1) labels[r] = argmaxRow(table, r);
    else if (threshold !== undefined) labels[r] = table.data[r] > threshold ? 1 : 0;
    else labels[r] = checkInteger(table.data[r], what, r);
  }
  return labels;
}

/** Reads optional sample weights and checks their count. */
export function sampleWeights(weights: VectorInput | undefined, count: number): number[] | undefined {
  if (weights === undefined) return undefined;
  const table = toTable(weights, 'options.sampleWeight');
  if (table.rows * table.cols !== count) {
    throw invalidArgument(
      'options.sampleWeight',
      `${table.rows * table.cols} weights`,
      `${count} weights, one per sample`,
    );
  }
  return Array.from(table.data);
}

/** Throws unless two inputs have the same number of samples. */
export function checkSameLength(a: number, b: number, what: string): void {
  if (a !== b) throw invalidArgument(what, `${b} samples`, `${a} samples, as many as yTrue`);
}
