/**
 * tfzoo's own ResNet-18 weights for Fashion-MNIST (Xiao, Rasul & Vollgraf, 2017,
 * https://arxiv.org/abs/1708.07747): a narrow ResNet-18 with the small-image stem, trained from
 * scratch by the three reproducible `tfzoo train` runs in this package's README. The file ships inside
 * the package (`weights/`), so it loads offline; the same file is published on the project's
 * release (`TFZOO_RELEASE_URL` of `@tfzoo/core`) for download.
 */
import {
  FASHION_MNIST_LABELS,
  FASHION_MNIST_PREPROCESSING,
  type PretrainedConfig,
  shippedWeights,
} from '@tfzoo/core';

/** File name of the Fashion-MNIST ResNet-18 weights. */
export const RESNET18_FMNIST_FILE = 'resnet18-fmnist.safetensors';

/**
 * URL of the shipped weights inside this package: a `file:` URL in Node, the asset's URL in a
 * browser bundle (bundlers rewrite `new URL('<literal>', import.meta.url)`).
 */
export const RESNET18_FMNIST_URL: string = new URL('../weights/resnet18-fmnist.safetensors', import.meta.url)
  .href;

/**
 * `resnet18.fmnist`: ResNet-18 for 28×28×1 (stem 3×3/1 without max pool, stage widths 16, 32, 64,
 * 128; 0.70 M parameters, 28.6 M multiply-adds) trained by tfzoo on Fashion-MNIST.
 */
export const RESNET18_FMNIST: PretrainedConfig = {
  id: 'resnet18.fmnist',
  arch: 'resnet18',
  tag: 'fmnist',
  source: shippedWeights(
    new URL(RESNET18_FMNIST_URL),
    '943fea43e57dd19880f3351fb75fe07af0bd9f5b7482c7ac09d60146bad1dae0',
  ),
  mapping: 'default',
  buildOptions: {
    inputShape: [28, 28, 1],
    stem: 'small',
    stemWidth: 16,
    channels: [16, 32, 64, 128],
  },
  numClasses: 10,
  classifier: 'fc',
  labels: FASHION_MNIST_LABELS,
  numParams: 701178,
  preprocessing: FASHION_MNIST_PREPROCESSING,
  measuredAccuracy: {
    top1: 93.92,
    top5: 99.97,
    dataset: 'fashion-mnist-test',
    source: 'tfzoo eval resnet18.fmnist --data fashion-mnist (10,000 test images)',
  },
  license: 'Apache-2.0',
  sourceUrl: 'https://github.com/zalandoresearch/fashion-mnist',
  paperUrl: 'https://arxiv.org/abs/1512.03385',
  notes:
    'Trained by tfzoo (weights under the project license; Fashion-MNIST data © Zalando SE, MIT); recipe and commands in the @tfzoo/resnet README.',
};
