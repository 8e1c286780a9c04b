/**
 * What tfzoo's own Fashion-MNIST weights share: the class names, the input normalization they were
 * trained with, and the release where the files are published besides the packages that ship them.
 * Fashion-MNIST: H. Xiao, K. Rasul, R. Vollgraf, 2017, https://arxiv.org/abs/1708.07747.
 */
import type { Preprocessing, WeightSource } from './registry.js';

/** Where tfzoo's own weight files are published: `{file}` is the file name. */
export const TFZOO_RELEASE_URL = 'https://github.com/tfzoo/tfzoo/releases/download/weights-v1/{file}';

/** The ten Fashion-MNIST class names as Zalando lists them, index-aligned with the labels. */
export const FASHION_MNIST_LABELS: readonly string[] = Object.freeze([
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
]);

/**
 * The input pipeline of tfzoo's Fashion-MNIST weights: 28×28 grayscale, pixels ÷ 255, then
 * `(x − 0.286) / 0.353` (the training split's mean and standard deviation).
 */
export const FASHION_MNIST_PREPROCESSING: Preprocessing = Object.freeze<Preprocessing>({
  inputSize: [28, 28, 1],
  resizeSize: 28,
  cropFraction: 1,
  interpolation: 'bilinear',
  mean: [0.286],
  std: [0.353],
  channelOrder: 'RGB',
  inputRange: [0, 1],
});

/**
 * The source of a weight file that ships inside a package and is also published on the tfzoo
 * release: `url` is the file in the package (loads offline), the release URL of the same file name
 * its mirror.
 *
 * @param packageFile `new URL('../weights/<file>', import.meta.url)` of the shipping package; its
 *   last path segment is the file name on the release.
 * @param sha256 Full lowercase hex sha256 of the file.
 */
export function shippedWeights(packageFile: URL, sha256: string): WeightSource {
  const file = packageFile.pathname.slice(packageFile.pathname.lastIndexOf('/') + 1); // kept URL-encoded
  if (file === '') {
    throw new Error(`shippedWeights: expected the URL of a weight file, received ${packageFile.href}`);
  }
  return {
    url: packageFile.href,
    mirrors: [TFZOO_RELEASE_URL.replace('{file}', file)],
    format: 'safetensors',
    sha256,
  };
}
