/**
 * `BatchMatMul` for the wasm backend with transposed operands made contiguous first.
 * tfjs-backend-wasm 4.22 multiplies fast (XNNPACK) only when neither operand is transposed; with
 * `transposeA` or `transposeB` it runs about ten times slower (a 64×400 by 400×120 product on one
 * thread of an idle 2-vCPU machine: 0.43 ms plain, 4.7–4.8 ms with a transposed operand, 0.36–0.61
 * ms through this kernel). Every dense layer's gradients are such products (`dy · Wᵀ`, `xᵀ · dy`),
 * so here the transposed operands are transposed explicitly, which costs one pass over them, and
 * the plain product runs on tfjs-backend-wasm's own kernel.
 * Reference semantics: tfjs-core `matMul`, TensorFlow's `BatchMatMulV2`.
 */
import '@tensorflow/tfjs-backend-wasm'; // its BatchMatMul must be registered before we look it up
import * as tf from '@tensorflow/tfjs-core';
import { composed } from './kernel-scope.js';

/** tfjs-backend-wasm's own `BatchMatMul`, captured before this package replaces it. */
const wasmKernel = tf.getKernel(tf.BatchMatMul, 'wasm');
const wasmBatchMatMul = wasmKernel?.kernelFunc;

/** The permutation that swaps the last two axes of a rank-`rank` tensor. */
function swapLastTwo(rank: number): number[] {
  const perm = Array.from({ length: rank }, (_, i) => i);
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  return perm;
}

/** Kernel function of `BatchMatMul` on wasm: transposes operands, then the fast plain product. */
export const batchMatMulContiguous: tf.KernelFunc = (args) => {
  if (wasmBatchMatMul === undefined) {
    throw new Error('tfjs-backend-wasm registered no BatchMatMul kernel to build on');
  }
  const { a, b } = args.inputs as unknown as tf.BatchMatMulInputs;
  const { transposeA, transposeB } = args.attrs as unknown as tf.BatchMatMulAttrs;
  if (!transposeA && !transposeB) return wasmBatchMatMul(args);
  return composed(args.backend as tf.KernelBackend, 'wasm', (scope) => {
    const left = transposeA ? scope.transpose(a!, swapLastTwo(a!.shape.length)) : a!;
    const right = transposeB ? scope.transpose(b!, swapLastTwo(b!.shape.length)) : b!;
    return wasmBatchMatMul({
      inputs: { a: left, b: right },
      attrs: { transposeA: false, transposeB: false },
      backend: args.backend as tf.KernelBackend,
    }) as tf.TensorInfo;
  });
};

/** `BatchMatMul` for the wasm backend (transposed operands through the fast plain product). */
export const batchMatMulConfig: tf.KernelConfig = {
  kernelName: tf.BatchMatMul,
  backendName: 'wasm',
  kernelFunc: batchMatMulContiguous,
  // The wasm backend runs each registered kernel's setup when it initializes; the captured kernel
  // binds its wasm function there, so the replacement carries that setup along.
  ...(wasmKernel?.setupFunc ? { setupFunc: wasmKernel.setupFunc } : {}),
};
