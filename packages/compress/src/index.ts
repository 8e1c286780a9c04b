/**
 * `@tfzoo/compress`: model compression for tfzoo models — magnitude pruning during training with
 * TF Model Optimization's schedules, L1 filter pruning that makes a smaller model, float16 and int8
 * post-training quantization written as TF.js artifacts and safetensors, and knowledge distillation
 * on `@tfzoo/train`'s loop.
 *
 * @packageDocumentation
 */
export * from './distill.js';
export * from './filter-pruning.js';
export * from './magnitude.js';
export * from './prunable.js';
export * from './pruning.js';
export * from './quantize.js';
export * from './schedule.js';
