/**
 * A training step after an inference call on wasm: the lean dense layer retires the id of the kernel's
 * buffer first, so XNNPACK's packed copy from the inference call is not kept through the step.
 * (Its own file: vitest gives each file a fresh worker, so the wasm heap starts empty and its growth
 * is this test's alone.)
 */
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { initBackend, wasmHeapBytes } from '@tfzoo/core';
import { afterAll, describe, expect, it } from 'vitest';
import './index.js';

afterAll(async () => {
  await tf.setBackend('cpu');
});

describe('lean dense layer after an inference call', () => {
  it('releases the packed copy first: the step needs no more heap than without the inference call', async () => {
    await initBackend('wasm', { threads: 1 });
    const units = 4096; // a 64 MiB kernel
    const kernelBytes = units * units * 4;
    const layer = tfl.layers.dense({
      units,
      inputShape: [units],
      kernelInitializer: tfl.initializers.randomUniform({ minval: -1, maxval: 1, seed: 5 }),
    });
    const x = tf.ones([2, units]);
    layer.build([null, units]);
    const kernel = layer.trainableWeights[0]!.read() as tf.Variable;
    const values = await kernel.data();
    const built = wasmHeapBytes(tf.backend())!;
    // Inference packs the kernel and keeps the packed copy.
    tf.dispose(layer.apply(x, { training: false }) as tf.Tensor);
    const before = tf.memory().numTensors;
    const step = (): void => {
      const { value, grads } = tf.variableGrads(
        () => tf.sum(layer.apply(x, { training: true }) as tf.Tensor) as tf.Scalar,
        [kernel],
      );
      tf.dispose([value, ...Object.values(grads)]);
    };
    step();
    expect(tf.memory().numTensors).toBe(before);
    // The packed copy (0.8 kernels here) and the step's own needs (1.8 kernels: the product's copy of
    // the kernel and its packed copy, the gradient): 1.8 in all when the packed copy is released
    // first, as without an inference call; 3.1 when it is kept through the step.
    const grown = wasmHeapBytes(tf.backend())! - built;
    expect(grown).toBeLessThan(2.5 * kernelBytes);
    const after = (await kernel.data()) as Float32Array; // the same values, where they were
    expect(Buffer.compare(Buffer.from(after.buffer), Buffer.from((values as Float32Array).buffer))).toBe(0);
    step();
    expect(wasmHeapBytes(tf.backend())! - built).toBe(grown);
    tf.dispose(x);
    for (const w of layer.weights) w.dispose();
  });
});
