/**
 * Parity with torchvision 0.14 (random weights, fixed seed, randomized batch-norm statistics):
 * logits from `.pth` and safetensors files, the round trip back into PyTorch with `strict=True`,
 * feature taps against `create_feature_extractor`, and parameter counts against torchvision's
 * published figures.
 */
import '@tensorflow/tfjs-backend-wasm';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { getPretrainedConfig, listPretrained, loadWeights, saveWeights, summarize } from '@tfzoo/core';
import { compare, PythonSession, predictValues, readF32 } from '@tfzoo/test-harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildResNet,
  RESNET_FAMILY,
  RESNET_MAPPING_ID,
  RESNET_VARIANTS,
  type ResNetArch,
  resnetFeatureInfo,
} from './index.js';

const SCRIPT = fileURLToPath(new URL('./test/torchvision_reference.py', import.meta.url));
const SIZE = 64;
const PARITY_ARCHS = ['resnet18', 'resnet50', 'resnext50_32x4d'] as const;

interface Reference {
  features: Record<string, Record<'stem' | 'layer1' | 'layer2' | 'layer3' | 'layer4', number[]>>;
  numParams: Record<ResNetArch, number>;
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
  dir = mkdtempSync(join(tmpdir(), 'tfzoo-resnet-'));
  python = new PythonSession(SCRIPT, ['serve', dir]);
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
  for (const arch of PARITY_ARCHS) {
    for (const extension of ['pth', 'safetensors'] as const) {
      it(`${arch} loaded from a .${extension} reproduces torchvision's logits`, async () => {
        const model = buildResNet(RESNET_VARIANTS[arch], { inputShape: [SIZE, SIZE, 3], skipInit: true });
        const before = tf.memory().numTensors;
        const report = await loadWeights(model, join(dir, `${arch}.${extension}`), {
          mapping: RESNET_MAPPING_ID,
        });
        expect(report.unused).toEqual([]);
        expect(report.unfilled).toEqual([]);
        expect(tf.memory().numTensors).toBe(before);
        const expected = readF32(join(dir, `${arch}.logits.f32`));
        const { maxError, scale } = compare(predictValues(model, input), expected);
        expect(scale).toBeGreaterThan(0);
        expect(maxError).toBeLessThanOrEqual(1e-4 * scale);
        expect(tf.memory().numTensors).toBe(before);
        model.dispose();
      });
    }
  }

  it('round trip: resnet18 from a .pth, saved with reference names, loads into torchvision strictly', async () => {
    const model = buildResNet(RESNET_VARIANTS.resnet18, { inputShape: [SIZE, SIZE, 3], skipInit: true });
    await loadWeights(model, join(dir, 'resnet18.pth'), { mapping: RESNET_MAPPING_ID });
    const saved = join(dir, 'roundtrip.safetensors');
    await saveWeights(model, saved, {
      format: 'safetensors',
      names: 'reference',
      mapping: RESNET_MAPPING_ID,
    });
    model.dispose();
    expect(await python.request(`roundtrip ${saved}`)).toBe('done');
    const { maxError, scale } = compare(
      readF32(join(dir, 'roundtrip.logits.f32')),
      readF32(join(dir, 'resnet18.logits.f32')),
    );
    expect(maxError).toBeLessThanOrEqual(1e-6 * scale);
  });
});

describe('feature taps', () => {
  for (const arch of PARITY_ARCHS) {
    it(`${arch}: strides and channels equal create_feature_extractor's (stem, layer1..layer4)`, () => {
      const model = buildResNet(RESNET_VARIANTS[arch], {
        inputShape: [SIZE, SIZE, 3],
        featuresOnly: true,
        outIndices: [0, 1, 2, 3, 4],
        skipInit: true,
      });
      const torch = reference.features[arch]!;
      const expected = (['stem', 'layer1', 'layer2', 'layer3', 'layer4'] as const).map((key) => {
        const [, channels, height, width] = torch[key];
        return [null, height, width, channels];
      });
      expect(model.outputs.map((output) => output.shape)).toEqual(expected);
      const info = resnetFeatureInfo(RESNET_VARIANTS[arch]);
      expect(info.map((level) => level.stride)).toEqual([2, 4, 8, 16, 32]);
      info.forEach((level, index) => {
        const [, channels, height] =
          torch[(['stem', 'layer1', 'layer2', 'layer3', 'layer4'] as const)[index]!];
        expect(level.channels).toBe(channels);
        expect(SIZE / (height as number)).toBe(level.stride);
      });
      model.dispose();
    });
  }

  it('default outIndices are layer1..layer4 (strides 4, 8, 16, 32)', () => {
    const model = buildResNet(RESNET_VARIANTS.resnet50, {
      inputShape: [SIZE, SIZE, 3],
      featuresOnly: true,
      skipInit: true,
    });
    const torch = reference.features.resnet50!;
    expect(model.outputs.map((output) => output.shape)).toEqual(
      (['layer1', 'layer2', 'layer3', 'layer4'] as const).map((key) => {
        const [, channels, height, width] = torch[key];
        return [null, height, width, channels];
      }),
    );
    model.dispose();
  });
});

