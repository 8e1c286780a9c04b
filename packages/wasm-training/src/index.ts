/**
 * `@tfzoo/wasm-training`: makes CNNs train on the TF.js wasm backend.
 *
 * Importing the package
 * - registers, for the `wasm` backend, the gradient kernels that tfjs-backend-wasm 4.22 lacks
 *   (`Conv2DBackpropFilter`, `DepthwiseConv2dNativeBackpropInput`,
 *   `DepthwiseConv2dNativeBackpropFilter`), each composed from wasm's own XNNPACK forward kernels;
 * - replaces slow wasm kernels (convolution input gradients, transposed products, leading-axis
 *   reductions, batch norm, pooling gradients, `tanh`, copies) and, on wasm only, batch
 *   normalization's gradients by leaner ones;
 * - trains batch normalization saving one activation instead of three (`installLeanBatchNormTraining`),
 *   and dense layers without XNNPACK's packed copy of their kernel kept for the step
 *   (`installLeanDenseTraining`), ReLU's gradient from its output, so its input need not be kept
 *   (`registerReluGradientFromOutput`, every backend), and a network's first convolution without the input gradient
 *   nothing uses (`installLeanStemConvTraining`);
 * - updates variables in place on the wasm heap (`installInPlaceVariableUpdates`: an optimizer step
 *   writes into the weights' own buffers instead of moving them, so the heap does not fragment from
 *   step to step);
 * - installs the thread loader behind `initBackend('wasm', { threads })` of `@tfzoo/core`.
 *
 * @packageDocumentation
 */
import { installWasmTraining } from './common.js';
import { installWasmThreadsLoader } from './threads.js';
import { installWinogradThreads } from './winograd-threads.js';

export * from './common.js';
export {
  enableWasmThreads,
  installWasmThreadsLoader,
  MAX_WASM_THREADS,
  type WasmThreadsInfo,
  wasmThreadsCount,
} from './threads.js';
export { installWinogradThreads, WinogradWorkerHelper } from './winograd-threads.js';

installWasmTraining();
installWasmThreadsLoader();
installWinogradThreads();
