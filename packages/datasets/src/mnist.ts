/**
 * MNIST (LeCun, Cortes, Burges, http://yann.lecun.com/exdb/mnist/) and Fashion-MNIST (Xiao, Rasul,
 * Vollgraf 2017, arXiv:1708.07747, https://github.com/zalandoresearch/fashion-mnist): 28×28
 * grayscale images in IDX files, read from a local directory or downloaded through the verified
 * cache. Mirrors `torchvision.datasets.MNIST` / `FashionMNIST`. A 1,000-image sample of the
 * Fashion-MNIST test split ships with this package for offline use.
 */
import { createHash } from 'node:crypto';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FASHION_MNIST_LABELS, invalidArgument, ZooError } from '@tfzoo/core';
import { ArrayImageDataset } from './dataset.js';
import { type DownloadOptions, downloadFile } from './download.js';
import { readIdxImagesAndLabels } from './idx.js';
import { FASHION_MNIST_FILES, MNIST_FILES, type RemoteFile } from './resources.js';

/** Class names of MNIST: the digits. */
export const MNIST_CLASSES: readonly string[] = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

/** Class names of Fashion-MNIST, as Zalando lists them (core's `FASHION_MNIST_LABELS`). */
export const FASHION_MNIST_CLASSES: readonly string[] = FASHION_MNIST_LABELS;

/** Which half of a data set. */
export type Split = 'train' | 'test';

