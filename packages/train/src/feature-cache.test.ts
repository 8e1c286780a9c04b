import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { initBackend, ZooError } from '@tfzoo/core';
import { ArrayImageDataset, compose, DataLoader, randomHorizontalFlip, toFloat } from '@tfzoo/datasets';
import { SGD } from '@tfzoo/optimizers';
import { beforeAll, describe, expect, it } from 'vitest';
import { FeatureCache, freeze, splitAtHead, train } from './index.js';

/** conv + batch-norm + relu + pool backbone, dropout + dense head: 8×8×1 → 3. */
function model(): tfl.LayersModel {
  const init = (seed: number) => tfl.initializers.glorotUniform({ seed });
  const input = tfl.input({ shape: [8, 8, 1] });
  let x = tfl.layers
    .conv2d({ filters: 6, kernelSize: 3, name: 'conv', kernelInitializer: init(1) })
    .apply(input) as tfl.SymbolicTensor;
  x = tfl.layers.batchNormalization({ name: 'bn' }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.activation({ activation: 'relu', name: 'relu' }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.globalAveragePooling2d({ name: 'pool' }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.dropout({ rate: 0.2, seed: 5, name: 'drop' }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.dense({ units: 3, name: 'fc', kernelInitializer: init(2) }).apply(x) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: x });
}

function dataset(n: number): ArrayImageDataset {
  const images = new Uint8Array(n * 64);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = i % 3;
    for (let p = 0; p < 64; p++)
      images[i * 64 + p] = (p % 8 < 3 * (labels[i]! + 1) ? 200 : 20) + ((i * 31 + p * 7) % 23);
  }
  return new ArrayImageDataset({ images, labels, shape: [8, 8, 1], classes: ['a', 'b', 'c'] });
}

async function weights(m: tfl.LayersModel): Promise<Float32Array[]> {
  return Promise.all(m.getWeights().map(async (w) => (await w.data()) as Float32Array));
}

describe('training the head on cached features', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });

  it('gives the weights of the uncached run, computing each image’s features once', async () => {
    const run = async (cacheFeatures: boolean) => {
      const m = model();
      freeze(m, 'backbone');
      const loader = new DataLoader(dataset(24), {
        batchSize: 5,
        shuffle: true,
        seed: 3,
        transform: toFloat(),
      });
      const before = tf.memory().numTensors;
      // The head's dropout is random: the same seed gives both runs the same masks.
      const optimizer = new SGD({ learningRate: 0.2, momentum: 0.9 });
      const history = await train({ model: m, data: loader, epochs: 3, optimizer, cacheFeatures });
      optimizer.dispose(); // its momentum slots
      expect(tf.memory().numTensors).toBe(before);
      return { m, history };
    };
    const plain = await run(false);
    const cached = await run(true);
    expect(plain.history.featureCache).toBeUndefined();
    expect(cached.history.featureCache).toEqual({ hits: 48, misses: 24, active: true });
    const [a, b] = [await weights(plain.m), await weights(cached.m)];
    expect(b).toHaveLength(a.length);
    for (let i = 0; i < a.length; i++) expect(Array.from(b[i]!)).toEqual(Array.from(a[i]!));
    // The head moved, the frozen backbone did not.
    const fresh = model();
    const layerWeights = (m: tfl.LayersModel, name: string) =>
      Array.from(m.getLayer(name).getWeights()[0]!.dataSync());
    expect(layerWeights(plain.m, 'conv')).toEqual(layerWeights(fresh, 'conv'));
    expect(layerWeights(plain.m, 'fc')).not.toEqual(layerWeights(fresh, 'fc'));
    fresh.dispose();
    plain.m.dispose();
    cached.m.dispose();
  });

  it('turns itself off when augmentation changes the images, and refuses an unfrozen backbone', async () => {
    const m = model();
    expect(() => splitAtHead(m)).toThrow(ZooError); // nothing frozen yet
    expect(() => new FeatureCache(m)).toThrow(/no frozen layers/);
    freeze(m, 'backbone');
    expect(splitAtHead(m).head.map((l) => l.name)).toEqual(['drop', 'fc']);
    const loader = new DataLoader(dataset(12), {
      batchSize: 4,
      shuffle: true,
      seed: 1,
      transform: compose(randomHorizontalFlip(), toFloat()),
    });
    const history = await train({
      model: m,
      data: loader,
      epochs: 2,
      optimizer: new SGD({ learningRate: 0.1 }),
      cacheFeatures: true,
    });
    expect(history.featureCache?.active).toBe(false);
    m.dispose();
  });
});
