/**
 * A small toolkit for writing a TF.js kernel as a composition of other kernels of the same
 * backend: each intermediate result is tracked and released (`backend.disposeData`) when the
 * composed kernel returns, so a composed kernel leaks nothing.
 *
 * Follows how tfjs-backend-wasm's own kernels compose (e.g. `kernels/BatchMatMul.ts` calls
 * `transpose`/`reshape` and disposes the intermediates), but looks the kernels up in the global
 * registry so it works with the published bundle, whose kernel functions are not exported.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { HeapBackend } from './tile.js';

/** Per-side spatial padding of an NHWC tensor; a negative amount crops instead of padding. */
export interface SpatialPads {
  /** Rows added above (negative: removed from the top). */
  top: number;
  /** Rows added below (negative: removed from the bottom). */
  bottom: number;
  /** Columns added on the left (negative: removed from the left). */
  left: number;
  /** Columns added on the right (negative: removed from the right). */
  right: number;
}

/** Runs kernels of one backend and disposes every intermediate when closed. */
export class KernelScope {
  private readonly temps: tf.TensorInfo[] = [];

  constructor(
    /** The backend instance the composed kernel was called with. */
    readonly backend: tf.KernelBackend,
    /** The registry name of that backend, e.g. `wasm`. */
    readonly backendName: string,
  ) {}

  /** Runs the registered kernel `kernelName` of this backend; its output is an intermediate. */
  run(kernelName: string, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap = {}): tf.TensorInfo {
    const kernel = tf.getKernel(kernelName, this.backendName);
    if (kernel === undefined) {
      throw new Error(`the ${this.backendName} backend has no ${kernelName} kernel to compose with`);
    }
    const out = kernel.kernelFunc({ inputs, attrs, backend: this.backend });
    if (Array.isArray(out)) {
      this.temps.push(...out);
      throw new Error(`${kernelName} returned ${out.length} outputs; expected one`);
    }
    this.temps.push(out);
    return out;
  }

  /** Marks `t` as the result: it is not disposed by {@link KernelScope.close}. */
  keep(t: tf.TensorInfo): tf.TensorInfo {
    const index = this.temps.indexOf(t);
    if (index >= 0) this.temps.splice(index, 1);
    return t;
  }

  /**
   * Runs `body` in a scope of its own, whose intermediates are released as soon as it returns; its
   * result becomes an intermediate of this scope. Keeps the peak memory of a loop to one pass.
   */
  nested(body: (scope: KernelScope) => tf.TensorInfo): tf.TensorInfo {
    const out = composed(this.backend, this.backendName, body);
    this.temps.push(out);
    return out;
  }

  /** Releases the intermediate `t` now, before the scope closes; `t` must not be used after. */
  release(t: tf.TensorInfo): void {
    const index = this.temps.indexOf(t);
    if (index < 0) return;
    this.temps.splice(index, 1);
    this.backend.disposeData(t.dataId);
  }

  /** Releases every intermediate that was not kept. */
  close(): void {
    for (const t of this.temps.splice(0)) this.backend.disposeData(t.dataId);
  }

  /** `x` reshaped (shares its data; free). */
  reshape(x: tf.TensorInfo, shape: number[]): tf.TensorInfo {
    return this.run(tf.Reshape, { x }, { shape });
  }

  /** `x` with its axes permuted; `x` itself when `perm` is the identity. */
  transpose(x: tf.TensorInfo, perm: number[]): tf.TensorInfo {
    if (perm.every((axis, i) => axis === i)) return x;
    return this.run(tf.Transpose, { x }, { perm });
  }

  /**
   * Rows `rows` of `x` along its first axis, `[rows.length, ...x.shape.slice(1)]`, as one block copy
   * per row on the heap of a heap-backed backend (tfjs-backend-wasm), where `StridedSlice` and
   * `GatherV2` copy element by element.
   */
  gatherRows(x: tf.TensorInfo, rows: readonly number[]): tf.TensorInfo {
    const heap = this.heap('gatherRows');
    const rowSize = tf.util.sizeFromShape(x.shape.slice(1));
    const out = heap.makeOutput([rows.length, ...x.shape.slice(1)], x.dtype);
    this.temps.push(out);
    const source = heap.typedArrayFromHeap(x);
    const target = heap.typedArrayFromHeap(out);
    rows.forEach((row, i) => {
      target.set(source.subarray(row * rowSize, (row + 1) * rowSize), i * rowSize);
    });
    return out;
  }

  /** The backend as a heap-backed one (tfjs-backend-wasm), or an error naming `method` and the backend. */
  private heap(method: string): HeapBackend {
    const heap = this.backend as unknown as Partial<HeapBackend>;
    if (typeof heap.makeOutput !== 'function' || typeof heap.typedArrayFromHeap !== 'function') {
      throw new Error(`${method} needs a heap-backed backend (wasm); ${this.backendName} is not one`);
    }
    return heap as HeapBackend;
  }

