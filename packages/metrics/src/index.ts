/**
 * `@tfzoo/metrics`: classification metrics with scikit-learn's definitions, streaming accumulators
 * whose batched results equal the one-shot ones, and metric functions for `model.compile`.
 *
 * @packageDocumentation
 */
export * from './classification.js';
export * from './inputs.js';
export * from './layers-metrics.js';
export * from './probabilistic.js';
export * from './ranking.js';
export * from './streaming.js';
