/**
 * `Slice` for the wasm backend as run copies on the wasm heap. tfjs-backend-wasm 4.22 copies a
 * non-contiguous slice one innermost row at a time (`out.set(x.subarray(…))` per row of the last
 * axis); the gradient of every `ZeroPadding2D` is such a slice — ResNet's padded stride-2
 * convolutions at 224×224, batch 16: four slices of up to 13 M values, 6 % of a training step.
 * Here the trailing axes the slice takes whole are merged with the last partial one, so each copy
 * is one contiguous run (for `[N, H+2, W+2, C] → [N, H, W, C]`: N·H runs of W·C values), done with
 * `copyWithin` on one view of the heap, without a view object per run.
 * Reference semantics: tfjs-core `slice`, TensorFlow's `Slice` op. Strings keep tfjs's kernel.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { HeapBackend } from './tile.js';

/** tfjs-backend-wasm's own `Slice`, kept for string tensors (they do not live on the heap). */
const wasmSlice = tf.getKernel(tf.Slice, 'wasm')?.kernelFunc;

/**
 * Copies the slice `begin`/`size` of `input` (shape `shape`) into `out`. Axes after the last one
 * the slice cuts are contiguous in both, so every copy is a run of `size[k]·stride[k]` values.
 */
export function sliceInto(
  input: tf.TypedArray,
  shape: readonly number[],
  begin: readonly number[],
  size: readonly number[],
  out: tf.TypedArray,
): void {
  const rank = shape.length;
  if (rank === 0) {
    out[0] = input[0]!;
    return;
  }
  const strides = [...tf.util.computeStrides(shape as number[]), 1];
  let k = rank - 1;
  while (k > 0 && begin[k] === 0 && size[k] === shape[k]) k--;
  const run = size[k]! * strides[k]!;
  const base = begin[k]! * strides[k]!;
  // One view of the whole heap: input and output are both in it, so a run is one copyWithin.
  const Heap = input.constructor as new (buffer: ArrayBufferLike) => tf.TypedArray;
  const heap = input.buffer === out.buffer ? new Heap(input.buffer) : undefined;
  const inBase = input.byteOffset / input.BYTES_PER_ELEMENT;
  const outBase = out.byteOffset / out.BYTES_PER_ELEMENT;
  const index = new Array<number>(k).fill(0);
  let outOffset = 0;
  for (;;) {
    let source = base;
    for (let axis = 0; axis < k; axis++) source += (begin[axis]! + index[axis]!) * strides[axis]!;
    if (heap) heap.copyWithin(outBase + outOffset, inBase + source, inBase + source + run);
    else out.set(input.subarray(source, source + run), outOffset);
    outOffset += run;
    let axis = k - 1;
    while (axis >= 0 && ++index[axis]! === size[axis]!) index[axis--] = 0;
    if (axis < 0) return;
  }
}

/** Kernel function of `Slice` on a backend with heap-backed tensors (tfjs-backend-wasm). */
export const sliceHeap: tf.KernelFunc = (args) => {
  const { inputs, backend, attrs } = args;
  const { x } = inputs as unknown as tf.SliceInputs;
  const { begin, size } = attrs as unknown as tf.SliceAttrs;
  if (x!.dtype === 'string') {
    if (!wasmSlice) throw new Error('Slice of string tensors: tfjs-backend-wasm registered no Slice kernel');
    return wasmSlice(args);
  }
  const [begin_, size_] = tf.slice_util.parseSliceParams(x as tf.TensorInfo as tf.Tensor, begin, size);
  const heap = backend as unknown as HeapBackend;
  const out = heap.makeOutput(size_, x!.dtype);
  if (size_.some((d) => d === 0)) return out;
  sliceInto(heap.typedArrayFromHeap(x!), x!.shape, begin_, size_, heap.typedArrayFromHeap(out));
  return out;
};

/** `Slice` for the wasm backend (replaces tfjs-backend-wasm's row-by-row copy). */
export const sliceConfig: tf.KernelConfig = {
  kernelName: tf.Slice,
  backendName: 'wasm',
  kernelFunc: sliceHeap,
};
