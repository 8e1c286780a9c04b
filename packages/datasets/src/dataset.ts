/**
 * Data sets as random-access collections of labelled images (torch.utils.data's map-style
 * `Dataset`), an in-memory implementation for the array data sets (MNIST, CIFAR), subsets, and a
 * seeded, optionally stratified train/validation split (scikit-learn's `train_test_split`).
 */
import { invalidArgument, ZooError } from '@tfzoo/core';
import type { RawImage } from './image.js';
import { Rng } from './random.js';

/** One labelled image. */
export interface Sample {
  /** The decoded image, HWC. */
  image: RawImage;
  /** The class index, `0 … classes.length - 1`. */
  label: number;
}

/** A map-style data set: a known number of samples read by index. */
export interface Dataset {
  /** Number of samples. */
  readonly length: number;
  /** Class names, index-aligned with labels. */
  readonly classes: readonly string[];
  /**
   * The label of every sample, known without decoding images (used for stratified splits and
   * class-balanced sampling).
   */
  readonly labels: Int32Array;
  /**
   * Reads sample `index`. Returns `null` when the sample was skipped (an unreadable image with
   * `skipCorrupt`); the loader then leaves it out of its batch.
   */
  get(index: number): Sample | null | Promise<Sample | null>;
  /** Where sample `index` comes from (a file name), for messages. */
  describe?(index: number): string;
}

/** Checks a sample index against a data set's length. */
export function checkIndex(index: number, length: number): void {
  if (!Number.isInteger(index) || index < 0 || index >= length) {
    throw invalidArgument('sample index', index, `an integer in [0, ${length})`);
  }
}

/** Options of {@link ArrayImageDataset}. */
export interface ArrayImageDatasetInit {
  /** All pixels, sample after sample, each `height * width * channels` uint8 values in HWC order. */
  images: Uint8Array;
  /** One label per sample. */
  labels: Int32Array;
  /** `[height, width, channels]` of every image. */
  shape: readonly [number, number, number];
  /** Class names. */
  classes: readonly string[];
  /** Name used in messages (e.g. the file the data came from). */
  source?: string;
}

/**
 * A data set held in memory as one uint8 array (MNIST, Fashion-MNIST, CIFAR). `get` returns views
 * into that array, without copying; transforms never write to their input.
 */
export class ArrayImageDataset implements Dataset {
  /** All pixels, `length * height * width * channels`, HWC per sample. */
  readonly images: Uint8Array;
  /** One label per sample. */
  readonly labels: Int32Array;
  /** `[height, width, channels]` of every sample. */
  readonly shape: readonly [number, number, number];
  /** Class names. */
  readonly classes: readonly string[];
  /** Where the data came from, for messages. */
  readonly source: string;

  /** Wraps arrays after checking their sizes and the label range. */
  constructor(init: ArrayImageDatasetInit) {
    const { images, labels, shape, classes } = init;
    const [h, w, c] = shape;
    const size = h * w * c;
    if (!(size > 0) || images.length !== labels.length * size) {
      throw invalidArgument(
        'images.length',
        images.length,
        `labels.length × height × width × channels = ${labels.length} × ${size}`,
      );
    }
    for (let i = 0; i < labels.length; i++) {
      const label = labels[i]!;
      if (label < 0 || label >= classes.length) {
        throw new ZooError(
          'CORRUPT_FILE',
          `label ${label} of sample ${i} in ${init.source ?? 'the data'} is outside 0…${classes.length - 1}`,
          { received: label, expected: `a class index below ${classes.length}` },
        );
      }
    }
    this.images = images;
    this.labels = labels;
    this.shape = [h, w, c];
    this.classes = classes;
    this.source = init.source ?? 'in-memory images';
  }

  /** Number of samples. */
  get length(): number {
    return this.labels.length;
  }

