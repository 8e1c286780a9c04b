/** Shared test fixtures: a small random image set and LeNet-5 on 28×28×1. */
import type * as tfl from '@tensorflow/tfjs-layers';
import { withSeed } from '@tfzoo/core';
import { ArrayImageDataset, compose, DataLoader, normalize, toFloat } from '@tfzoo/datasets';
import { lenet5 } from '@tfzoo/lenet';

/** `n` random 28×28×1 images of 10 classes, deterministic by `seed`. */
export function randomImages(n: number, seed = 1): ArrayImageDataset {
  let state = seed >>> 0 || 1;
  const next = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state;
  };
  const images = new Uint8Array(n * 28 * 28);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = next() % 10;
    // class-dependent brightness so that there is something to learn
    for (let p = 0; p < 784; p++) images[i * 784 + p] = (next() % 128) + (p % 10 === labels[i] ? 127 : 0);
  }
  return new ArrayImageDataset({
    images,
    labels,
    shape: [28, 28, 1],
    classes: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
  });
}

/** A loader over {@link randomImages}. */
export function randomLoader(n: number, batchSize: number, seed = 1): DataLoader {
  return new DataLoader(randomImages(n, seed), {
    batchSize,
    shuffle: true,
    seed,
    transform: compose(toFloat(), normalize([0.5], [0.25])),
  });
}

/** LeNet-5 for 28×28×1 inputs, seeded. */
export function smallLenet(seed = 1): tfl.LayersModel {
  return withSeed(seed, () => lenet5({ inputShape: [28, 28, 1] }));
}
