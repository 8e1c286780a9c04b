import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from './main.js';

describe('pytorch-roundtrip example', () => {
  // wasm runs the forward passes several times faster than the pure-JS cpu backend.
  beforeAll(async () => {
    await tf.setBackend('wasm');
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it('resnet18 at 64×64: torchvision loads our file strictly and both directions give the same logits', async () => {
    const before = tf.memory().numTensors;
    const result = await run({ arch: 'resnet18', inputSize: 64 });
    expect(tf.memory().numTensors).toBe(before);
    // torchvision's resnet18 state dict: 62 parameters/buffers + 20 num_batches_tracked = 122 keys.
    expect(result.savedNames).toHaveLength(122);
    expect(result.savedNames).toContain('layer4.1.bn2.running_var');
    expect(result.savedNames).toContain('fc.weight');
    for (const { maxError, scale } of [result.toTorch, result.fromTorch]) {
      expect(scale).toBeGreaterThan(0);
      expect(maxError).toBeLessThanOrEqual(1e-4 * scale);
    }
  });
});
