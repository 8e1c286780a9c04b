/**
 * The data loader (torch.utils.data.DataLoader's role): batches from a map-style data set, a sampler
 * per epoch (sequential, seeded shuffle, or class balancing), per-sample transforms seeded by
 * `(seed, epoch, position)`, batch transforms (mixup, cutmix), and a bounded prefetch: at most
 * `prefetch` batches are prepared ahead of the consumer, with at most `concurrency` samples being read
 * and decoded at once. Batches are assembled as typed arrays and turned into tensors only when the
 * consumer takes them.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { invalidArgument, ZooError } from '@tfzoo/core';
import { type ArrayBatch, oneHotTargets, type TensorBatch, toTensors } from './batch.js';
import type { Dataset, Sample } from './dataset.js';
import type { BatchTransform } from './mix.js';
import { mixSeed, Rng } from './random.js';
import { randomSampler, type Sampler, sequentialSampler } from './sampler.js';
import type { Transform } from './transforms/transforms.js';

/** Options of {@link DataLoader}. */
export interface DataLoaderOptions {
  /** Samples per batch (default 32). */
  batchSize?: number;
  /** Visit samples in a new seeded random order every epoch (default false). Ignored with `sampler`. */
  shuffle?: boolean;
  /** Seed of shuffling and of every random transform (default 0). */
  seed?: number;
  /** Drop the last batch when it is smaller than `batchSize` (default false). */
  dropLast?: boolean;
  /** Per-sample transform (see `compose`). */
  transform?: Transform;
  /** Batch transform applied after assembly (mixup, cutmix). Produces soft targets. */
  batchTransform?: BatchTransform;
  /** Chooses each epoch's indices (e.g. `classBalancedSampler`); overrides `shuffle`. */
  sampler?: Sampler;
  /**
   * Batches prepared ahead of the one the consumer is waiting for (default 2; 0 prepares on demand).
   * At most `(prefetch + 1) × batchSize` decoded samples exist that the consumer has not received.
   */
  prefetch?: number;
  /** Samples read/decoded at the same time (default 4). */
  concurrency?: number;
  /** Deliver targets one-hot `[batch, numClasses]` instead of class indices `[batch]` (default false). */
  oneHot?: boolean;
}

/** Runs at most `limit` async tasks at a time. */
class Limiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  async run<T>(task: () => Promise<T> | T): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    try {
      return await task();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

function positiveInteger(name: string, value: number, allowZero = false): number {
  if (!Number.isInteger(value) || value < (allowZero ? 0 : 1)) {
    throw invalidArgument(name, value, allowZero ? 'a non-negative integer' : 'a positive integer');
  }
  return value;
}

/**
 * Iterates a data set in batches. `for await (const { x, y } of loader)` runs one epoch as tensors
 * (dispose them); {@link DataLoader.batches} gives array batches; {@link DataLoader.toTfDataset}
 * feeds `model.fitDataset`.
 */
export class DataLoader implements AsyncIterable<TensorBatch> {
  /** The data set. */
  readonly dataset: Dataset;
  /** Samples per batch. */
  readonly batchSize: number;
  /** Whether a short last batch is dropped. */
  readonly dropLast: boolean;
  /** The sampler choosing each epoch's indices. */
  readonly sampler: Sampler;
  /** The epoch the next `for await` (or `toTfDataset` iterator) runs; advanced by each. */
  epoch = 0;
  private readonly seed: number;
  private readonly transform: Transform | undefined;
  private readonly batchTransform: BatchTransform | undefined;
  private readonly prefetch: number;
  private readonly concurrency: number;
  private readonly oneHot: boolean;

  /** Validates the options; nothing is read yet. */
  constructor(dataset: Dataset, options: DataLoaderOptions = {}) {
    if (typeof dataset?.get !== 'function' || !Number.isInteger(dataset.length)) {
      throw invalidArgument('dataset', dataset, 'a Dataset with length and get(index)');
    }
    this.dataset = dataset;
    this.batchSize = positiveInteger('batchSize', options.batchSize ?? 32);
    this.dropLast = options.dropLast ?? false;
    this.seed = options.seed ?? 0;
    if (!Number.isFinite(this.seed)) throw invalidArgument('seed', options.seed, 'a finite number');
    this.prefetch = positiveInteger('prefetch', options.prefetch ?? 2, true);
    this.concurrency = positiveInteger('concurrency', options.concurrency ?? 4);
    this.transform = options.transform;
    this.batchTransform = options.batchTransform;
    this.oneHot = options.oneHot ?? false;
    this.sampler =
      options.sampler ??
      (options.shuffle ? randomSampler(dataset.length, this.seed) : sequentialSampler(dataset.length));
  }

