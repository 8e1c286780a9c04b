/**
 * Parity with PyTorch: torchvision's `alexnet` and the paper's network (built in PyTorch from
 * `nn.LocalResponseNorm` and `groups=2` convolutions, `@tfzoo/test-harness's torchvision_reference.py`), random weights
 * from a fixed seed, saved with `torch.save`, loaded with core's `loadWeights` (strict) and the definition's mapping, give the
 * same logits. At 112×112 the last feature map is 2×2 and the adaptive pool spreads it over a
 * non-constant 6×6 map, so `classifier.1`'s dense-after-flatten layout is fully checked.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { loadWeights, summarize } from '@tfzoo/core';
import { maxError, runReference } from '@tfzoo/test-harness';
import { afterAll, describe, expect, it } from 'vitest';
import { ALEXNET_FAMILY, type AlexNetStyle, alexnet, alexnetDefinition } from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'tfzoo-alexnet-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const results = runReference(
  [
    { id: 'torchvision', arch: 'alexnet', seed: 5, input: [2, 112, 112, 3] },
    { id: 'paper', arch: 'alexnet_paper', seed: 6, input: [2, 112, 112, 3] },
  ],
  dir,
);

describe.each(['torchvision', 'paper'] as const)('alexnet (%s) vs PyTorch', (style: AlexNetStyle) => {
  it('loads the torch.save’d state dict and gives the same logits (≤ 1e-4 of their scale)', async () => {
    const reference = results.get(style)!;
    const before = tf.memory().numTensors;
    const model = alexnet({ style, inputShape: [112, 112, 3], initWeights: false });
    expect(summarize(model).trainableParams).toBe(reference.params);
    expect(alexnetDefinition.defaultMapping).toBe(ALEXNET_FAMILY.mappingIds.torchvision);
    await loadWeights(model, reference.checkpoint, { mapping: ALEXNET_FAMILY.mappingIds.torchvision });
    const logits = model.predict(reference.input) as tf.Tensor;
    const { error, scale } = maxError(logits, reference.logits);
    expect(scale).toBeGreaterThan(0);
    expect(error).toBeLessThanOrEqual(1e-4 * scale);
    tf.dispose([logits, reference.input, reference.logits]);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before - 2);
  });
});
