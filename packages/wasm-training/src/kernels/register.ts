/**
 * Registration of the wasm training kernels: the gradient kernels tfjs-backend-wasm 4.22 lacks
 * (it has every forward kernel a CNN needs and the pooling/activation/batch-norm gradients, but
 * not these three, so `model.fit` of any convolutional model throws on wasm), and replacements for
 * slow ones: an XNNPACK `Conv2DBackpropInput` for its scalar loop, block-copy `Reverse` and `Tile`
 * for its per-element loops, a `BatchMatMul` that keeps transposed operands off its slow path,
 * `Sum`/`Mean` over leading axes as one matrix product instead of a transpose and a reduction, and
 * `FusedBatchNorm` as an XNNPACK per-channel affine map instead of its per-element loop,
 * `Identity`/same-type `Cast` that share the input buffer instead of copying it,
 * `MaxPoolGrad`/`AvgPoolGrad` that visit each pooling window once, a `Tanh` that evaluates a
 * rational function instead of the C library's `tanh`, a `Slice` that copies contiguous runs
 * instead of one innermost row at a time, and `Conv2D`/`FusedConv2D` that compute 3×3 stride-1
 * convolutions by Winograd's F(2×2, 3×3) algorithm in a wasm kernel of this package's own
 * (`winograd-conv2d.ts`).
 */
import '@tensorflow/tfjs-backend-wasm'; // its kernels first, so the replacement below wins
import * as tf from '@tensorflow/tfjs-core';
import { batchMatMulConfig } from './batch-mat-mul.js';
import { fusedBatchNormConfig } from './batch-norm.js';
import { conv2dBackpropFilterConfig } from './conv2d-backprop-filter.js';
import { conv2dBackpropInputConfig } from './conv2d-backprop-input.js';
import { depthwiseBackpropFilterConfig } from './depthwise-backprop-filter.js';
import { depthwiseBackpropInputConfig } from './depthwise-backprop-input.js';
import { castConfig, identityConfig } from './identity.js';
import { avgPoolGradConfig, maxPoolGradConfig } from './pool-grad.js';
import { meanConfig, sumConfig } from './reductions.js';
import { reverseConfig } from './reverse.js';
import { sliceConfig } from './slice.js';
import { tanhConfig } from './tanh.js';
import { tileConfig } from './tile.js';
import { winogradConv2dConfig, winogradFusedConv2dConfig } from './winograd-conv2d.js';

/** The kernels tfjs-backend-wasm 4.22 lacks, which this package adds to the wasm backend. */
export const WASM_TRAINING_KERNELS: readonly tf.KernelConfig[] = [
  conv2dBackpropFilterConfig,
  depthwiseBackpropInputConfig,
  depthwiseBackpropFilterConfig,
];

/** Kernels tfjs-backend-wasm has in a slow form, which this package replaces. */
export const WASM_KERNEL_REPLACEMENTS: readonly tf.KernelConfig[] = [
  conv2dBackpropInputConfig,
  reverseConfig,
  tileConfig,
  batchMatMulConfig,
  sumConfig,
  meanConfig,
  fusedBatchNormConfig,
  identityConfig,
  castConfig,
  maxPoolGradConfig,
  avgPoolGradConfig,
  tanhConfig,
  sliceConfig,
  winogradFusedConv2dConfig,
  winogradConv2dConfig,
];

/**
 * Registers the training kernels for the `wasm` backend. Idempotent. A missing kernel that is
 * already registered for wasm (by a future tfjs-backend-wasm that ships it) is left alone; a
 * replacement takes the place of the registered kernel. Importing `@tfzoo/wasm-training` calls this.
 *
 * @returns the names of the kernels this call registered.
 */
export function registerWasmTrainingKernels(): string[] {
  const added: string[] = [];
  for (const config of WASM_TRAINING_KERNELS) {
    if (tf.getKernel(config.kernelName, config.backendName) !== undefined) continue;
    tf.registerKernel(config);
    added.push(config.kernelName);
  }
  for (const config of WASM_KERNEL_REPLACEMENTS) {
    const current = tf.getKernel(config.kernelName, config.backendName);
    if (current?.kernelFunc === config.kernelFunc) continue;
    if (current !== undefined) tf.unregisterKernel(config.kernelName, config.backendName);
    tf.registerKernel(config);
    added.push(config.kernelName);
  }
  return added;
}