describe('parameter counts', () => {
  it("every variant's trainable parameters equal torchvision's published num_params, as do the pretrained configs'", async () => {
    await tf.setBackend('cpu');
    for (const arch of Object.keys(RESNET_VARIANTS) as ResNetArch[]) {
      const model = buildResNet(RESNET_VARIANTS[arch], { inputShape: [32, 32, 3], skipInit: true });
      const expected = reference.numParams[arch];
      expect(expected).toBeGreaterThan(0);
      expect([arch, summarize(model).trainableParams]).toEqual([arch, expected]);
      model.dispose();
      for (const id of listPretrained(`${arch}.*`)) {
        const config = getPretrainedConfig(id);
        // tfzoo's own weights of another configuration (resnet18.fmnist): pretrained-fmnist.test.ts
        if (config.buildOptions !== undefined) continue;
        expect([id, config.numParams]).toEqual([id, expected]);
      }
    }
    await tf.setBackend('wasm');
  });
});

describe('pretrained metadata', () => {
  it("torchvision's files: URL, hash prefix, accuracy, preprocessing and labels equal torchvision's Weights", () => {
    const ids = listPretrained('*.imagenet1k_v*');
    expect(ids.sort()).toEqual(Object.keys(reference.weights).sort());
    for (const id of ids) {
      const config = getPretrainedConfig(id);
      const torch = reference.weights[id]!;
      expect(config.source.url).toBe(torch.url);
      expect(config.source.format).toBe('pth');
      expect(torch.url.endsWith(`-${config.source.sha256Prefix}.pth`)).toBe(true);
      expect(config.numParams).toBe(torch.numParams);
      expect(config.accuracy?.top1).toBe(torch.top1);
      expect(config.accuracy?.top5).toBe(torch.top5);
      expect(config.preprocessing.inputSize).toEqual([torch.cropSize, torch.cropSize, 3]);
      expect(config.preprocessing.resizeSize).toBe(torch.resizeSize);
      expect(config.preprocessing.interpolation).toBe(torch.interpolation);
      expect(config.preprocessing.mean.map((v) => v.toFixed(6))).toEqual(torch.mean.map((v) => v.toFixed(6)));
      expect(config.preprocessing.std.map((v) => v.toFixed(6))).toEqual(torch.std.map((v) => v.toFixed(6)));
      expect(config.numClasses).toBe(torch.categories.length);
      expect(config.labels).toEqual(torch.categories);
    }
  });

  it("timm's tv_in1k safetensors are torchvision's V1 weights: same metadata, Hub URL, sha256 where known", () => {
    for (const arch of ['resnet18', 'resnet34', 'resnet50', 'resnet101', 'resnet152']) {
      const hub = getPretrainedConfig(`${arch}.tv_in1k`);
      const v1 = reference.weights[`${arch}.imagenet1k_v1`]!;
      expect(hub.source).toMatchObject({
        url: `https://huggingface.co/timm/${arch}.tv_in1k/resolve/main/model.safetensors`,
        format: 'safetensors',
        revision: 'main',
      });
      expect(hub.numParams).toBe(v1.numParams);
      expect(hub.accuracy?.top1).toBe(v1.top1);
      expect(hub.mapping).toBe(RESNET_FAMILY.mappingIds.torchvision);
    }
    expect(getPretrainedConfig('resnet18.tv_in1k').source.sha256).toBe(
      '694f673df6520a3158624e8a89af086f59923ee4cd7436fe5bc3bc71d295ad81',
    );
    expect(getPretrainedConfig('resnet50.tv_in1k').source.sha256).toBe(
      '5d061a3c593d795bfe682d9b152bafbcf550579873492def3515b46db1189888',
    );
  });
});
