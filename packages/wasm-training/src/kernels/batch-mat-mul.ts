/**
 * `BatchMatMul` for the wasm backend with transposed operands made contiguous first.
 * tfjs-backend-wasm 4.22 multiplies fast (XNNPACK) only when neither operand is transposed; with
 * `transposeA` or `transposeB` it runs about ten times slower (a 64×400 by 400×120 product on one
 * thread of an idle 2-vCPU machine: 0.43 ms plain, 4.7–4.8 ms with a transposed operand, 0.36–0.61
 * ms through this kernel). Every dense layer's gradients are such products (`dy · Wᵀ`, `xᵀ · dy`),
 * so here the transposed operands are transposed explicitly, which costs one pass over them, and
 * the plain product runs on tfjs-backend-wasm's own kernel.
 *
 * The plain product packs its right operand for XNNPACK and keeps the packed copy while that
 * operand lives. When the right operand is the large one, `a · bᵀ` is computed as `(b · aᵀ)ᵀ` (and
 * `aᵀ · bᵀ` as `(b · a)ᵀ`): the small operand is the one transposed and packed, and the large one is
 * read once in place. A dense layer's input gradient `dy · Wᵀ` is such a product: for VGG's
 * 25088×4096 layer at batch 2 it took 1013 ms and held three 411 MB copies of `W` (`Wᵀ`, XNNPACK's
 * packed `Wᵀ`); as `(W · dyᵀ)ᵀ` it takes 28.5 ms and no copy (two threads, idle 2-vCPU machine).
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

/** Number of values of a shape. */
function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * Whether `a · bᵀ` (or `aᵀ · bᵀ`) costs less as the transpose of the swapped product. The cost
 * counted is values moved: a transpose moves its input once and XNNPACK's packing moves the right
 * operand once. Swapped, `a` is packed (and for `a · bᵀ` transposed first) and the product
 * `out` transposed; unswapped, `b` is transposed and packed.
 */
export function swapsOperands(
  aSize: number,
  bSize: number,
  outSize: number,
  transposeA: boolean,
  transposeB: boolean,
): boolean {
  if (!transposeB) return false;
  const swapped = (transposeA ? aSize : 2 * aSize) + outSize;
  const plain = (transposeA ? aSize : 0) + 2 * bSize;
  return swapped < plain;
}

/** Kernel function of `BatchMatMul` on wasm: transposes operands, then the fast plain product. */
export const batchMatMulContiguous: tf.KernelFunc = (args) => {
  if (wasmBatchMatMul === undefined) {
    throw new Error('tfjs-backend-wasm registered no BatchMatMul kernel to build on');
  }
  const { a, b } = args.inputs as unknown as tf.BatchMatMulInputs;
  const { transposeA, transposeB } = args.attrs as unknown as tf.BatchMatMulAttrs;
  if (!transposeA && !transposeB) return wasmBatchMatMul(args);
  const rankA = a!.shape.length;
  const rankB = b!.shape.length;
  const m = a!.shape[transposeA ? rankA - 1 : rankA - 2]!;
  const n = b!.shape[rankB - 2]!;
  const batch = sizeOf(
    tf.backend_util.assertAndGetBroadcastShape(a!.shape.slice(0, -2), b!.shape.slice(0, -2)),
  );
  if (swapsOperands(sizeOf(a!.shape), sizeOf(b!.shape), batch * m * n, transposeA, transposeB)) {
    // a · bᵀ = (b · aᵀ)ᵀ and aᵀ · bᵀ = (b · a)ᵀ; batch broadcasting is the same either way.
    return composed(args.backend as tf.KernelBackend, 'wasm', (scope) => {
      const right = transposeA ? a! : scope.transpose(a!, swapLastTwo(rankA));
      const product = scope.run(
        tf.BatchMatMul,
        { a: b!, b: right },
        { transposeA: false, transposeB: false },
      );
      return scope.transpose(product, swapLastTwo(product.shape.length));
    });
  }
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
