/**
 * `Tile` for the wasm backend as block copies on the wasm heap. tfjs-backend-wasm 4.22 tiles with a
 * per-element index loop (`src/cc/kernels/Tile.cc`); tfjs-core's batch-norm gradient tiles the
 * per-channel `1/√(var + ε)` to the full activation shape in every training step, which cost
 * about a tenth of a ResNet-18 step there. Here each input row is copied once and every repetition
 * is a `copyWithin` of an already written block, so the kernel runs at memory speed.
 * Reference semantics: tfjs-core `tile`, TensorFlow's `Tile` op.
 */
import * as tf from '@tensorflow/tfjs-core';

/** The parts of tfjs-backend-wasm's `BackendWasm` a heap kernel uses. */
export interface HeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): tf.TypedArray;
}

/**
 * Writes `input` (shape `shape`) tiled `reps` times per axis into `out`. Axis by axis from the
 * outermost: the input rows of the innermost axis are copied, then each finished block is
 * repeated with `copyWithin`, so the work is one pass over the output.
 */
export function tileInto(
  input: tf.TypedArray,
  shape: readonly number[],
  reps: readonly number[],
  out: tf.TypedArray,
): void {
  const rank = shape.length;
  if (rank === 0) {
    out[0] = input[0]!;
    return;
  }
  const inStrides = new Array<number>(rank);
  const outStrides = new Array<number>(rank);
  inStrides[rank - 1] = 1;
  outStrides[rank - 1] = 1;
  for (let axis = rank - 2; axis >= 0; axis--) {
    inStrides[axis] = inStrides[axis + 1]! * shape[axis + 1]!;
    outStrides[axis] = outStrides[axis + 1]! * shape[axis + 1]! * reps[axis + 1]!;
  }
  const fill = (axis: number, inOffset: number, outOffset: number): void => {
    const size = shape[axis]!;
    if (axis === rank - 1) {
      out.set(input.subarray(inOffset, inOffset + size), outOffset);
    } else {
      for (let i = 0; i < size; i++) {
        fill(axis + 1, inOffset + i * inStrides[axis]!, outOffset + i * outStrides[axis]!);
      }
    }
    const block = size * outStrides[axis]!;
    for (let r = 1; r < reps[axis]!; r++) out.copyWithin(outOffset + r * block, outOffset, outOffset + block);
  };
  fill(0, 0, 0);
}

/** Kernel function of `Tile` on a backend with heap-backed tensors (tfjs-backend-wasm). */
export const tileHeap: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { x } = inputs as unknown as tf.TileInputs;
  const { reps } = attrs as unknown as tf.TileAttrs;
  if (x!.dtype === 'string') throw new Error('Tile of string tensors is not supported on the wasm backend');
  const heap = backend as unknown as HeapBackend;
  const outShape = x!.shape.map((d, i) => d * reps[i]!);
  const out = heap.makeOutput(outShape, x!.dtype);
  if (outShape.some((d) => d === 0)) return out;
  tileInto(heap.typedArrayFromHeap(x!), x!.shape, reps, heap.typedArrayFromHeap(out));
  return out;
};

/** `Tile` for the wasm backend (replaces tfjs-backend-wasm's per-element loop). */
export const tileConfig: tf.KernelConfig = {
  kernelName: tf.Tile,
  backendName: 'wasm',
  kernelFunc: tileHeap,
};