/** Options of {@link loadMnist} and {@link loadFashionMnist}. */
export interface IdxDatasetOptions extends DownloadOptions {
  /** `'train'` (60,000 images, the default) or `'test'` (10,000). */
  split?: Split;
  /**
   * A directory holding the IDX files (`train-images-idx3-ubyte.gz` …, gzipped or not; also the
   * torchvision layout `<root>/<Name>/raw/`). Without it the files are downloaded.
   */
  root?: string;
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

async function findLocal(root: string, fileName: string, torchvisionName: string): Promise<string> {
  const base = fileName.replace(/\.gz$/, '');
  const dirs = [root, join(root, 'raw'), join(root, torchvisionName, 'raw')];
  const candidates = dirs.flatMap((dir) => [join(dir, fileName), join(dir, base)]);
  for (const candidate of candidates) if (await exists(candidate)) return candidate;
  throw new ZooError('NOT_FOUND', `${fileName} is not in ${root}; looked for ${candidates.join(', ')}`, {
    received: root,
    expected: `a directory containing ${fileName} or ${base}`,
  });
}

async function loadIdxDataset(
  files: { images: RemoteFile; labels: RemoteFile },
  classes: readonly string[],
  torchvisionName: string,
  options: IdxDatasetOptions,
): Promise<ArrayImageDataset> {
  let imagesPath: string;
  let labelsPath: string;
  if (options.root !== undefined) {
    if (typeof options.root !== 'string' || options.root === '') {
      throw invalidArgument('root', options.root, 'a directory path');
    }
    imagesPath = await findLocal(options.root, files.images.fileName, torchvisionName);
    labelsPath = await findLocal(options.root, files.labels.fileName, torchvisionName);
  } else {
    imagesPath = await downloadFile(files.images, options);
    labelsPath = await downloadFile(files.labels, options);
  }
  const { images, labels, imageSize } = await readIdxImagesAndLabels(imagesPath, labelsPath);
  return new ArrayImageDataset({
    images,
    labels,
    shape: [imageSize[0], imageSize[1], 1],
    classes,
    source: imagesPath,
  });
}

function splitOf(options: IdxDatasetOptions): Split {
  const split = options.split ?? 'train';
  if (split !== 'train' && split !== 'test') throw invalidArgument('split', split, "'train' or 'test'");
  return split;
}

/** MNIST handwritten digits: 60,000 train / 10,000 test 28×28×1 uint8 images, 10 classes. */
export function loadMnist(options: IdxDatasetOptions = {}): Promise<ArrayImageDataset> {
  const split = splitOf(options);
  const files =
    split === 'train'
      ? { images: MNIST_FILES.trainImages, labels: MNIST_FILES.trainLabels }
      : { images: MNIST_FILES.testImages, labels: MNIST_FILES.testLabels };
  return loadIdxDataset(files, MNIST_CLASSES, 'MNIST', options);
}

/**
 * Fashion-MNIST: 60,000 train / 10,000 test 28×28×1 uint8 images of clothing, 10 classes. Debian's
 * `dataset-fashion-mnist` works as a root: `{ root: '/usr/share/datasets/fashion-mnist' }`.
 */
export function loadFashionMnist(options: IdxDatasetOptions = {}): Promise<ArrayImageDataset> {
  const split = splitOf(options);
  const files =
    split === 'train'
      ? { images: FASHION_MNIST_FILES.trainImages, labels: FASHION_MNIST_FILES.trainLabels }
      : { images: FASHION_MNIST_FILES.testImages, labels: FASHION_MNIST_FILES.testLabels };
  return loadIdxDataset(files, FASHION_MNIST_CLASSES, 'FashionMNIST', options);
}

/**
 * The bundled sample: sha256 of each file's uncompressed IDX bytes, as printed by
 * `scripts/make-sample.mjs` (and checked independently with Python's gzip + hashlib).
 */
export const FASHION_MNIST_SAMPLE = {
  /** Directory of the sample inside this package. */
  directory: fileURLToPath(new URL('../data/fashion-mnist-sample/', import.meta.url)),
  /** Number of images. */
  count: 1000,
  /** sha256 of the uncompressed `t10k-images-idx3-ubyte`. */
  imagesSha256: '7a6d8e07ea021ec5bc73135ebd0a5770799557ec6f8242d8749c4f32a3cf4643',
  /** sha256 of the uncompressed `t10k-labels-idx1-ubyte`. */
  labelsSha256: 'b40abac7ec8228f434940f579deb7cf7b6e3103b5274cb91d1545771f5ef1c8b',
} as const;

/**
 * The first 1,000 images of the Fashion-MNIST test split, shipped inside this package (MIT license,
 * Zalando SE): works offline on any machine. Verified against the pinned sha256 on load.
 *
 * @throws {@link @tfzoo/core!ZooError} `CHECKSUM_MISMATCH` when the bundled files were altered.
 */
export async function loadFashionMnistSample(): Promise<ArrayImageDataset> {
  const dir = FASHION_MNIST_SAMPLE.directory;
  const imagesPath = join(dir, 't10k-images-idx3-ubyte.gz');
  const labelsPath = join(dir, 't10k-labels-idx1-ubyte.gz');
  const { images, labels, imageSize } = await readIdxImagesAndLabels(imagesPath, labelsPath);
  const header = (dims: number[]): Buffer => {
    const buffer = Buffer.alloc(4 + 4 * dims.length);
    buffer.writeUInt32BE(0x800 + dims.length, 0);
    dims.forEach((d, i) => {
      buffer.writeUInt32BE(d, 4 + 4 * i);
    });
    return buffer;
  };
  const check = (path: string, dims: number[], data: Uint8Array, expected: string): void => {
    const actual = createHash('sha256').update(header(dims)).update(data).digest('hex');
    if (actual !== expected) {
      throw new ZooError('CHECKSUM_MISMATCH', `${path} has content sha256 ${actual}; expected ${expected}`, {
        received: actual,
        expected,
      });
    }
  };
  check(imagesPath, [labels.length, imageSize[0], imageSize[1]], images, FASHION_MNIST_SAMPLE.imagesSha256);
  check(labelsPath, [labels.length], Uint8Array.from(labels), FASHION_MNIST_SAMPLE.labelsSha256);
  return new ArrayImageDataset({
    images,
    labels,
    shape: [imageSize[0], imageSize[1], 1],
    classes: FASHION_MNIST_CLASSES,
    source: imagesPath,
  });
}
