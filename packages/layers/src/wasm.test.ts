/** The wasm backend (what CI and most Node users run) gives the cpu backend's outputs for every layer. */
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { everyLayerModel } from './test/model.js';
import { maxError, randomNormal } from './test/torch.js';

describe('wasm backend', () => {
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it('runs a model with every layer like the cpu backend', async () => {
    const model = everyLayerModel();
    const data = randomNormal(2 * 12 * 11 * 8, 21);
    const x = tf.tensor(data, [2, 12, 11, 8]);
    const onCpu = (model.predict(x) as tf.Tensor).dataSync().slice();
    const weights = model.getWeights().map((w) => w.dataSync().slice());
    const shapes = model.getWeights().map((w) => w.shape);
    x.dispose();
    expect(await tf.setBackend('wasm')).toBe(true);
    // Variables stay on the backend they were created on until read; copy them explicitly.
    const copies = weights.map((w, i) => tf.tensor(w, shapes[i]));
    model.setWeights(copies);
    tf.dispose(copies);
    const xw = tf.tensor(data, [2, 12, 11, 8]);
    const onWasm = (model.predict(xw) as tf.Tensor).dataSync();
    const { error, scale } = maxError(onWasm, onCpu);
    expect(error).toBeLessThanOrEqual(1e-5 * scale);
    xw.dispose();
    model.dispose();
  });
});
