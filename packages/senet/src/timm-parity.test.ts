/**
 * Parity with real timm through the shared fixtures (see `test/fixtures/README.md`): each state
 * dict, built from the fixture's fill rule and batch-norm statistics, loads strictly through our
 * mapping, and the model reproduces timm's eval-mode logits within 1e-4 of their scale.
 */
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { loadWeights } from '@tfzoo/core';
import { RESNET_MAPPING_ID } from '@tfzoo/resnet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LEGACY_SENET_MAPPING_ID,
  legacySeresnet18,
  legacySeresnet50,
  seresnet18,
  seresnet50,
} from './index.js';
import { fill, fnv1a, readFixture, stateDict } from './test/fixtures.js';

type Builder = (options: { inputShape: [number, number, number]; skipInit: boolean }) => tfl.LayersModel;

const PARITY: [string, Builder, string][] = [
  ['seresnet18', seresnet18, RESNET_MAPPING_ID],
  ['seresnet50', seresnet50, RESNET_MAPPING_ID],
  ['legacy_seresnet18', legacySeresnet18, LEGACY_SENET_MAPPING_ID],
  ['legacy_seresnet50', legacySeresnet50, LEGACY_SENET_MAPPING_ID],
];

beforeAll(async () => {
  await tf.setBackend('wasm');
});

afterAll(async () => {
  await tf.setBackend('cpu');
});

describe('fixture fill rule', () => {
  it("reproduces the README's check values", () => {
    expect(fnv1a('conv1.weight')).toBe(3184444564);
    const conv = fill('conv1.weight', [64, 3, 7, 7]);
    expect(Array.from(conv.slice(0, 3))).toEqual([
      0.09755498915910721, -0.05678258836269379, 0.1929408609867096,
    ]);
    expect(Array.from(fill('bn1.weight', [64]).slice(0, 2))).toEqual([1.103859305381775, 0.9510729312896729]);
    expect(fill('fc.bias', [1000])[0]).toBe(-0.05738754943013191);
    expect(Array.from(fill('input', [2, 224, 224, 3]).slice(0, 3))).toEqual([
      1.9038351774215698, 0.37597110867500305, -1.151892900466919,
    ]);
  });
});

describe('parity with timm', () => {
  for (const [name, build, mapping] of PARITY) {
    it(`${name}: timm's state dict loads strictly and gives timm's logits`, async () => {
      const fixture = readFixture(name, 'full');
      const [batch, height, width, channels] = fixture.inputShape!;
      const model = build({ inputShape: [height, width, channels], skipInit: true });
      const report = await loadWeights(model, stateDict(fixture), { mapping });
      expect(report.unused).toEqual([]);
      expect(report.unfilled).toEqual([]);
      expect(report.ignored.every((ignored) => ignored.endsWith('.num_batches_tracked'))).toBe(true);
      const before = tf.memory().numTensors;
      const input = tf.tensor4d(fill('input', fixture.inputShape!), [batch, height, width, channels]);
      const output = model.predict(input) as tf.Tensor;
      const actual = output.dataSync();
      tf.dispose([input, output]);
      expect(tf.memory().numTensors).toBe(before);
      const expected = fixture.logits!.flat();
      let maxError = 0;
      let scale = 0;
      expected.forEach((value, i) => {
        maxError = Math.max(maxError, Math.abs((actual[i] as number) - value));
        scale = Math.max(scale, Math.abs(value));
      });
      expect(actual.length).toBe(expected.length);
      expect(maxError).toBeLessThanOrEqual(1e-4 * scale);
      model.dispose();
    });
  }
});
