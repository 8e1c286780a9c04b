/**
 * `@tfzoo/train`: the training loop for tfzoo models — callbacks (progress bar, JSONL/CSV logging
 * with an SVG chart, checkpoints with resume, early stopping, EMA, unfreezing), fine-tuning helpers
 * (freeze with batch-norm in inference mode, replace the head, feature extraction) and
 * class-imbalance options.
 *
 * @packageDocumentation
 */
export * from './callbacks.js';
export * from './chart.js';
export * from './checkpoint.js';
export * from './feature-cache.js';
export * from './freeze.js';
export * from './grad-checkpointing.js';
export * from './imbalance.js';
export * from './lean-gradients.js';
export * from './memory-estimate.js';
export * from './releasing-forward.js';
export * from './train.js';
export * from './training-callbacks.js';
