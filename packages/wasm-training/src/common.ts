/**
 * What both entries of `@tfzoo/wasm-training` (Node's `index.ts`, browsers' `browser.ts`) export and
 * install: everything except Node's thread loader. One list, so the entries cannot drift apart.
 */
import { installLeanBatchNormTraining } from './batch-norm-training.js';
import { installLeanStemConvTraining } from './conv-training.js';
import { installLeanDenseTraining } from './dense-training.js';
import { registerReluGradientFromOutput, registerWasmTrainingGradients } from './gradients.js';
import { installInPlaceVariableUpdates } from './in-place-update.js';
import { registerWasmTrainingKernels } from './kernels/register.js';

export { installLeanBatchNormTraining } from './batch-norm-training.js';
export { installLeanStemConvTraining } from './conv-training.js';
export { installLeanDenseTraining } from './dense-training.js';
export {
  registerReluGradientFromOutput,
  registerWasmTrainingGradients,
  WASM_GRADIENTS,
  type WasmGradient,
} from './gradients.js';
export { assignInPlace, installInPlaceVariableUpdates, renewWasmBufferId } from './in-place-update.js';
export {
  registerWasmTrainingKernels,
  WASM_KERNEL_REPLACEMENTS,
  WASM_TRAINING_KERNELS,
} from './kernels/register.js';
export {
  setWinogradConvolution,
  setWinogradHelpers,
  type WinogradHelper,
  type WinogradHelperFactory,
  winogradConvolutionCalls,
} from './kernels/winograd-conv2d.js';

/**
 * Registers the wasm training kernels and gradients and installs the lean layers and the in-place
 * variable updates. Idempotent; importing either entry of the package calls it.
 */
export function installWasmTraining(): void {
  registerWasmTrainingKernels();
  registerWasmTrainingGradients();
  registerReluGradientFromOutput();
  installLeanBatchNormTraining();
  installLeanDenseTraining();
  installLeanStemConvTraining();
  installInPlaceVariableUpdates();
}
