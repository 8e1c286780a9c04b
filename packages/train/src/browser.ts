/**
 * `@tfzoo/train` in browsers (the package's `default` export condition; Node gets `index.ts`): the
 * training loop, the loss chart, fine-tuning helpers, class-imbalance options and the callbacks
 * that need nothing but TF.js (`EarlyStopping`, `EmaCallback`, `UnfreezeAfter`). Callbacks that
 * write files or streams (progress bar, metrics logs, checkpoints) need Node and are not part of
 * this entry.
 *
 * @packageDocumentation
 */
export * from './chart.js';
export * from './feature-cache.js';
export * from './freeze.js';
export * from './grad-checkpointing.js';
export * from './imbalance.js';
export * from './lean-gradients.js';
export * from './memory-estimate.js';
export * from './releasing-forward.js';
export * from './train.js';
export * from './training-callbacks.js';