  /** Batches per epoch. */
  get length(): number {
    const n = this.sampler.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  private async loadSample(index: number, epoch: number, position: number): Promise<Sample | null> {
    const sample = await this.dataset.get(index);
    if (sample === null || !this.transform) return sample;
    const rng = new Rng(mixSeed(this.seed, epoch, position));
    return { image: this.transform(sample.image, rng), label: sample.label };
  }

  private assemble(
    samples: (Sample | null)[],
    indices: Int32Array,
    epoch: number,
    batchIndex: number,
  ): ArrayBatch | null {
    const kept: Sample[] = [];
    const keptIndices: number[] = [];
    samples.forEach((sample, i) => {
      if (sample) {
        kept.push(sample);
        keptIndices.push(indices[i]!);
      }
    });
    if (kept.length === 0) return null;
    const first = kept[0]!.image;
    const { height, width, channels } = first;
    const per = height * width * channels;
    const x = new Float32Array(kept.length * per);
    const labels = new Int32Array(kept.length);
    kept.forEach((sample, i) => {
      const { image } = sample;
      if (image.height !== height || image.width !== width || image.channels !== channels) {
        const where = this.dataset.describe?.(keptIndices[i]!) ?? `sample ${keptIndices[i]}`;
        throw new ZooError(
          'INVALID_ARGUMENT',
          `${where} is ${image.height}×${image.width}×${image.channels} after the transform; expected ${height}×${width}×${channels} like the rest of the batch (add a resize/crop transform)`,
          {
            received: [image.height, image.width, image.channels],
            expected: `[${height}, ${width}, ${channels}]`,
          },
        );
      }
      x.set(image.data, i * per);
      labels[i] = sample.label;
    });
    const numClasses = this.dataset.classes.length;
    let batch: ArrayBatch = {
      x,
      shape: [kept.length, height, width, channels],
      labels,
      targets: this.oneHot ? oneHotTargets(labels, numClasses) : null,
      numClasses,
      indices: Int32Array.from(keptIndices),
    };
    if (this.batchTransform) {
      batch = this.batchTransform(batch, new Rng(mixSeed(this.seed, epoch, batchIndex, 0xb47c)));
    }
    return batch;
  }

  /**
   * The batches of epoch `epoch` (default: {@link DataLoader.epoch}, without advancing it) as typed
   * arrays. Batches whose every sample was skipped are left out.
   */
  async *batches(epoch = this.epoch): AsyncGenerator<ArrayBatch> {
    positiveInteger('epoch', epoch, true);
    const order = this.sampler.indices(epoch);
    const count = this.dropLast
      ? Math.floor(order.length / this.batchSize)
      : Math.ceil(order.length / this.batchSize);
    const limiter = new Limiter(this.concurrency);
    let cancelled = false;
    const build = async (b: number): Promise<ArrayBatch | null> => {
      const indices = order.subarray(b * this.batchSize, Math.min((b + 1) * this.batchSize, order.length));
      const samples = await Promise.all(
        Array.from(indices, (index, i) =>
          limiter.run(() => (cancelled ? null : this.loadSample(index, epoch, b * this.batchSize + i))),
        ),
      );
      return cancelled ? null : this.assemble(samples, indices, epoch, b);
    };
    const pending: Promise<ArrayBatch | null>[] = [];
    let started = 0;
    const startAhead = (): void => {
      while (started < count && pending.length <= this.prefetch) {
        const promise = build(started++);
        promise.catch(() => {}); // Rejections surface when awaited, in order.
        pending.push(promise);
      }
    };
    try {
      // While the consumer holds batch k, batches k+1 … k+prefetch are being prepared; k+prefetch+1
      // starts when it asks for the next one.
      for (startAhead(); pending.length > 0; startAhead()) {
        const batch = await pending.shift()!;
        if (batch) yield batch;
      }
    } finally {
      cancelled = true;
    }
  }

  /** The batches of epoch `epoch` (default {@link DataLoader.epoch}) as tensors the consumer disposes. */
  async *tensors(epoch = this.epoch): AsyncGenerator<TensorBatch> {
    for await (const batch of this.batches(epoch)) yield toTensors(batch);
  }

  /** One epoch as tensors (dispose each batch); each `for await` runs the next epoch. */
  [Symbol.asyncIterator](): AsyncIterator<TensorBatch> {
    return this.tensors(this.epoch++);
  }

  /**
   * An object `model.fitDataset` and `model.evaluateDataset` accept (the shape of a `tf.data.Dataset`
   * of `{xs, ys}`, without needing @tensorflow/tfjs-data): every `iterator()` runs the next epoch,
   * `size` is the number of batches per epoch. fitDataset disposes the tensors it receives.
   */
  toTfDataset(): TfDatasetLike {
    return {
      size: this.length,
      iterator: async () => {
        let inner: AsyncIterator<TensorBatch> | undefined;
        return {
          next: async (): Promise<IteratorResult<{ xs: tf.Tensor4D; ys: tf.Tensor }>> => {
            // The epoch is claimed on first use: fitDataset creates one iterator it never reads.
            inner ??= this.tensors(this.epoch++);
            const result = await inner.next();
            if (result.done) return { done: true, value: undefined };
            return { done: false, value: { xs: result.value.x, ys: result.value.y } };
          },
        };
      },
    };
  }
}

/** The minimal `tf.data.Dataset` shape that `LayersModel.fitDataset` needs. */
export interface TfDatasetLike {
  /** Batches per epoch. */
  size: number;
  /** A fresh iterator over one epoch of `{xs, ys}` batches. */
  iterator(): Promise<{ next(): Promise<IteratorResult<{ xs: tf.Tensor4D; ys: tf.Tensor }>> }>;
}
