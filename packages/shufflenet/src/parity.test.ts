/**
 * Parity with PyTorch (random weights, fixed seed, randomized batch-norm statistics):
 * torchvision's `shufflenet_v2_x1_0` from a `.pth` through `shufflenet/torchvision` and back into
 * torchvision with `strict=True`; ShuffleNet v1 in megvii's layout (`test/reference.py`) through
 * `shufflenet/megvii`; parameter counts against torchvision's published figures and megvii's
 * configurations as built by PyTorch; torchvision's weight metadata.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { getPretrainedConfig, listPretrained, loadWeights, saveWeights, summarize } from '@tfzoo/core';
import { compare, PythonSession, predictValues, readF32 } from '@tfzoo/test-harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildShuffleNetV1,
  buildShuffleNetV2,
  SHUFFLENET_MEGVII_MAPPING_ID,
  SHUFFLENET_TORCHVISION_MAPPING_ID,
  SHUFFLENET_V1_CONFIGS,
  SHUFFLENET_V2_CONFIGS,
  type ShuffleNetV2Arch,
} from './index.js';

const SCRIPT = fileURLToPath(new URL('./test/reference.py', import.meta.url));
const SIZE = 64;

interface Reference {
  v2NumParams: Record<ShuffleNetV2Arch, number>;
  v1NumParams: Record<string, { channels: number[]; numParams: number }>;
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
  dir = mkdtempSync(join(tmpdir(), 'tfzoo-shufflenet-'));
  python = new PythonSession(SCRIPT, ['serve', dir]);
  expect(await python.next()).toBe('ready');
  reference = JSON.parse(readFileSync(join(dir, 'reference.json'), 'utf8')) as Reference;
  input = tf.tensor4d(readF32(join(dir, 'input.f32')), [2, SIZE, SIZE, 3]);
}, 60_000);

afterAll(() => {
  python?.close();
  input?.dispose();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function expectParity(model: LayersModel, file: string, mapping: string): Promise<void> {
  const before = tf.memory().numTensors;
  const report = await loadWeights(model, join(dir, `${file}.pth`), { mapping });
  expect(report.unused).toEqual([]);
  expect(report.unfilled).toEqual([]);
  expect(tf.memory().numTensors).toBe(before);
  const { maxError, scale } = compare(predictValues(model, input), readF32(join(dir, `${file}.logits.f32`)));
  expect(scale).toBeGreaterThan(0);
  expect(maxError).toBeLessThanOrEqual(1e-4 * scale);
  expect(tf.memory().numTensors).toBe(before);
}

describe('parity with torchvision', () => {
  it("shufflenet_v2_x1_0 loaded from a .pth reproduces torchvision's logits", async () => {
    const model = buildShuffleNetV2(SHUFFLENET_V2_CONFIGS.shufflenet_v2_x1_0, {
      inputShape: [SIZE, SIZE, 3],
      skipInit: true,
    });
    await expectParity(model, 'shufflenet_v2_x1_0', SHUFFLENET_TORCHVISION_MAPPING_ID);
    model.dispose();
  });

  it('round trip: saved with reference names, it loads into torchvision strictly and gives the same logits', async () => {
    const model = buildShuffleNetV2(SHUFFLENET_V2_CONFIGS.shufflenet_v2_x1_0, {
      inputShape: [SIZE, SIZE, 3],
      skipInit: true,
    });
    await loadWeights(model, join(dir, 'shufflenet_v2_x1_0.pth'), {
      mapping: SHUFFLENET_TORCHVISION_MAPPING_ID,
    });
    const saved = join(dir, 'roundtrip.safetensors');
    await saveWeights(model, saved, { names: 'reference', mapping: SHUFFLENET_TORCHVISION_MAPPING_ID });
    model.dispose();
    expect(await python.request(`roundtrip ${saved}`)).toBe('done');
    const { maxError, scale } = compare(
      readF32(join(dir, 'roundtrip.logits.f32')),
      readF32(join(dir, 'shufflenet_v2_x1_0.logits.f32')),
    );
    expect(maxError).toBeLessThanOrEqual(1e-6 * scale);
  });
});

describe("parity with megvii's ShuffleNetV1 layout", () => {
  for (const id of ['shufflenet_v1_g3_x1_0', 'shufflenet_v1_g8_x0_5', 'shufflenet_v1_g1_x1_0']) {
    it(`${id} loaded from a megvii-layout .pth reproduces PyTorch's logits`, async () => {
      const config = SHUFFLENET_V1_CONFIGS[id]!;
      const model = buildShuffleNetV1(config, { inputShape: [SIZE, SIZE, 3], skipInit: true });
      await expectParity(model, id, SHUFFLENET_MEGVII_MAPPING_ID);
      model.dispose();
    });
  }
});

describe('parameter counts', () => {
  it("every ShuffleNetV2 size has torchvision's published num_params, as built by torchvision and declared by its config", () => {
    for (const arch of Object.keys(SHUFFLENET_V2_CONFIGS) as ShuffleNetV2Arch[]) {
      const model = buildShuffleNetV2(SHUFFLENET_V2_CONFIGS[arch], {
        inputShape: [32, 32, 3],
        skipInit: true,
      });
      const published = reference.weights[`${arch}.imagenet1k_v1`]!.numParams;
      expect([arch, summarize(model).trainableParams]).toEqual([arch, published]);
      expect([arch, reference.v2NumParams[arch]]).toEqual([arch, published]);
      expect(getPretrainedConfig(`${arch}.imagenet1k_v1`).numParams).toBe(published);
      model.dispose();
    }
  });

  it("megvii's eight ShuffleNet v1 configurations: same widths and the same parameter count as in PyTorch", () => {
    const ids = Object.keys(reference.v1NumParams);
    expect(ids).toHaveLength(8);
    for (const id of ids) {
      const config = SHUFFLENET_V1_CONFIGS[id]!;
      const torch = reference.v1NumParams[id]!;
      expect([id, config.stemChannels, ...config.stageChannels]).toEqual([id, ...torch.channels]);
      const model = buildShuffleNetV1(config, { inputShape: [32, 32, 3], skipInit: true });
      expect([id, summarize(model).trainableParams]).toEqual([id, torch.numParams]);
      model.dispose();
    }
  });
});

describe('pretrained metadata', () => {
  it("torchvision's files: URL, hash prefix, accuracy, preprocessing and labels equal torchvision's Weights", () => {
    const ids = listPretrained('shufflenet*');
    expect(ids.sort()).toEqual(Object.keys(reference.weights).sort());
    for (const id of ids) {
      const config = getPretrainedConfig(id);
      const torch = reference.weights[id]!;
      expect(config.source.url).toBe(torch.url);
      expect(config.source.format).toBe('pth');
      expect(torch.url.endsWith(`-${config.source.sha256Prefix}.pth`)).toBe(true);
      expect(config.mapping).toBe(SHUFFLENET_TORCHVISION_MAPPING_ID);
      expect(config.numParams).toBe(torch.numParams);
      expect(config.accuracy?.top1).toBe(torch.top1);
      expect(config.accuracy?.top5).toBe(torch.top5);
      expect(config.preprocessing.inputSize).toEqual([torch.cropSize, torch.cropSize, 3]);
      expect(config.preprocessing.resizeSize).toBe(torch.resizeSize);
      expect(config.preprocessing.interpolation).toBe(torch.interpolation);
      for (const [i, value] of config.preprocessing.mean.entries())
        expect(value).toBeCloseTo(torch.mean[i]!, 6);
      for (const [i, value] of config.preprocessing.std.entries())
        expect(value).toBeCloseTo(torch.std[i]!, 6);
      expect(config.labels).toEqual(torch.categories);
    }
  });
});
