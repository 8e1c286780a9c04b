/**
 * `@tfzoo/losses`: numerically stable losses with PyTorch's semantics for TensorFlow.js, each usable
 * as `model.compile({ loss })` and in a custom training loop.
 *
 * @packageDocumentation
 */
export type {
  LossFunction,
  Reduction,
  ReductionOptions,
} from './common.js';
export * from './cross-entropy.js';
export * from './divergence.js';
export * from './focal.js';
export * from './margin.js';
export * from './penalties.js';
export * from './regression.js';
