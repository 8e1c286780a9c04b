import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { initBackend, ZooError } from '@tfzoo/core';
import type { TensorBatch } from '@tfzoo/datasets';
import { SGD } from '@tfzoo/optimizers';
import '@tfzoo/wasm-training';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { train } from './index.js';

describe('train checks the backend before the first step', () => {
  let previous: string;
  beforeAll(async () => {
    previous = tf.getBackend();
    await initBackend('wasm', { threads: 1 });
  });
  afterAll(async () => {
    await tf.setBackend(previous);
  });

  it('names the gradient kernels the backend lacks, and takes no step', async () => {
    const input = tfl.input({ shape: [6, 6, 1] });
    const conv = tfl.layers
      .conv2d({ filters: 2, kernelSize: 3, kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) })
      .apply(input) as tfl.SymbolicTensor;
    const out = tfl.layers.dense({ units: 2 }).apply(tfl.layers.flatten().apply(conv)) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: out });
    const weights = await Promise.all(model.getWeights().map((w) => w.data()));
    const kernel = tf.getKernel('Conv2DBackpropFilter', 'wasm')!;
    tf.unregisterKernel('Conv2DBackpropFilter', 'wasm');
    const before = tf.memory().numTensors;
    try {
      const error = await train({
        model,
        data: [{ x: tf.ones([2, 6, 6, 1]), y: tf.tensor1d([0, 1], 'int32') } as TensorBatch],
        epochs: 1,
        optimizer: new SGD({ learningRate: 0.1 }),
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ZooError);
      expect((error as ZooError).code).toBe('UNSUPPORTED');
      expect((error as Error).message).toContain('Conv2DBackpropFilter');
      expect(tf.getBackend()).toBe('wasm');
    } finally {
      tf.registerKernel(kernel);
    }
    expect(tf.memory().numTensors).toBe(before);
    expect(await Promise.all(model.getWeights().map((w) => w.data()))).toEqual(weights);
    model.dispose();
  });
});
