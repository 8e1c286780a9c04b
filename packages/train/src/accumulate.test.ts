import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { initBackend } from '@tfzoo/core';
import type { TensorBatch } from '@tfzoo/datasets';
import { SGD } from '@tfzoo/optimizers';
import { beforeAll, describe, expect, it } from 'vitest';
import { type TrainCallback, train } from './index.js';

/** A conv net without batch-norm (so micro-batches and one batch see the same function). */
function noNormModel(): tfl.LayersModel {
  const init = (seed: number) => tfl.initializers.glorotUniform({ seed });
  const input = tfl.input({ shape: [6, 6, 2] });
  let x = tfl.layers
    .conv2d({ filters: 3, kernelSize: 3, activation: 'relu', kernelInitializer: init(1) })
    .apply(input) as tfl.SymbolicTensor;
  x = tfl.layers.flatten().apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.dense({ units: 4, kernelInitializer: init(2) }).apply(x) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: x });
}

/** Seeded images and labels, cut into batches of the given sizes. */
function batches(sizes: readonly number[]): TensorBatch[] {
  const total = sizes.reduce((a, b) => a + b, 0);
  const x = tf.randomUniform([total, 6, 6, 2], -1, 1, 'float32', 3);
  const y = tf.tensor1d(
    Array.from({ length: total }, (_, i) => (i * 7) % 4),
    'int32',
  );
  const out: TensorBatch[] = [];
  let start = 0;
  for (const n of sizes) {
    out.push({ x: tf.slice(x, start, n), y: tf.slice(y, start, n) } as TensorBatch);
    start += n;
  }
  tf.dispose([x, y]);
  return out;
}

async function weightsOf(model: tfl.LayersModel): Promise<Float32Array[]> {
  return Promise.all(model.getWeights().map(async (w) => (await w.data()) as Float32Array));
}

describe('accumulateSteps', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });

  it('k micro-batches make the step of one batch of their combined size (unequal sizes too)', async () => {
    const before = tf.memory().numTensors;
    const steps: number[] = [];
    const gradients: Float32Array[][] = []; // per step, in the model's variable order
    // Records the gradients the optimizer gets; returns them unchanged.
    const spy: TrainCallback = {
      transformGradients(grads) {
        gradients.push(Object.values(grads).map((g) => g.dataSync() as Float32Array));
        return grads;
      },
      onBatchEnd: (_batch, _logs, context) => {
        steps.push(context.state.step);
      },
    };

    const big = noNormModel();
    await train({
      model: big,
      data: batches([10]),
      epochs: 1,
      optimizer: new SGD({ learningRate: 0.5 }),
      callbacks: [spy],
    });
    const micro = noNormModel();
    const history = await train({
      model: micro,
      data: batches([4, 3, 3]),
      epochs: 1,
      optimizer: new SGD({ learningRate: 0.5 }),
      accumulateSteps: 3,
      callbacks: [spy],
    });

    expect(gradients).toHaveLength(2); // one optimizer step each
    expect(steps).toEqual([1, 0, 0, 1]); // the accumulated run steps after its third micro-batch
    expect(history.state.step).toBe(1);
    const [oneBatch, accumulated] = gradients as [Float32Array[], Float32Array[]];
    expect(accumulated).toHaveLength(4);
    for (const [k, g] of oneBatch.entries()) {
      const a = accumulated[k]!;
      expect(a.length).toBe(g.length);
      const scale = Math.max(...g.map(Math.abs));
      expect(scale).toBeGreaterThan(1e-4);
      for (let i = 0; i < g.length; i++) expect(Math.abs(a[i]! - g[i]!)).toBeLessThan(1e-6 + 1e-5 * scale);
    }
    const [wBig, wMicro] = [await weightsOf(big), await weightsOf(micro)];
    for (let i = 0; i < wBig.length; i++) {
      for (let j = 0; j < wBig[i]!.length; j++)
        expect(Math.abs(wMicro[i]![j]! - wBig[i]![j]!)).toBeLessThan(1e-5);
    }
    big.dispose();
    micro.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('steps on an epoch’s last, shorter group, and refuses a bad value', async () => {
    const model = noNormModel();
    const before = tf.memory().numTensors;
    const history = await train({
      model,
      data: batches([2, 2, 2, 2, 2]),
      epochs: 1,
      optimizer: new SGD({ learningRate: 0.1 }),
      accumulateSteps: 2,
    });
    expect(history.state.step).toBe(3); // 2 + 2 + 1 micro-batches
    expect(tf.memory().numTensors).toBe(before);
    await expect(
      train({
        model,
        data: batches([2]),
        epochs: 1,
        optimizer: new SGD({ learningRate: 0.1 }),
        accumulateSteps: 0,
      }),
    ).rejects.toThrow(/accumulateSteps/);
    model.dispose();
  });
});
