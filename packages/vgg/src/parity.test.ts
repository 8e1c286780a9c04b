/**
 * Parity with torchvision: `vgg11` and `vgg11_bn` built by torchvision 0.14 with random weights
 * (batch-norm statistics randomized too), saved with `torch.save`, loaded through the torchvision
 * mapping (core's `loadWeights`, strict), give the same logits. At 64×64 the feature map is 2×2 and the adaptive pool spreads
 * it over a non-constant 7×7 map, so `classifier.0`'s dense-after-flatten layout is fully checked
 * (torch runs at the same 64×64, through the same adaptive pool).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { loadWeights, summarize } from '@tfzoo/core';
import { maxError, runReference } from '@tfzoo/test-harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VGG_FAMILY, vgg11, vgg11Bn } from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'tfzoo-vgg-'));
// wasm runs the 0.7 GMAC forward passes far faster than the pure-JS cpu backend.
beforeAll(async () => {
  await tf.setBackend('wasm');
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await tf.setBackend('cpu');
});

const results = runReference(
  [
    { id: 'vgg11', arch: 'vgg11', seed: 11, input: [2, 64, 64, 3] },
    { id: 'vgg11_bn', arch: 'vgg11_bn', seed: 12, input: [2, 64, 64, 3] },
  ],
  dir,
);

describe.each([
  ['vgg11', vgg11],
  ['vgg11_bn', vgg11Bn],
] as const)('%s vs torchvision', (id, build) => {
  it('loads the torch.save’d state dict and gives the same logits (≤ 1e-4 of their scale)', async () => {
    const reference = results.get(id)!;
    const before = tf.memory().numTensors;
    const model = build({ inputShape: [64, 64, 3], initWeights: false });
    expect(summarize(model).trainableParams).toBe(reference.params);
    const mapping = VGG_FAMILY.definitions.find((d) => d.name === id)?.defaultMapping;
    expect(mapping).toBe(VGG_FAMILY.mappingIds.torchvision);
    await loadWeights(model, reference.checkpoint, { mapping });
    const logits = model.predict(reference.input) as tf.Tensor;
    const { error, scale } = maxError(logits, reference.logits);
    expect(scale).toBeGreaterThan(0);
    expect(error).toBeLessThanOrEqual(1e-4 * scale);
    tf.dispose([logits, reference.input, reference.logits]);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before - 2);
  });
});
