// The loader, samplers, split and batch mixing: invariants that must hold exactly, and one epoch of
// model.fitDataset on the bundled Fashion-MNIST sample.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import type { ArrayBatch } from './batch.js';
import { ArrayImageDataset, classCounts, trainValidationSplit } from './dataset.js';
import { DataLoader } from './loader.js';
import { cutmix, mixup } from './mix.js';
import { loadFashionMnistSample } from './mnist.js';
import { Rng } from './random.js';
import { classBalancedSampler, weightedRandomSampler } from './sampler.js';
import { compose, randomCrop, randomHorizontalFlip, toFloat } from './transforms/transforms.js';

/** n 4×4×1 images; image i is filled with the value i % 256; labels given. */
function tinyDataset(labels: number[], numClasses = 10): ArrayImageDataset {
  const images = new Uint8Array(labels.length * 16);
  for (let i = 0; i < labels.length; i++) images.fill(i % 256, i * 16, (i + 1) * 16);
  return new ArrayImageDataset({
    images,
    labels: Int32Array.from(labels),
    shape: [4, 4, 1],
    classes: Array.from({ length: numClasses }, (_, c) => `c${c}`),
  });
}

async function collect(loader: DataLoader, epoch?: number): Promise<ArrayBatch[]> {
  const out: ArrayBatch[] = [];
  for await (const batch of loader.batches(epoch)) out.push(batch);
  return out;
}

const indicesOf = (batches: ArrayBatch[]): number[] => batches.flatMap((b) => Array.from(b.indices));

