/**
 * `@tfzoo/wasm-training` in browsers (the package's `default` export condition; Node gets
 * `index.ts`): importing it registers the wasm training kernels and gradients, as in Node. The
 * two-thread loader is Node's (`worker_threads`); browsers get tfjs-backend-wasm's own threads
 * where the page is cross-origin isolated.
 *
 * @packageDocumentation
 */
import { installLeanBatchNormTraining } from './batch-norm-training.js';
import { installLeanStemConvTraining } from './conv-training.js';
import { installLeanDenseTraining } from './dense-training.js';
import { registerReluGradientFromOutput, registerWasmTrainingGradients } from './gradients.js';
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
export {
  registerWasmTrainingKernels,
  WASM_KERNEL_REPLACEMENTS,
  WASM_TRAINING_KERNELS,
} from './kernels/register.js';

registerWasmTrainingKernels();
registerWasmTrainingGradients();
registerReluGradientFromOutput();
installLeanBatchNormTraining();
installLeanDenseTraining();
installLeanStemConvTraining();
