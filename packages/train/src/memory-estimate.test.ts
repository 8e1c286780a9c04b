import '@tensorflow/tfjs-backend-wasm';
import '@tfzoo/wasm-training'; // how training on wasm runs: its gradient kernels registered
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { initBackend, ZooError } from '@tfzoo/core';
import type { TensorBatch } from '@tfzoo/datasets';
import { AdamW, SGD } from '@tfzoo/optimizers';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  assertTrainingFits,
  estimateTrainingMemory,
  optimizerSlotsOf,
  type TrainingMemoryEstimate,
  train,
} from './index.js';

/** conv 3×3 (4 filters, valid) + batch-norm + relu + global pool + dense: 10×10×2 → 3. */
function model(): tfl.LayersModel {
  const input = tfl.input({ shape: [10, 10, 2] });
  let x = tfl.layers
    .conv2d({ filters: 4, kernelSize: 3, kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) })
    .apply(input) as tfl.SymbolicTensor;
  x = tfl.layers.batchNormalization().apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.activation({ activation: 'relu' }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.globalAveragePooling2d({}).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers
    .dense({ units: 3, kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }) })
    .apply(x) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: x });
}

describe('training memory estimate', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });

  it('measures activations per sample, counts weights, gradients and slots, moves no statistics', async () => {
    const m = model();
    const before = tf.memory().numTensors;
    const weightsBefore = await Promise.all(m.getWeights().map((w) => w.data()));
    const e1 = estimateTrainingMemory(m, [10, 10, 2], 1, new AdamW({ learningRate: 1e-3 }));
    const e8 = estimateTrainingMemory(m, [10, 10, 2], 8, new SGD({ learningRate: 0.1 }));
    // At least the conv output (8×8×4 floats) and the input are kept for the backward pass.
    expect(e1.activationBytesPerSample).toBeGreaterThanOrEqual((8 * 8 * 4 + 10 * 10 * 2) * 4);
    expect(e8.activationBytesPerSample).toBe(e1.activationBytesPerSample);
    // Parameters: conv 3·3·2·4 + 4, BN 4·4 (2 trainable), dense 4·3 + 3.
    expect(e1.weightBytes).toBe((72 + 4 + 16 + 15) * 4);
    expect(e1.trainableBytes).toBe((72 + 4 + 8 + 15) * 4);
    expect([e1.optimizerSlots, e8.optimizerSlots]).toEqual([2, 0]);
    // Fixed: weights and gradients (no packed kernels on cpu); the transient: the larger of the
    // frontier (a quarter of the activations) and two copies of the largest weight (the conv kernel).
    expect([e8.packedWeightBytes, e8.largestWeightBytes, e8.accumulateSteps]).toEqual([0, 72 * 4, 1]);
    expect(e8.fixedBytes).toBe(e8.weightBytes + e8.trainableBytes);
    const activations = e8.activationBytesPerSample * 8;
    expect(e8.totalBytes).toBe(
      Math.round(e8.fixedBytes + activations + Math.max(activations / 4, 2 * 72 * 4)),
    );
    // Accumulating: the gradients' running sum is one more copy of the trainable weights.
    const e4x2 = estimateTrainingMemory(m, [10, 10, 2], 4, new SGD({ learningRate: 0.1 }), {
      accumulateSteps: 2,
    });
    expect(e4x2.fixedBytes).toBe(e8.fixedBytes + e8.trainableBytes);
    expect(e1.limitBytes).toBeUndefined(); // the cpu backend has no heap limit we know of
    expect(tf.memory().numTensors).toBe(before);
    const weightsAfter = await Promise.all(m.getWeights().map((w) => w.data()));
    expect(weightsAfter).toEqual(weightsBefore); // batch-norm moving statistics put back
    // On wasm, XNNPACK's packed copy of the conv kernel (3·3·2·4) stays; the heap is 4 GiB.
    await initBackend('wasm', { threads: 1 });
    try {
      const onWasm = model(); // built on wasm: its weights live there
      const wasm = estimateTrainingMemory(onWasm, [10, 10, 2], 8, new SGD({ learningRate: 0.1 }));
      onWasm.dispose();
      expect(wasm.packedWeightBytes).toBe(72 * 4);
      expect(wasm.fixedBytes).toBe(e8.fixedBytes + 72 * 4);
      expect(wasm.limitBytes).toBe(4 * 2 ** 30);
    } finally {
      await initBackend('cpu');
    }
    m.dispose();
  });

  it('refuses a step over the heap, naming a batch and accumulateSteps that fit', () => {
    const estimate: TrainingMemoryEstimate = {
      batchSize: 64,
      activationBytesPerSample: 100 * 2 ** 20,
      gradientCheckpointing: false,
      plainActivationBytesPerSample: 100 * 2 ** 20,
      checkpointedActivationBytesPerSample: undefined,
      weightBytes: 100 * 2 ** 20,
      trainableBytes: 100 * 2 ** 20,
      optimizerSlots: 2,
      packedWeightBytes: 0,
      largestWeightBytes: 0,
      accumulateSteps: 1,
      fixedBytes: 400 * 2 ** 20,
      totalBytes: 0,
      limitBytes: 4 * 2 ** 30,
    };
    estimate.totalBytes = 400 * 2 ** 20 + 64 * 125 * 2 ** 20;
    let error: unknown;
    try {
      assertTrainingFits(estimate, 2);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ZooError);
    // Micro-batches also keep the gradients' sum: (4096 − 500) MiB / 125 MiB per sample = 28
    // samples; the fewest micro-batches of at most 28 that divide the effective batch 128: 8 × 16.
    expect((error as Error).message).toContain('--batch-size 16 --accumulate-steps 8');
    expect((error as Error).message).toContain('for the same effective batch of 128');
    // A 1 GiB weight, copied twice while the activations are alive: (3596 − 2048) MiB / 100 MiB per
    // sample = 15 samples; the fewest micro-batches of at most 15 that divide 128: 16 × 8.
    expect(() => assertTrainingFits({ ...estimate, largestWeightBytes: 2 ** 30 }, 2)).toThrow(
      '--batch-size 8 --accumulate-steps 16',
    );
    expect((error as Error).message).toContain('--freeze backbone');
    expect((error as Error).message).not.toContain('--grad-checkpointing');
    // With stages whose checkpointed step fits (400 MiB + 64 × 25 MiB), checkpointing is named.
    expect(() =>
      assertTrainingFits({ ...estimate, checkpointedActivationBytesPerSample: 20 * 2 ** 20 }),
    ).toThrow(
      /activation checkpointing \(gradientCheckpointing: true, --grad-checkpointing\), about 1\.95 GiB/,
    );
    expect(() => assertTrainingFits({ ...estimate, totalBytes: 2 ** 30 })).not.toThrow();
    expect(() => assertTrainingFits({ ...estimate, limitBytes: undefined })).not.toThrow();
  });

  it('train reports the estimate before the first step', async () => {
    const m = model();
    const estimates: TrainingMemoryEstimate[] = [];
    const x = tf.randomUniform([6, 10, 10, 2], 0, 1, 'float32', 4);
    const y = tf.tensor1d([0, 1, 2, 0, 1, 2], 'int32');
    await train({
      model: m,
      data: [{ x, y } as TensorBatch],
      epochs: 1,
      optimizer: new SGD({ learningRate: 0.1, momentum: 0.9 }),
      onMemoryEstimate: (e) => estimates.push(e),
    });
    expect(estimates).toHaveLength(1);
    expect(estimates[0]!.batchSize).toBe(6);
    expect(estimates[0]!.optimizerSlots).toBe(1);
    m.dispose();
  });

  it('optimizer slots by class', () => {
    expect(optimizerSlotsOf(new SGD({ learningRate: 1 }))).toBe(0);
    expect(optimizerSlotsOf(tf.train.adam(1e-3))).toBe(2);
    expect(optimizerSlotsOf(tf.train.momentum(0.1, 0.9))).toBe(1);
  });
});
