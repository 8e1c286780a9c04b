/**
 * The training loop on WebGPU in Node (Dawn on SwiftShader's Vulkan driver, installed by
 * `.ci/setup`): training, evaluation, checkpoints and fine-tuning read tensors asynchronously only.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ArrayImageDataset, compose, DataLoader, normalize, toFloat } from '@tfzoo/datasets';
import { AdamW } from '@tfzoo/optimizers';
import { useWebGpu } from '@tfzoo/test-harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CheckpointedModel,
  defaultLoss,
  evaluate,
  freeze,
  leanVariableGrads,
  loadCheckpoint,
  replaceHead,
  saveCheckpoint,
  train,
  trainableVariables,
} from './index.js';

/** 3 (or 2) classes told apart by which third of an 8×8 image is bright. */
function stripes(n: number, seed = 0, classes = 3): ArrayImageDataset {
  const images = new Uint8Array(n * 64);
  const labels = new Int32Array(n);
  let s = seed + 1;
  for (let i = 0; i < n; i++) {
    labels[i] = i % classes;
    for (let p = 0; p < 64; p++) {
      s = (s * 1103515245 + 12345) % 2147483648;
      images[i * 64 + p] = Math.round(
        (Math.floor((p % 8) / 3) === i % classes ? 180 : 40) + (s / 2147483648) * 60,
      );
    }
  }
  return new ArrayImageDataset({
    images,
    labels,
    shape: [8, 8, 1],
    classes: ['a', 'b', 'c'].slice(0, classes),
  });
}

function tinyModel(): tfl.LayersModel {
  const input = tfl.input({ shape: [8, 8, 1] });
  let x = tfl.layers
    .conv2d({
      filters: 4,
      kernelSize: 3,
      name: 'stem_conv',
      kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }),
    })
    .apply(input) as tfl.SymbolicTensor;
  x = tfl.layers.batchNormalization({ name: 'stem_bn' }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.activation({ activation: 'relu', name: 'stem_relu' }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.globalAveragePooling2d({ name: 'pool' }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers
    .dense({ units: 3, name: 'fc', kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }) })
    .apply(x) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: x, name: 'tiny' });
}

const transform = compose(toFloat(), normalize([0.4], [0.3]));
let dir: string;

useWebGpu();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tfzoo-train-webgpu-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('training on WebGPU', () => {
  it('trains, evaluates, checkpoints and fine-tunes with asynchronous reads only', async () => {
    expect(tf.getBackend()).toBe('webgpu');
    const model = tinyModel();
    const data = new DataLoader(stripes(90), { batchSize: 16, shuffle: true, seed: 3, transform });
    const validation = new DataLoader(stripes(30, 7), { batchSize: 64, transform });
    const optimizer = new AdamW({ learningRate: 0.05, weightDecay: 0 });
    const history = await train({
      model,
      data,
      validation,
      epochs: 6,
      optimizer,
      metrics: ['accuracy', 'top5'],
    });
    expect(history.epochs).toHaveLength(6);
    expect(history.epochs[5]!.loss).toBeLessThan(history.epochs[0]!.loss);
    expect(history.epochs[5]!.val_accuracy).toBeGreaterThan(0.9);
    expect(history.epochs[5]!.top5).toBe(1);

    // A further epoch adds no tensors (the optimizer's slots exist now): nothing leaks.
    const steady = tf.memory().numTensors;
    await train({ model, data, epochs: 1, optimizer });
    expect(tf.memory().numTensors).toBe(steady);

    // Activation checkpointing: the gradients of the plain step, and no tensor left behind. (The
    // stage runs inside one custom op, so tfjs's test-mode bookkeeping counts the batch-norm
    // statistics' old buffers, which webgpu frees at its next submit, as the op's leak; see
    // `relaxLeakCheck`. The tensor counts are asserted here instead.)
    tf.env().set('IS_TEST', false);
    const checkpointed = new CheckpointedModel(model);
    const x = tf.randomNormal([4, 8, 8, 1], 0, 1, 'float32', 5);
    const labels = tf.tensor1d([0, 1, 2, 0], 'int32');
    const loss = defaultLoss();
    const moving = model.nonTrainableWeights.map((w) => tf.add(w.read(), 0));
    const gradients = async (forward: () => tf.Tensor) => {
      const { value, grads } = leanVariableGrads(
        () => loss(labels, forward()) as tf.Scalar,
        trainableVariables(model),
      );
      const out = await Promise.all(Object.values(grads).map((g) => g.data()));
      tf.dispose([value, ...Object.values(grads)]);
      model.nonTrainableWeights.forEach((w, i) => {
        w.write(moving[i]!);
      });
      return out;
    };
    const plainGrads = await gradients(() => model.apply(x, { training: true }) as tf.Tensor);
    const before = tf.memory().numTensors;
    const checkpointedGrads = await gradients(() => checkpointed.apply(x) as tf.Tensor);
    expect(tf.memory().numTensors).toBe(before);
    checkpointedGrads.forEach((g, i) => {
      const ref = plainGrads[i]!;
      const scale = Math.max(...Array.from(ref, Math.abs));
      const diff = Math.max(...Array.from(g, (v, k) => Math.abs(v - ref[k]!)));
      expect(diff).toBeLessThanOrEqual(1e-5 * scale);
    });
    tf.dispose([x, labels, ...moving]);
    await train({ model, data, epochs: 1, optimizer, gradientCheckpointing: true });
    expect(tf.memory().numTensors).toBe(steady);
    tf.env().set('IS_TEST', true);

    const result = await evaluate(model, validation);
    expect(result.accuracy).toBeGreaterThan(0.9);

    // A checkpoint written from WebGPU tensors restores the same weights into a fresh model.
    await saveCheckpoint(join(dir, 'ckpt'), model, optimizer, history.state);
    const restored = tinyModel();
    await loadCheckpoint(join(dir, 'ckpt'), restored, new AdamW({ learningRate: 0.05, weightDecay: 0 }));
    const expected = await Promise.all(model.weights.map((w) => w.read().data()));
    const actual = await Promise.all(restored.weights.map((w) => w.read().data()));
    expect(actual).toEqual(expected);
    restored.dispose();

    // Fine-tuning: a new 2-class head on the frozen backbone trains on WebGPU too.
    const tuned = replaceHead(model, 2);
    freeze(tuned, 'backbone');
    const stem = await tuned.getLayer('stem_conv').getWeights()[0]!.data();
    const twoClass = new DataLoader(stripes(60, 5, 2), { batchSize: 16, transform });
    const tuning = await train({
      model: tuned,
      data: twoClass,
      epochs: 1,
      optimizer: new AdamW({ learningRate: 0.05 }),
    });
    expect(Number.isFinite(tuning.epochs[0]!.loss)).toBe(true);
    expect(await tuned.getLayer('stem_conv').getWeights()[0]!.data()).toEqual(stem);
    model.dispose();
  });
});