  /** `xs` concatenated along `axis`; the single tensor itself when there is one. */
  concat(xs: tf.TensorInfo[], axis: number): tf.TensorInfo {
    if (xs.length === 1) return xs[0]!;
    // Concat takes its inputs as an array (tfjs-core's `concat` op passes them so).
    return this.run(tf.Concat, xs as unknown as tf.NamedTensorInfoMap, { axis });
  }

  /**
   * A new float32 tensor of `shape` with every element `value`, written on the heap of a
   * heap-backed backend (tfjs-backend-wasm).
   */
  filled(shape: number[], value: number): tf.TensorInfo {
    return this.written(shape, [], (out) => {
      if (value !== 0) out.fill(value);
    });
  }

  /**
   * A new float32 tensor of `shape`, zero-filled on the heap of a heap-backed backend
   * (tfjs-backend-wasm) and then written by `write`, which gets heap views of the output and of
   * `inputs` (valid only during the call).
   */
  written(
    shape: number[],
    inputs: readonly tf.TensorInfo[],
    write: (out: Float32Array, ...inputs: Float32Array[]) => void,
  ): tf.TensorInfo {
    const heap = this.heap('written');
    const out = heap.makeOutput(shape, 'float32');
    this.temps.push(out);
    const target = heap.typedArrayFromHeap(out) as Float32Array;
    target.fill(0);
    write(target, ...inputs.map((t) => heap.typedArrayFromHeap(t) as Float32Array));
    return out;
  }

  /** Sum over `axis`, dropping it. */
  sum(x: tf.TensorInfo, axis: number[]): tf.TensorInfo {
    return this.run(tf.Sum, { x }, { axis, keepDims: false });
  }

  /** `x` reversed along `dims`. */
  reverse(x: tf.TensorInfo, dims: number[]): tf.TensorInfo {
    return this.run(tf.Reverse, { x }, { dims });
  }

  /**
   * Inserts `strideH - 1` zero rows after every row and `strideW - 1` zero columns after every
   * column of an NHWC tensor: `[N, H, W, C]` becomes `[N, H·strideH, W·strideW, C]` (the zeros
   * after the last row/column are kept; callers account for them as padding).
   */
  zeroInsert(x: tf.TensorInfo, strideH: number, strideW: number): tf.TensorInfo {
    if (strideH === 1 && strideW === 1) return x;
    const [n, h, w, c] = x.shape;
    const expanded = this.reshape(x, [n, h, 1, w, 1, c]);
    const padded = this.run(
      tf.PadV2,
      { x: expanded },
      {
        paddings: [
          [0, 0],
          [0, 0],
          [0, strideH - 1],
          [0, 0],
          [0, strideW - 1],
          [0, 0],
        ],
        constantValue: 0,
      },
    );
    return this.reshape(padded, [n, h * strideH, w * strideW, c]);
  }

  /**
   * Removes the negative parts of `pads` from an NHWC tensor by slicing, and returns the
   * remaining non-negative padding as the explicit padding a convolution kernel accepts.
   */
  cropNegative(
    x: tf.TensorInfo,
    pads: SpatialPads,
  ): { x: tf.TensorInfo; pad: [[number, number], [number, number], [number, number], [number, number]] } {
    const [n, h, w, c] = x.shape;
    const cropTop = Math.max(0, -pads.top);
    const cropBottom = Math.max(0, -pads.bottom);
    const cropLeft = Math.max(0, -pads.left);
    const cropRight = Math.max(0, -pads.right);
    let out = x;
    if (cropTop + cropBottom + cropLeft + cropRight > 0) {
      out = this.run(
        tf.Slice,
        { x },
        {
          begin: [0, cropTop, cropLeft, 0],
          size: [n, h - cropTop - cropBottom, w - cropLeft - cropRight, c],
        },
      );
    }
    return {
      x: out,
      pad: [
        [0, 0],
        [Math.max(0, pads.top), Math.max(0, pads.bottom)],
        [Math.max(0, pads.left), Math.max(0, pads.right)],
        [0, 0],
      ],
    };
  }
}

/**
 * Wraps a composed kernel body: creates the scope, returns the kept result, and disposes every
 * intermediate even when the body throws.
 */
export function composed(
  backend: tf.KernelBackend,
  backendName: string,
  body: (scope: KernelScope) => tf.TensorInfo,
): tf.TensorInfo {
  const scope = new KernelScope(backend, backendName);
  try {
    return scope.keep(body(scope));
  } finally {
    scope.close();
  }
}
