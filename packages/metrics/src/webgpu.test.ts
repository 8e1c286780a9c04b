/**
 * Metrics on WebGPU in Node (Dawn on SwiftShader's Vulkan driver from Debian's `chromium`), where a
 * synchronous read does not exist: `updateAsync` reads the GPU's tensors and gives exactly what the
 * same numbers give as plain arrays; `update` on such a tensor says what to do instead.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ZooError } from '@tfzoo/core';
import { seededRandom, useWebGpu } from '@tfzoo/test-harness';
import { describe, expect, it } from 'vitest';
import {
  readInput,
  StreamingAccuracy,
  StreamingAveragePrecision,
  StreamingCalibrationError,
  StreamingConfusionMatrix,
  StreamingLogLoss,
  type StreamingMetricBase,
  StreamingPrecisionRecallF1,
  StreamingRocAuc,
  StreamingTopKAccuracy,
} from './index.js';

useWebGpu();

const random = seededRandom(24);
const N = 37;
const C = 5;
const labels = Array.from({ length: N }, () => Math.floor(random() * C));
/** Float32 scores (rounded, so the GPU holds the very numbers the arrays hold). */
const scores = labels.map((label) => {
  const row = Array.from({ length: C }, (_, c) => Math.fround(random() + (c === label ? 0.7 : 0)));
  const total = row.reduce((a, b) => a + b, 0);
  return row.map((v) => Math.fround(v / total));
});

/**
 * The result of a kernel, which lives only in GPU memory (a tensor made from host values keeps them,
 * and tfjs would read those back without touching the GPU). Disposes its argument.
 */
function onGpuOnly<T extends tf.Tensor>(t: T): T {
  const out = tf.tidy(() => tf.add(t, tf.zerosLike(t))) as T;
  t.dispose();
  return out;
}

function metrics(): Array<[string, () => StreamingMetricBase<unknown>]> {
  return [
    ['accuracy', () => new StreamingAccuracy()],
    ['top-2 accuracy', () => new StreamingTopKAccuracy({ k: 2 })],
    ['confusion matrix', () => new StreamingConfusionMatrix()],
    ['macro F1', () => new StreamingPrecisionRecallF1({ average: 'macro' })],
    ['ROC AUC', () => new StreamingRocAuc()],
    ['average precision', () => new StreamingAveragePrecision()],
    ['log loss', () => new StreamingLogLoss()],
    ['calibration error', () => new StreamingCalibrationError()],
  ];
}

describe('streaming metrics on WebGPU', () => {
  it('runs on the webgpu backend', () => {
    expect(tf.getBackend()).toBe('webgpu');
  });

  for (const [name, make] of metrics()) {
    it(`${name}: updateAsync on GPU tensors equals update on the same numbers as arrays`, async () => {
      const onGpu = make();
      const onHost = make();
      const before = tf.memory().numTensors;
      for (const [from, to] of [
        [0, 16],
        [16, 17],
        [17, N],
      ] as const) {
        const truth = onGpuOnly(tf.tensor1d(labels.slice(from, to), 'int32'));
        const predicted = onGpuOnly(tf.tensor2d(scores.slice(from, to)));
        await onGpu.updateAsync(truth, predicted);
        tf.dispose([truth, predicted]);
        onHost.update(labels.slice(from, to), scores.slice(from, to));
      }
      expect(tf.memory().numTensors).toBe(before);
      expect(onGpu.result()).toEqual(onHost.result());
    });
  }

  it('update on a tensor WebGPU cannot read synchronously names the asynchronous way', () => {
    const truth = onGpuOnly(tf.tensor1d([0, 1], 'int32'));
    const predicted = onGpuOnly(
      tf.tensor2d([
        [0.9, 0.1],
        [0.2, 0.8],
      ]),
    );
    const metric = new StreamingAccuracy();
    try {
      expect(() => metric.update(truth, predicted)).toThrow(ZooError);
      expect(() => metric.update(truth, predicted)).toThrow(/readInput|updateAsync/);
    } finally {
      tf.dispose([truth, predicted]);
    }
  });

  it('readInput gives a rank-2 tensor as float32 rows and a rank-1 tensor as its typed array', async () => {
    const matrix = onGpuOnly(
      tf.tensor2d([
        [1, 2, 3],
        [4, 5, 6],
      ]),
    );
    const vector = onGpuOnly(tf.tensor1d([3, 1], 'int32'));
    const rows = (await readInput(matrix)) as Float32Array[];
    const values = await readInput(vector);
    tf.dispose([matrix, vector]);
    expect(rows.map((row) => Array.from(row))).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(rows[0]).toBeInstanceOf(Float32Array);
    expect(values).toEqual(new Int32Array([3, 1]));
    const cube = tf.zeros([1, 1, 1]);
    await expect(readInput(cube, 'yPred')).rejects.toThrow(/yPred/);
    cube.dispose();
  });
});