describe('DataLoader', () => {
  const dataset = tinyDataset(Array.from({ length: 103 }, (_, i) => i % 10));

  it('visits every sample once per epoch, in order without shuffle; dropLast drops the short batch', async () => {
    const ordered = await collect(new DataLoader(dataset, { batchSize: 10 }));
    expect(ordered.map((b) => b.shape[0])).toEqual([10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 3]);
    expect(indicesOf(ordered)).toEqual(Array.from({ length: 103 }, (_, i) => i));
    // Pixels are the stored values (image i is filled with i), labels the stored labels.
    expect(ordered[2]!.x[5 * 16]).toBe(25);
    expect(ordered[2]!.labels[5]).toBe(5);
    const dropped = new DataLoader(dataset, { batchSize: 10, dropLast: true });
    expect(dropped.length).toBe(10);
    expect((await collect(dropped)).length).toBe(10);
  });

  it('shuffles with its seed: a permutation per epoch, reproducible, different across epochs', async () => {
    const a = new DataLoader(dataset, { batchSize: 16, shuffle: true, seed: 3 });
    const b = new DataLoader(dataset, { batchSize: 16, shuffle: true, seed: 3 });
    const c = new DataLoader(dataset, { batchSize: 16, shuffle: true, seed: 4 });
    const a0 = indicesOf(await collect(a, 0));
    expect([...a0].sort((x, y) => x - y)).toEqual(Array.from({ length: 103 }, (_, i) => i));
    expect(indicesOf(await collect(b, 0))).toEqual(a0);
    expect(indicesOf(await collect(a, 1))).not.toEqual(a0);
    expect(indicesOf(await collect(c, 0))).not.toEqual(a0);
  });

  it('seeds random transforms per (seed, epoch, position): same run twice is identical', async () => {
    const transform = compose(randomCrop(3, { padding: 1 }), randomHorizontalFlip(), toFloat(1 / 255));
    const make = (): DataLoader =>
      new DataLoader(dataset, { batchSize: 8, shuffle: true, seed: 9, transform, concurrency: 3 });
    const first = await collect(make(), 2);
    const second = await collect(make(), 2);
    expect(first.map((b) => Array.from(b.x))).toEqual(second.map((b) => Array.from(b.x)));
    expect(first[0]!.shape).toEqual([8, 3, 3, 1]);
    const other = await collect(make(), 3);
    expect(other.map((b) => Array.from(b.x))).not.toEqual(first.map((b) => Array.from(b.x)));
  });

  it('one-hot targets', async () => {
    const [batch] = await collect(new DataLoader(dataset, { batchSize: 4, oneHot: true }));
    expect(Array.from(batch!.targets!.subarray(10, 20))).toEqual([0, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('yields tensors without leaking any', async () => {
    const loader = new DataLoader(dataset, { batchSize: 32 });
    const before = tf.memory().numTensors;
    let rows = 0;
    for await (const { x, y } of loader) {
      rows += x.shape[0];
      expect(y.shape).toEqual([x.shape[0]]);
      tf.dispose([x, y]);
    }
    expect(rows).toBe(103);
    expect(loader.epoch).toBe(1);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('trainValidationSplit', () => {
  it('stratified: round(n_c × fraction) of each class to validation, disjoint, covering', () => {
    const labels = [...new Array(50).fill(0), ...new Array(30).fill(1), ...new Array(7).fill(2)];
    const dataset = tinyDataset(labels, 3);
    const { train, validation } = trainValidationSplit(dataset, { validationFraction: 0.2, seed: 1 });
    expect(classCounts(validation)).toEqual([10, 6, 1]);
    expect(classCounts(train)).toEqual([40, 24, 6]);
    const all = [...train.indices, ...validation.indices].sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: 87 }, (_, i) => i));
    const again = trainValidationSplit(dataset, { validationFraction: 0.2, seed: 1 });
    expect(Array.from(again.validation.indices)).toEqual(Array.from(validation.indices));
  });
});

describe('class-balanced sampling', () => {
  const labels = [...new Array(90).fill(0), ...new Array(9).fill(1), ...new Array(1).fill(2)];

  it('oversample: every class as often as the largest, each member at least once', () => {
    const sampler = classBalancedSampler(labels, { mode: 'oversample', seed: 2 });
    const epoch = Array.from(sampler.indices(0));
    expect(epoch.length).toBe(270);
    const counts = [0, 0, 0];
    for (const i of epoch) counts[labels[i]!]!++;
    expect(counts).toEqual([90, 90, 90]);
    expect(new Set(epoch).size).toBe(100);
  });

  it('undersample: every class cut to the smallest, without repeats', () => {
    const sampler = classBalancedSampler(labels, { mode: 'undersample', seed: 2 });
    const epoch = Array.from(sampler.indices(5));
    expect(epoch.map((i) => labels[i])).toEqual(expect.arrayContaining([0, 1, 2]));
    expect(epoch.length).toBe(3);
    expect(new Set(epoch).size).toBe(3);
  });

  it('weights: inverse-frequency draws give each class about a third', () => {
    const sampler = classBalancedSampler(labels, { mode: 'weights', numSamples: 30000, seed: 7 });
    const counts = [0, 0, 0];
    for (const i of sampler.indices(0)) counts[labels[i]!]!++;
    // Binomial(30000, 1/3): sd ≈ 82; allow 5 sd.
    for (const count of counts) expect(Math.abs(count - 10000)).toBeLessThan(410);
  });

  it('weighted sampling without replacement never repeats and skips zero weights', () => {
    const sampler = weightedRandomSampler([1, 0, 3, 2, 0, 5], { replacement: false, numSamples: 4, seed: 1 });
    const drawn = Array.from(sampler.indices(0));
    expect(new Set(drawn).size).toBe(4);
    expect(drawn.sort()).toEqual([0, 2, 3, 5]);
  });
});

describe('mixup and cutmix', () => {
  const batch = (): ArrayBatch => {
    const n = 6;
    const x = new Float32Array(n * 8 * 8 * 3);
    for (let i = 0; i < n; i++) x.fill(i, i * 192, (i + 1) * 192);
    return {
      x,
      shape: [n, 8, 8, 3],
      labels: Int32Array.from([0, 1, 2, 3, 4, 0]),
      targets: null,
      numClasses: 5,
      indices: Int32Array.from([0, 1, 2, 3, 4, 5]),
    };
  };

  it('mixup: x and targets blended with the reversed batch by the same λ', () => {
    const out = mixup({ alpha: 0.4 })(batch(), new Rng(11));
    const targets = out.targets!;
    // Sample 1 (value 1, class 1) is mixed with sample 4 (value 4, class 4).
    const lambda = targets[1 * 5 + 1]!;
    expect(targets[1 * 5 + 4]!).toBeCloseTo(1 - lambda, 6);
    expect(out.x[192]!).toBeCloseTo(lambda * 1 + (1 - lambda) * 4, 5);
    for (let i = 0; i < 6; i++) {
      const row = targets.subarray(i * 5, i * 5 + 5).reduce((a, b) => a + b, 0);
      expect(row).toBeCloseTo(1, 6);
    }
  });

  it('cutmix: the target weight of the partner equals the fraction of pixels pasted from it', () => {
    for (let seed = 0; seed < 20; seed++) {
      const out = cutmix({ alpha: 1 })(batch(), new Rng(seed));
      const image2 = out.x.subarray(2 * 192, 3 * 192); // sample 2 (value 2) mixed with sample 3
      const fromPartner = image2.reduce((n, v) => n + (v === 3 ? 1 : 0), 0) / 192;
      expect(out.targets![2 * 5 + 3]!).toBeCloseTo(fromPartner, 6);
      expect(out.targets![2 * 5 + 2]!).toBeCloseTo(1 - fromPartner, 6);
    }
  });
});

describe('toTfDataset', () => {
  it('feeds model.fitDataset for whole epochs without leaking tensors', async () => {
    const data = await loadFashionMnistSample();
    const loader = new DataLoader(data, {
      batchSize: 200,
      shuffle: true,
      seed: 1,
      oneHot: true,
      transform: toFloat(),
    });
    const model = tfl.sequential({
      layers: [
        tfl.layers.flatten({ inputShape: [28, 28, 1] }),
        tfl.layers.dense({ units: 10, activation: 'softmax' }),
      ],
    });
    model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const dataset = loader.toTfDataset();
    expect(dataset.size).toBe(5);
    const first = await model.fitDataset(dataset, { epochs: 1, verbose: 0 });
    expect(loader.epoch).toBe(1); // fitDataset's unused first iterator did not claim an epoch
    const before = tf.memory().numTensors;
    const history = await model.fitDataset(dataset, { epochs: 2, verbose: 0 });
    expect(loader.epoch).toBe(3);
    expect(tf.memory().numTensors).toBe(before);
    const losses = [...(first.history.loss as number[]), ...(history.history.loss as number[])];
    expect(losses.every(Number.isFinite)).toBe(true);
    // Softmax regression on Fashion-MNIST learns quickly: the loss falls from ≈ ln 10.
    expect(losses[2]!).toBeLessThan(losses[0]!);
    model.dispose();
  });
});
