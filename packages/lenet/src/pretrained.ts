/**
 * tfzoo's own LeNet-5 weights, trained on Fashion-MNIST (Xiao, Rasul & Vollgraf, 2017,
 * https://arxiv.org/abs/1708.07747) with the reproducible `tfzoo train` command in this package's
 * README. The file ships inside the package (`weights/`), so it loads offline; the same file is
 * published on the project's GitHub release ({@link TFZOO_RELEASE_URL}) for download.
 */
import {
  FASHION_MNIST_LABELS,
  FASHION_MNIST_PREPROCESSING,
  type PretrainedConfig,
  shippedWeights,
  TFZOO_RELEASE_URL,
} from '@tfzoo/core';

export { FASHION_MNIST_LABELS, TFZOO_RELEASE_URL };

/** File name of the Fashion-MNIST LeNet-5 weights. */
export const LENET5_FMNIST_FILE = 'lenet5-fmnist.safetensors';

/**
 * URL of the shipped weights inside this package: a `file:` URL in Node, the asset's URL in a
 * browser bundle (bundlers rewrite `new URL('<literal>', import.meta.url)`).
 */
export const LENET5_FMNIST_URL: string = new URL('../weights/lenet5-fmnist.safetensors', import.meta.url)
  .href;

/** `lenet5.fmnist`: LeNet-5 (ReLU, max pooling, 28×28×1) trained by tfzoo on Fashion-MNIST. */
export const LENET5_FMNIST: PretrainedConfig = {
  id: 'lenet5.fmnist',
  arch: 'lenet5',
  tag: 'fmnist',
  source: shippedWeights(
    new URL(LENET5_FMNIST_URL),
    '8128bc9ae98c66f7756af989b3905e2c33b7784ea5ed593c0ee25f3460ed25fc',
  ),
  mapping: 'default',
  buildOptions: { inputShape: [28, 28, 1], activation: 'relu', subsampling: 'max' },
  numClasses: 10,
  classifier: 'fc3',
  labels: FASHION_MNIST_LABELS,
  numParams: 61706,
  preprocessing: FASHION_MNIST_PREPROCESSING,
  measuredAccuracy: {
    top1: 91.02,
    top5: 99.93,
    dataset: 'fashion-mnist-test',
    source: 'tfzoo eval lenet5.fmnist --data fashion-mnist (10,000 test images)',
  },
  license: 'Apache-2.0',
  sourceUrl: 'https://github.com/zalandoresearch/fashion-mnist',
  paperUrl: 'https://doi.org/10.1109/5.726791',
  notes:
    'Trained by tfzoo (weights under the project license; Fashion-MNIST data © Zalando SE, MIT); recipe and command in the @tfzoo/lenet README.',
};

/** Every pretrained config of the LeNet family. */
export const LENET_PRETRAINED: readonly PretrainedConfig[] = [LENET5_FMNIST];
