/**
 * `@tfzoo/lenet`: LeNet-5 (LeCun et al., 1998). Importing the package registers `lenet5` in the
 * tfzoo registry.
 *
 * @packageDocumentation
 */
export { type LeNetConfig, type LeNetOptions, lenet5 } from './lenet.js';
export { lenet5Definition } from './variants.js';
