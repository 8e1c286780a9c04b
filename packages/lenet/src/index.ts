/**
 * `@tfzoo/lenet`: LeNet-5 (LeCun et al., 1998). Importing the package registers `lenet5` in the
 * tfzoo registry.
 *
 * @packageDocumentation
 */
export { LENET_OPTION_KEYS, type LeNetConfig, type LeNetOptions, lenet5 } from './lenet.js';
export {
  FASHION_MNIST_LABELS,
  LENET_PRETRAINED,
  LENET5_FMNIST,
  LENET5_FMNIST_FILE,
  LENET5_FMNIST_URL,
  TFZOO_RELEASE_URL,
} from './pretrained.js';
export { lenet5Definition } from './variants.js';
