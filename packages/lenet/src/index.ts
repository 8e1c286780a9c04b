/**
 * `@tfzoo/lenet`: LeNet-5 (LeCun et al., 1998). Importing the package registers `lenet5` in the
 * tfzoo registry.
 *
 * @packageDocumentation
 */
export { lenetConv, lenetDense, lenetPool } from './blocks.js';
export { LENET_FAMILY, lenet5Definition } from './family.js';
export { buildLeNet, LENET_OPTION_KEYS, type LeNetConfig, type LeNetOptions, lenet5 } from './lenet.js';
export { LENET_MAPPINGS } from './mapping.js';
export {
  FASHION_MNIST_LABELS,
  LENET_PRETRAINED,
  LENET5_FMNIST,
  LENET5_FMNIST_FILE,
  LENET5_FMNIST_URL,
  TFZOO_RELEASE_URL,
} from './pretrained.js';
export { LENET_VARIANTS } from './variants.js';
