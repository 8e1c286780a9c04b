/** The inference form of a model: batch-norm folded, bias and activation fused into the kernels. */
export {
  activationOfLayer,
  type FusedActivation,
  type FusedActivationName,
  tfjsActivation,
  torchActivation,
} from './activation.js';
export { type BatchNormParameters, batchNormAffine, type ChannelAffine, foldAffine } from './fold.js';
export {
  type InferenceModel,
  type InferenceStep,
  type OptimizeOptions,
  optimizeForInference,
} from './optimize.js';
