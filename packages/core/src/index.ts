/**
 * `@tfzoo/core`: the model registry, the build-option contract, backend selection, model
 * summaries, conv arithmetic, errors, and weight I/O with a verified download cache.
 *
 * @packageDocumentation
 */
export * from './backend.js';
export * from './check-trainable.js';
export * from './conv-arithmetic.js';
export * from './errors.js';
export * from './family.js';
export * from './fashion-mnist.js';
export * from './features.js';
export * from './heads.js';
export * from './imagenet.js';
export * from './inference/index.js';
export * from './init.js';
export * from './options.js';
export * from './pretrained-hosts.js';
export * from './random.js';
export * from './registry.js';
export * from './summary.js';
export * from './wasm-heap.js';
export * from './weights/index.js';
