/**
 * `@tfzoo/optimizers`: optimizers with PyTorch's semantics (as serializable `tf.Optimizer`
 * subclasses usable with `model.fit`), parameter groups for weight-decay exclusion and layer-wise
 * learning rates, learning-rate schedules (functions and tfjs-layers callbacks), an exponential
 * moving average of weights, and gradient clipping.
 *
 * Importing the package registers every optimizer class with `tf.serialization`.
 *
 * @packageDocumentation
 */
export * from './adadelta.js';
export * from './adagrad.js';
export * from './adam.js';
export * from './adamax.js';
export * from './asgd.js';
export * from './base.js';
export * from './callbacks.js';
export * from './clipping.js';
export * from './ema.js';
export * from './lamb.js';
export * from './lbfgs.js';
export * from './learning-rate.js';
export * from './lion.js';
export * from './nadam.js';
export * from './param-groups.js';
export * from './plateau.js';
export * from './radam.js';
export * from './rmsprop.js';
export * from './rprop.js';
export * from './schedules.js';
export * from './sgd.js';