  /** Sample `index`: a view of its pixels and its label. */
  get(index: number): Sample {
    checkIndex(index, this.length);
    const [height, width, channels] = this.shape;
    const size = height * width * channels;
    return {
      image: { data: this.images.subarray(index * size, (index + 1) * size), height, width, channels },
      label: this.labels[index]!,
    };
  }

  /** `source#index`. */
  describe(index: number): string {
    return `${this.source}#${index}`;
  }
}

/** A view of some samples of another data set, in the given order (torch `Subset`). */
export class Subset implements Dataset {
  /** The underlying data set. */
  readonly dataset: Dataset;
  /** Indices into {@link Subset.dataset}. */
  readonly indices: Int32Array;
  /** Labels of the selected samples. */
  readonly labels: Int32Array;

  /** Selects `indices` (each checked) of `dataset`. */
  constructor(dataset: Dataset, indices: ArrayLike<number>) {
    this.dataset = dataset;
    this.indices = Int32Array.from(indices);
    this.labels = new Int32Array(this.indices.length);
    this.indices.forEach((index, i) => {
      checkIndex(index, dataset.length);
      this.labels[i] = dataset.labels[index]!;
    });
  }

  /** Number of selected samples. */
  get length(): number {
    return this.indices.length;
  }

  /** The class names of the underlying data set. */
  get classes(): readonly string[] {
    return this.dataset.classes;
  }

  /** Sample `index` of the subset. */
  get(index: number): Sample | null | Promise<Sample | null> {
    checkIndex(index, this.length);
    return this.dataset.get(this.indices[index]!);
  }

  /** Describes the underlying sample. */
  describe(index: number): string {
    const inner = this.indices[index]!;
    return this.dataset.describe ? this.dataset.describe(inner) : `sample ${inner}`;
  }
}

/** Options of {@link trainValidationSplit}. */
export interface SplitOptions {
  /** Fraction of the samples (of each class, when stratified) that goes to validation, in (0, 1). */
  validationFraction: number;
  /** Seed of the shuffle (default 0). */
  seed?: number;
  /** Keep the class proportions equal in both parts (default true). */
  stratify?: boolean;
}

/**
 * Splits a data set into disjoint train and validation subsets, shuffled with `seed`. Stratified,
 * each class contributes `round(n_c × validationFraction)` samples to validation.
 */
export function trainValidationSplit(
  dataset: Dataset,
  options: SplitOptions,
): { train: Subset; validation: Subset } {
  const fraction = options?.validationFraction;
  if (typeof fraction !== 'number' || !(fraction > 0 && fraction < 1)) {
    throw invalidArgument('validationFraction', fraction, 'a number in (0, 1)');
  }
  const rng = new Rng(options.seed ?? 0);
  const train: number[] = [];
  const validation: number[] = [];
  if (options.stratify ?? true) {
    const byClass = new Map<number, number[]>();
    dataset.labels.forEach((label, index) => {
      const list = byClass.get(label);
      if (list) list.push(index);
      else byClass.set(label, [index]);
    });
    for (const label of [...byClass.keys()].sort((a, b) => a - b)) {
      const members = rng.shuffle(byClass.get(label)!);
      const count = Math.round(members.length * fraction);
      validation.push(...members.slice(0, count));
      train.push(...members.slice(count));
    }
    rng.shuffle(train);
    rng.shuffle(validation);
  } else {
    const order = rng.permutation(dataset.length);
    const count = Math.round(dataset.length * fraction);
    validation.push(...order.subarray(0, count));
    train.push(...order.subarray(count));
  }
  return { train: new Subset(dataset, train), validation: new Subset(dataset, validation) };
}

/** Number of samples per class (index-aligned with `classes`). */
export function classCounts(dataset: Pick<Dataset, 'labels' | 'classes'>): number[] {
  const counts = new Array<number>(dataset.classes.length).fill(0);
  for (const label of dataset.labels) counts[label] = (counts[label] ?? 0) + 1;
  return counts;
}
