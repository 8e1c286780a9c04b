/**
 * Parity with torchvision 0.14 (random weights, fixed seed, randomized batch-norm parameters and
 * statistics and random biases): logits of `torch.save`d files loaded through core's loader and the
 * `mobilenet/torchvision` mapping, the round trip back into PyTorch with `strict=True`, and parameter
 * counts and pretrained metadata against torchvision's own figures.
 */
import '@tensorflow/tfjs-backend-wasm';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { getModelDefinition, loadWeights, saveWeights, summarize } from '@tfzoo/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MOBILENET_TORCHVISION_MAPPING_ID,
  mobilenetV2,
  mobilenetV3Large,
  mobilenetV3Small,
} from './index.js';
import { compare, PythonSession, predictValues, readF32 } from './test/helpers.js';

const SCRIPT = fileURLToPath(new URL('./test/torchvision_reference.py', import.meta.url));
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

interface Reference {
  numParams: Record<string, number>;
  widthParams: Record<string, number>;
  weights: Record<
    string,
    {
      url: string;
      numParams: number;
      top1: number;
      top5: number;
      cropSize: number;
      resizeSize: number;
      interpolation: string;
      mean: number[];
      std: number[];
      categories: string[];
    }
  >;
}

let dir: string;
let reference: Reference;
let input: tf.Tensor4D;
let python: PythonSession;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tfzoo-mobilenet-'));
  python = new PythonSession(SCRIPT, ['serve', dir, String(SIZE)]);
  expect(await python.next()).toBe('ready');
  reference = JSON.parse(readFileSync(join(dir, 'reference.json'), 'utf8')) as Reference;
  await tf.setBackend('wasm');
  input = tf.tensor4d(readF32(join(dir, 'input.f32')), [2, SIZE, SIZE, 3]);
});

afterAll(async () => {
  python?.close();
  input?.dispose();
  await tf.setBackend('cpu');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('parity with torchvision', () => {
  for (const [arch, build] of Object.entries(BUILDERS)) {
    it(`${arch} loaded from a torch.save'd .pth reproduces torchvision's logits`, async () => {
      const model = build({ inputShape: [SIZE, SIZE, 3] });
      const before = tf.memory().numTensors;
      const report = await loadWeights(model, join(dir, `${arch}.pth`), {
        mapping: MOBILENET_TORCHVISION_MAPPING_ID,
      });
      expect(report.unused).toEqual([]);
      expect(report.unfilled).toEqual([]);
      expect(report.ignored.every((name) => name.endsWith('num_batches_tracked'))).toBe(true);
      expect(report.loaded.length).toBe(model.weights.length);
      expect(tf.memory().numTensors).toBe(before);
      const { maxError, scale } = compare(
        predictValues(model, input),
        readF32(join(dir, `${arch}.logits.f32`)),
      );
      expect(scale).toBeGreaterThan(0);
      expect(maxError).toBeLessThanOrEqual(1e-4 * scale);

      if (arch !== 'mobilenet_v2') {
        // Saved back with torchvision's names, the file loads into torchvision with strict=True.
        const saved = join(dir, `${arch}.roundtrip.safetensors`);
        await saveWeights(model, saved, { mapping: MOBILENET_TORCHVISION_MAPPING_ID });
        expect(await python.request(`roundtrip ${arch} ${saved}`)).toBe('done');
        const back = compare(
          readF32(join(dir, 'roundtrip.logits.f32')),
          readF32(join(dir, `${arch}.logits.f32`)),
        );
        expect(back.maxError).toBeLessThanOrEqual(1e-6 * back.scale);
      }
      expect(tf.memory().numTensors).toBe(before);
      model.dispose();
    });

    it(`${arch} has torchvision's parameter count (at every width) and pretrained metadata`, () => {
      const model = build({ inputShape: [32, 32, 3] });
      expect(summarize(model).trainableParams).toBe(reference.numParams[arch]);
      model.dispose();
      const widths = Object.keys(reference.widthParams).filter((key) => key.startsWith(`${arch}@`));
      expect(widths.length).toBeGreaterThan(0);
      for (const key of widths) {
        const scaled = build({ inputShape: [32, 32, 3], widthMultiplier: Number(key.split('@')[1]) });
        expect([key, summarize(scaled).trainableParams]).toEqual([key, reference.widthParams[key]]);
        scaled.dispose();
      }
      const definition = getModelDefinition(arch);
      expect(definition.defaultMapping).toBe(MOBILENET_TORCHVISION_MAPPING_ID);
      const configs = definition.pretrained ?? [];
      expect(configs.map((c) => c.id).sort()).toEqual(
        Object.keys(reference.weights)
          .filter((id) => id.startsWith(`${arch}.`))
          .sort(),
      );
      for (const config of configs) {
        const upstream = reference.weights[config.id]!;
        expect(config.source.url).toBe(upstream.url);
        expect(upstream.url).toContain(`-${config.source.sha256Prefix}.pth`);
        expect(config.numParams).toBe(upstream.numParams);
        expect(config.numParams).toBe(reference.numParams[arch]);
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
