/**
 * `Reverse` for the wasm backend as block copies on the wasm heap. tfjs-backend-wasm 4.22 reverses
 * element by element (`src/cc/kernels/Reverse.cc`), about 150 ms for a 3×3×512×512 filter; the
 * input gradient of every convolution flips its filter spatially in every training step, so this
 * took a fifth of a ResNet-18 step there. Here the axes after the last reversed one are copied as
 * contiguous blocks (for a spatial flip of `[kh, kw, Ci, Co]`: kh·kw copies of Ci·Co values).
 * Reference semantics: tfjs-core `reverse`, TensorFlow's `ReverseV2` op.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { HeapBackend } from './tile.js';

/** Writes `input` (shape `shape`) reversed along `axes` into `out` (same size). */
export function reverseInto(
  input: tf.TypedArray,
  shape: readonly number[],
  axes: readonly number[],
  out: tf.TypedArray,
): void {
  const rank = shape.length;
  if (axes.length === 0 || rank === 0) {
    out.set(input);
    return;
  }
  const last = Math.max(...axes);
  const reversed = shape.map((_, axis) => axes.includes(axis));
  const strides = new Array<number>(rank);
  strides[rank - 1] = 1;
  for (let axis = rank - 2; axis >= 0; axis--) strides[axis] = strides[axis + 1]! * shape[axis + 1]!;
  const block = strides[last]!; // values after the last reversed axis, contiguous in both
  const walk = (axis: number, inOffset: number, outOffset: number): void => {
    const size = shape[axis]!;
    const stride = strides[axis]!;
    for (let i = 0; i < size; i++) {
      const source = inOffset + (reversed[axis] ? size - 1 - i : i) * stride;
      const target = outOffset + i * stride;
      if (axis < last) walk(axis + 1, source, target);
      else if (block === 1) out[target] = input[source]!;
      else out.set(input.subarray(source, source + block), target);
    }
  };
  walk(0, 0, 0);
}

/** Kernel function of `Reverse` on a backend with heap-backed tensors (tfjs-backend-wasm). */
export const reverseHeap: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { x } = inputs as unknown as tf.ReverseInputs;
  const { dims } = attrs as unknown as tf.ReverseAttrs;
  if (x!.dtype === 'string')
    throw new Error('Reverse of string tensors is not supported on the wasm backend');
  const heap = backend as unknown as HeapBackend;
  const axes = tf.util.parseAxisParam(dims, x!.shape);
  const out = heap.makeOutput([...x!.shape], x!.dtype);
  if (tf.util.sizeFromShape(x!.shape) === 0) return out;
  reverseInto(heap.typedArrayFromHeap(x!), x!.shape, axes, heap.typedArrayFromHeap(out));
  return out;
};

/** `Reverse` for the wasm backend (replaces tfjs-backend-wasm's per-element loop). */
export const reverseConfig: tf.KernelConfig = {
  kernelName: tf.Reverse,
  backendName: 'wasm',
  kernelFunc: reverseHeap,
};
