/**
 * `@tfzoo/layers`: serializable Keras-style layers TF.js lacks, numerically matching PyTorch —
 * grouped convolution, channel shuffle, local response normalization, squeeze-and-excitation,
 * maxout, drop path, PyTorch activations, PyTorch-style padded / ceil-mode / adaptive pooling.
 *
 * Importing the package registers every layer with `tf.serialization` (so saved models load) and
 * its MAC counter with `@tfzoo/core`'s `summarize()`.
 *
 * @packageDocumentation
 */
export * from './activations.js';
export * from './adaptive-pooling.js';
export { type CallKwargs, CLASS_PREFIX, type ExplicitPadding, type InitializerSpec } from './base.js';
export * from './channel-affine.js';
export * from './channel-shuffle.js';
export * from './channel-slice.js';
export * from './drop-path.js';
export * from './group-conv2d.js';
export * from './local-response-normalization.js';
export * from './maxout.js';
export * from './pooling.js';
export * from './squeeze-excite.js';
