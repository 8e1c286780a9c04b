import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { checkTrainable } from '@tfzoo/core';
import { afterAll, describe, expect, it } from 'vitest';
import './index.js';
import { SMALL_CNNS } from './test/models.js';
import { compareTrainingStep } from './test/train-step.js';

// tfjs-core's IS_TEST per-kernel leak check counts the tensors a custom gradient saves (fused
// conv/matmul with a linear activation) as leaks on wasm, whose Identity kernel copies instead of
// sharing the buffer; it fails plain tfjs-layers training on wasm without this package too. The
// test checks leaks itself: tensor count and the wasm backend's live buffers.
tf.env().set('IS_TEST', false);
tf.env().set('PROD', true); // …and without IS_TEST, tfjs would print its Node banner

afterAll(async () => {
  tf.env().set('IS_TEST', true);
  tf.env().set('PROD', false);
  await tf.setBackend('cpu');
});

describe('one training step on wasm equals the cpu backend', () => {
  for (const testCase of SMALL_CNNS) {
    it(testCase.name, async () => {
      await tf.setBackend('wasm');
      const model = testCase.build();
      expect((await checkTrainable(model)).missing).toEqual([]);
      model.dispose();
      const numTensors = tf.memory().numTensors;
      const wasmBuffers = tf.findBackend('wasm')!.numDataIds();
      const result = await compareTrainingStep(testCase);
      expect(tf.memory().numTensors).toBe(numTensors);
      expect(tf.findBackend('wasm')!.numDataIds()).toBe(wasmBuffers);
      expect(Math.abs(result.loss.candidate - result.loss.reference)).toBeLessThan(
        1e-4 * Math.max(1, result.loss.reference),
      );
      const worst = result.updates.reduce((a, b) => (b.relativeError > a.relativeError ? b : a));
      expect(worst.relativeError, `update of ${worst.name}`).toBeLessThan(1e-3);
    });
  }
});
