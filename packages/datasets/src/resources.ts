/**
 * Where the data sets live and what their files hash to. Downloads are verified by sha256 before
 * use; a changed file fails loudly instead of being parsed.
 *
 * Sources of the checksums (all for the same bytes the URLs serve):
 * - sha256 and sizes: TensorFlow Datasets' `tensorflow_datasets/url_checksums/{mnist,fashion_mnist,
 *   cifar10,cifar100,imagenette}.txt`.
 * - md5: torchvision 0.14 `datasets/mnist.py` (MNIST, Fashion-MNIST mirrors and md5s) and the CIFAR
 *   page https://www.cs.toronto.edu/~kriz/cifar.html (binary versions); checked as well when given.
 */

/** A downloadable file pinned by content hash. */
export interface RemoteFile {
  /** File name in the cache. */
  fileName: string;
  /** URLs serving identical bytes, tried in order. */
  urls: readonly string[];
  /** Full lowercase hex sha256 of the file. */
  sha256: string;
  /** Lowercase hex md5 of the file, when published upstream (also verified). */
  md5?: string;
  /** Size in bytes. */
  sizeBytes: number;
}

const MNIST_MIRRORS = [
  'https://storage.googleapis.com/cvdf-datasets/mnist/',
  'https://ossci-datasets.s3.amazonaws.com/mnist/',
  'http://yann.lecun.com/exdb/mnist/',
];

const mnist = (fileName: string, sha256: string, md5: string, sizeBytes: number): RemoteFile => ({
  fileName,
  urls: MNIST_MIRRORS.map((base) => base + fileName),
  sha256,
  md5,
  sizeBytes,
});

/** The four MNIST files (LeCun, Cortes, Burges). */
export const MNIST_FILES = {
  trainImages: mnist(
    'train-images-idx3-ubyte.gz',
    '440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609',
    'f68b3c2dcbeaaa9fbdd348bbdeb94873',
    9912422,
  ),
  trainLabels: mnist(
    'train-labels-idx1-ubyte.gz',
    '3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c',
    'd53e105ee54ea40749a09fcbcd1e9432',
    28881,
  ),
  testImages: mnist(
    't10k-images-idx3-ubyte.gz',
    '8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6',
    '9fb629c4189551a2d022fa330f9573f3',
    1648877,
  ),
  testLabels: mnist(
    't10k-labels-idx1-ubyte.gz',
    'f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6',
    'ec29112dd5afa0611ce80d1b7f02629c',
    4542,
  ),
} as const;

const fashion = (fileName: string, sha256: string, md5: string, sizeBytes: number): RemoteFile => ({
  fileName,
  urls: [`http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/${fileName}`],
  sha256,
  md5,
  sizeBytes,
});

/** The four Fashion-MNIST files (Xiao, Rasul, Vollgraf 2017, Zalando Research; MIT license). */
export const FASHION_MNIST_FILES = {
  trainImages: fashion(
    'train-images-idx3-ubyte.gz',
    '3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84',
    '8d4fb7e6c68d591d4c3dfef9ec88bf0d',
    26421880,
  ),
  trainLabels: fashion(
    'train-labels-idx1-ubyte.gz',
    'a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845',
    '25c81989df183df01b3e8a0aad5dffbe',
    29515,
  ),
  testImages: fashion(
    't10k-images-idx3-ubyte.gz',
    '346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073',
    'bef4ecab320f06d8554ea6380940ec79',
    4422102,
  ),
  testLabels: fashion(
    't10k-labels-idx1-ubyte.gz',
    '67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5',
    'bb300cfdad3c16e7a12a480ee83cd310',
    5148,
  ),
} as const;

/** CIFAR-10, binary version (Krizhevsky 2009). */
export const CIFAR10_FILE: RemoteFile = {
  fileName: 'cifar-10-binary.tar.gz',
  urls: ['https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz'],
  sha256: 'c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd',
  md5: 'c32a1d4ab5d03f1284b67883e8d87530',
  sizeBytes: 170052171,
};

/** CIFAR-100, binary version (Krizhevsky 2009). */
export const CIFAR100_FILE: RemoteFile = {
  fileName: 'cifar-100-binary.tar.gz',
  urls: ['https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz'],
  sha256: '58a81ae192c23a4be8b1804d68e518ed807d710a4eb253b1f2a199162a40d8ec',
  md5: '03b5dce01913d631647c71ecec9e9cb8',
  sizeBytes: 168513733,
};

/** Imagenette v2 sizes: shorter side 160 or 320 pixels, or full resolution. */
export type ImagenetteSize = '160' | '320' | 'full';

/** Imagenette v2 archives (fast.ai, Jeremy Howard; Apache-2.0), the 10-class ImageNet subset. */
export const IMAGENETTE_FILES: Readonly<Record<ImagenetteSize, RemoteFile>> = {
  '160': {
    fileName: 'imagenette2-160.tgz',
    urls: ['https://s3.amazonaws.com/fast-ai-imageclas/imagenette2-160.tgz'],
    sha256: '88daccb09b6fce93f45e6c09ddeb269cce705549e6bff322092a2a5a11489863',
    sizeBytes: 98948031,
  },
  '320': {
    fileName: 'imagenette2-320.tgz',
    urls: ['https://s3.amazonaws.com/fast-ai-imageclas/imagenette2-320.tgz'],
    sha256: '5020a9130cea0348272823cb12d2db7e981c6f2afa3dce71ccd5b8013005c55e',
    sizeBytes: 341553947,
  },
  full: {
    fileName: 'imagenette2.tgz',
    urls: ['https://s3.amazonaws.com/fast-ai-imageclas/imagenette2.tgz'],
    sha256: 'de32de18a7d8df0114d5e2c3c14cafb9558e8f00441a73aa7953681ad02be49c',
    sizeBytes: 1556914727,
  },
};
