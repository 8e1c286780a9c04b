/**
 * `Tanh` for the wasm backend on the wasm heap. tfjs-backend-wasm 4.22 calls the C library's
 * `tanh` per element, about 10 ms for the 301k activations of a LeNet-5 training batch (64 images);
 * here `tanh(x) = (e²ˣ − 1) / (e²ˣ + 1)` is evaluated in double precision with V8's `Math.exp` and
 * rounded once to float32, so results equal `Math.tanh` (the cpu backend's) to float32 rounding.
 * Reference semantics: tfjs-core `tanh`.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { HeapBackend } from './tile.js';

/** Writes `tanh` of every value of `input` into `out` (same length). */
export function tanhInto(input: tf.TypedArray, out: tf.TypedArray): void {
  for (let i = 0; i < input.length; i++) {
    const x = input[i]!;
    // |x| ≥ 10: tanh rounds to ±1 in float32; small |x|: the quotient form loses digits to e²ˣ − 1.
    if (x >= 10) out[i] = 1;
    else if (x <= -10) out[i] = -1;
    else if (x > -1e-4 && x < 1e-4) out[i] = x - (x * x * x) / 3;
    else {
      const e = Math.exp(2 * x);
      out[i] = (e - 1) / (e + 1);
    }
  }
}

/** Kernel function of `Tanh` on a backend with heap-backed tensors (tfjs-backend-wasm). */
export const tanhHeap: tf.KernelFunc = ({ inputs, backend }) => {
  const { x } = inputs as unknown as tf.UnaryInputs;
  if (x!.dtype !== 'float32') throw new Error(`Tanh on wasm takes float32 tensors; received ${x!.dtype}`);
  const heap = backend as unknown as HeapBackend;
  const out = heap.makeOutput([...x!.shape], 'float32');
  tanhInto(heap.typedArrayFromHeap(x!), heap.typedArrayFromHeap(out));
  return out;
};

/** `Tanh` for the wasm backend (replaces tfjs-backend-wasm's per-element libm call). */
export const tanhConfig: tf.KernelConfig = {
  kernelName: tf.Tanh,
  backendName: 'wasm',
  kernelFunc: tanhHeap,
};
