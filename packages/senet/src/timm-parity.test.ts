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
import { readTimmFixture, timmLogitsError, timmStateDict } from '@tfzoo/test-harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LEGACY_SENET_MAPPING_ID,
  legacySeresnet18,
  legacySeresnet50,
  seresnet18,
  seresnet50,
} from './index.js';

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

describe('parity with timm', () => {
  for (const [name, build, mapping] of PARITY) {
    it(`${name}: timm's state dict loads strictly and gives timm's logits`, async () => {
      const fixture = readTimmFixture(new URL(`./test/fixtures/${name}.json.gz`, import.meta.url));
      const [, height, width, channels] = fixture.inputShape;
      const model = build({ inputShape: [height, width, channels], skipInit: true });
      const report = await loadWeights(model, timmStateDict(fixture), { mapping });
      expect(report.unused).toEqual([]);
      expect(report.unfilled).toEqual([]);
      expect(report.ignored.every((ignored) => ignored.endsWith('.num_batches_tracked'))).toBe(true);
      const before = tf.memory().numTensors;
      const { error, scale } = timmLogitsError(model, fixture);
      expect(tf.memory().numTensors).toBe(before);
      expect(error).toBeLessThanOrEqual(1e-4 * scale);
      model.dispose();
    });
  }
});
