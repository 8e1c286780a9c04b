/**
 * The lean training-mode dense layer on wasm against tfjs-layers' own on the cpu backend (the same
 * loss and gradients, no leaks), and the heap it leaves: no packed copy of the kernel kept.
 * (Its own file: vitest gives each file a fresh worker, so the wasm heap starts empty.)
 */
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { initBackend, wasmHeapBytes } from '@tfzoo/core';
import { afterAll, describe, expect, it } from 'vitest';
import { installLeanDenseTraining } from './index.js';
import { expectWasmStepAsOnCpu } from './test/cpu-then-wasm.js';

afterAll(async () => {
  await tf.setBackend('cpu');
});

/** dense(12, relu) → dense(5): [6] → [5]. */
function model(): tfl.LayersModel {
  const input = tfl.input({ shape: [6] });
  const hidden = tfl.layers
    .dense({
      units: 12,
      activation: 'relu',
      kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }),
      biasInitializer: tfl.initializers.randomUniform({ minval: -0.3, maxval: 0.3, seed: 2 }),
    })
    .apply(input) as tfl.SymbolicTensor;
  const out = tfl.layers
    .dense({ units: 5, kernelInitializer: tfl.initializers.glorotUniform({ seed: 3 }) })
    .apply(hidden) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: out });
}

async function step(
  m: tfl.LayersModel,
  xValues: Float32Array,
): Promise<{ loss: number; grads: Float32Array[] }> {
  const x = tf.tensor2d(xValues, [4, 6]);
  const target = tf.tensor2d(
    Float32Array.from({ length: 20 }, (_, i) => Math.cos(i)),
    [4, 5],
  );
  const { value, grads } = tf.variableGrads(
    () => tf.losses.meanSquaredError(target, m.apply(x, { training: true }) as tf.Tensor) as tf.Scalar,
    m.trainableWeights.map((w) => w.read() as tf.Variable),
  );
  const loss = (await value.data())[0]!;
  const values = await Promise.all(Object.values(grads).map((g) => g.data() as Promise<Float32Array>));
  tf.dispose([x, target, value, ...Object.values(grads)]);
  return { loss, grads: values };
}

describe('lean dense layer in training mode', () => {
  it('gives tfjs-layers’ loss and gradients, and leaks nothing', async () => {
    expect(installLeanDenseTraining()).toBe(false); // importing the package installed it
    const xValues = Float32Array.from({ length: 24 }, (_, i) => Math.sin(i * 0.7) * 2);
    await expectWasmStepAsOnCpu(model, (m) => step(m, xValues), 4);
  });

  it('keeps no packed copy of the kernel after a training step; inference does keep one', async () => {
    await initBackend('wasm', { threads: 1 });
    const units = 4096; // a 64 MiB kernel
    const kernelBytes = units * units * 4;
    const layer = tfl.layers.dense({ units, inputShape: [units], kernelInitializer: 'zeros' });
    const x = tf.ones([2, units]);
    layer.build([null, units]); // (an inference call would pack the kernel and keep it)
    const copies = (): tf.Tensor[] => [0, 1].map(() => tf.mul(layer.getWeights()[0]!, 1));
    const trainStep = (): void => {
      const kernel = layer.trainableWeights[0]!.read() as tf.Variable;
      const { grads } = tf.variableGrads(
        () => tf.sum(layer.apply(x, { training: true }) as tf.Tensor) as tf.Scalar,
        [kernel],
      );
      tf.dispose(Object.values(grads));
    };
    for (let i = 0; i < 2; i++) trainStep();
    const trained = wasmHeapBytes(tf.backend())!;
    // Two more kernel-sized buffers fit in what the steps freed: nothing of the kernel's was kept.
    let extra = copies();
    expect(wasmHeapBytes(tf.backend())).toBe(trained);
    tf.dispose(extra);
    // Inference packs the kernel and keeps the packed copy: the same two buffers now grow the heap.
    tf.dispose(layer.apply(x, { training: false }) as tf.Tensor);
    extra = copies();
    expect(wasmHeapBytes(tf.backend())!).toBeGreaterThanOrEqual(trained + 0.9 * kernelBytes);
    tf.dispose([...extra, x]);
    for (const w of layer.weights) w.dispose();
  });
});
