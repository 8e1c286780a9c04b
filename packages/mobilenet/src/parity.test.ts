/**
 * Parity with torchvision 0.14 (random weights, fixed seed, randomized batch-norm parameters and
 * statistics and random biases): logits of `torch.save`d files loaded through core's loader and the
 * `mobilenet/torchvision` mapping, the round trip back into PyTorch with `strict=True`, and parameter
 * counts and pretrained metadata against torchvision's own figures.
 */
import '@tensorflow/tfjs-backend-wasm';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { getModelDefinition, loadWeights, saveWeights, summarize } from '@tfzoo/core';
import { compare, predictValues, ReferenceSession } from '@tfzoo/test-harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MOBILENET_TORCHVISION_MAPPING_ID,
  mobilenetV2,
  mobilenetV3Large,
  mobilenetV3Small,
} from './index.js';

/** Stride-2 layers see 72, 36, 18 (even: where TF's 'same' would pad asymmetrically) and 9, 5 (odd). */
const SIZE = 72;

const BUILDERS: Readonly<
  Record<
    string,
    (options: { inputShape: [number, number, number]; widthMultiplier?: number }) => tfl.LayersModel
  >
> = {
  mobilenet_v2: mobilenetV2,
  mobilenet_v3_large: mobilenetV3Large,
  mobilenet_v3_small: mobilenetV3Small,
};
const ARCHS = Object.keys(BUILDERS);
/** Width multipliers whose torchvision parameter counts each arch must match (besides 1.0). */
const WIDTHS: Readonly<Record<string, readonly number[]>> = {
  mobilenet_v2: [0.35, 0.5, 0.75, 1.4],
  mobilenet_v3_large: [0.5, 0.75],
  mobilenet_v3_small: [0.75],
};

let torch: ReferenceSession;
let input: tf.Tensor4D;

beforeAll(async () => {
  // Random weights (torch.manual_seed) with randomized batch-norm parameters and statistics and random
  // conv and linear biases; parameter counts at every width; torchvision's published weights.
  torch = await ReferenceSession.start({
    input: { shape: [2, SIZE, SIZE, 3], seed: 1234 },
    models: ARCHS.map((arch) => ({ id: arch, arch, randomize: 'batchNormAndBiases' })),
    counts: ARCHS.flatMap((arch) =>
      (WIDTHS[arch] ?? []).map((width) => ({ id: `${arch}@${width}`, arch, kwargs: { width_mult: width } })),
    ),
    weights: ARCHS,
  });
  await tf.setBackend('wasm');
  input = torch.inputTensor();
});

afterAll(async () => {
  torch?.close();
  input?.dispose();
  await tf.setBackend('cpu');
});

describe('parity with torchvision', () => {
  for (const [arch, build] of Object.entries(BUILDERS)) {
    it(`${arch} loaded from a torch.save'd .pth reproduces torchvision's logits`, async () => {
      const model = build({ inputShape: [SIZE, SIZE, 3] });
      const before = tf.memory().numTensors;
      const report = await loadWeights(model, torch.file(arch), {
        mapping: MOBILENET_TORCHVISION_MAPPING_ID,
      });
      expect(report.unused).toEqual([]);
      expect(report.unfilled).toEqual([]);
      expect(report.ignored.every((name) => name.endsWith('num_batches_tracked'))).toBe(true);
      expect(report.loaded.length).toBe(model.weights.length);
      expect(tf.memory().numTensors).toBe(before);
      const { maxError, scale } = compare(predictValues(model, input), torch.logits(arch));
      expect(scale).toBeGreaterThan(0);
      expect(maxError).toBeLessThanOrEqual(1e-4 * scale);

      // Saved back with torchvision's names, the file loads into torchvision with strict=True.
      const saved = join(torch.dir, `${arch}.roundtrip.safetensors`);
      await saveWeights(model, saved, { mapping: MOBILENET_TORCHVISION_MAPPING_ID });
      const back = compare(await torch.roundtrip(arch, saved), torch.logits(arch));
      expect(back.maxError).toBeLessThanOrEqual(1e-6 * back.scale);
      expect(tf.memory().numTensors).toBe(before);
      model.dispose();
    });

    it(`${arch} has torchvision's parameter count (at every width) and pretrained metadata`, () => {
      const model = build({ inputShape: [32, 32, 3] });
      expect(summarize(model).trainableParams).toBe(torch.models[arch]!.params);
      model.dispose();
      const widths = WIDTHS[arch] ?? [];
      expect(widths.length).toBeGreaterThan(0);
      for (const width of widths) {
        const key = `${arch}@${width}`;
        const scaled = build({ inputShape: [32, 32, 3], widthMultiplier: width });
        expect([key, summarize(scaled).trainableParams]).toEqual([key, torch.counts[key]!.numParams]);
        scaled.dispose();
      }
      const definition = getModelDefinition(arch);
      expect(definition.defaultMapping).toBe(MOBILENET_TORCHVISION_MAPPING_ID);
      const configs = definition.pretrained ?? [];
      expect(configs.map((c) => c.id).sort()).toEqual(
        Object.keys(torch.weights)
          .filter((id) => id.startsWith(`${arch}.`))
          .sort(),
      );
      for (const config of configs) {
        const upstream = torch.weights[config.id]!;
        expect(config.source.url).toBe(upstream.url);
        expect(upstream.url).toContain(`-${config.source.sha256Prefix}.pth`);
        expect(config.numParams).toBe(upstream.numParams);
        expect(config.numParams).toBe(torch.models[arch]!.params);
        expect(config.accuracy?.top1).toBe(upstream.top1);
        expect(config.accuracy?.top5).toBe(upstream.top5);
        expect(config.preprocessing.inputSize).toEqual([upstream.cropSize, upstream.cropSize, 3]);
        expect(config.preprocessing.resizeSize).toBe(upstream.resizeSize);
        expect(config.preprocessing.interpolation).toBe(upstream.interpolation);
        expect(config.preprocessing.mean).toEqual(upstream.mean);
        expect(config.preprocessing.std).toEqual(upstream.std);
        expect(config.labels).toEqual(upstream.categories);
        expect(config.mapping).toBe(MOBILENET_TORCHVISION_MAPPING_ID);
      }
    });
  }
});
