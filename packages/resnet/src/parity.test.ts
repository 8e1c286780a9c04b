/**
 * Parity with torchvision 0.14 (random weights, fixed seed, randomized batch-norm statistics):
 * logits from `.pth` and safetensors files, the round trip back into PyTorch with `strict=True`,
 * feature taps against `create_feature_extractor`, and parameter counts against torchvision's
 * published figures.
 */
import '@tensorflow/tfjs-backend-wasm';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { getPretrainedConfig, listPretrained, loadWeights, saveWeights, summarize } from '@tfzoo/core';
import { compare, predictValues, ReferenceSession } from '@tfzoo/test-harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildResNet,
  RESNET_FAMILY,
  RESNET_MAPPING_ID,
  RESNET_VARIANTS,
  type ResNetArch,
  resnetFeatureInfo,
} from './index.js';

const SIZE = 64;
const PARITY_ARCHS = ['resnet18', 'resnet50', 'resnext50_32x4d'] as const;
/** torchvision's ResNet builders, listed independently of RESNET_VARIANTS. */
const TORCHVISION_ARCHS = [
  'resnet18',
  'resnet34',
  'resnet50',
  'resnet101',
  'resnet152',
  'resnext50_32x4d',
  'resnext101_32x8d',
  'resnext101_64x4d',
  'wide_resnet50_2',
  'wide_resnet101_2',
];
const TAPS = { relu: 'stem', layer1: 'layer1', layer2: 'layer2', layer3: 'layer3', layer4: 'layer4' };

let torch: ReferenceSession;
let input: tf.Tensor4D;

beforeAll(async () => {
  // Random weights (torch.manual_seed) with randomized batch-norm statistics, as .pth and safetensors.
  torch = await ReferenceSession.start({
    input: { shape: [2, SIZE, SIZE, 3], seed: 1234 },
    models: PARITY_ARCHS.map((arch) => ({
      id: arch,
      arch,
      formats: ['pth', 'safetensors'],
      features: TAPS,
    })),
    weights: TORCHVISION_ARCHS,
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
  for (const arch of PARITY_ARCHS) {
    for (const extension of ['pth', 'safetensors'] as const) {
      it(`${arch} loaded from a .${extension} reproduces torchvision's logits`, async () => {
        const model = buildResNet(RESNET_VARIANTS[arch], { inputShape: [SIZE, SIZE, 3], skipInit: true });
        const before = tf.memory().numTensors;
        const report = await loadWeights(model, torch.file(arch, extension), {
          mapping: RESNET_MAPPING_ID,
        });
        expect(report.unused).toEqual([]);
        expect(report.unfilled).toEqual([]);
        expect(tf.memory().numTensors).toBe(before);
        const { maxError, scale } = compare(predictValues(model, input), torch.logits(arch));
        expect(scale).toBeGreaterThan(0);
        expect(maxError).toBeLessThanOrEqual(1e-4 * scale);
        expect(tf.memory().numTensors).toBe(before);
        model.dispose();
      });
    }
  }

  it('round trip: resnet18 from a .pth, saved with reference names, loads into torchvision strictly', async () => {
    const model = buildResNet(RESNET_VARIANTS.resnet18, { inputShape: [SIZE, SIZE, 3], skipInit: true });
    await loadWeights(model, torch.file('resnet18'), { mapping: RESNET_MAPPING_ID });
    const saved = join(torch.dir, 'roundtrip.safetensors');
    await saveWeights(model, saved, {
      format: 'safetensors',
      names: 'reference',
      mapping: RESNET_MAPPING_ID,
    });
    model.dispose();
    const { maxError, scale } = compare(await torch.roundtrip('resnet18', saved), torch.logits('resnet18'));
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
      const taps = torch.models[arch]!.features!;
      const expected = (['stem', 'layer1', 'layer2', 'layer3', 'layer4'] as const).map((key) => {
        const [, channels, height, width] = taps[key]!;
        return [null, height, width, channels];
      });
      expect(model.outputs.map((output) => output.shape)).toEqual(expected);
      const info = resnetFeatureInfo(RESNET_VARIANTS[arch]);
      expect(info.map((level) => level.stride)).toEqual([2, 4, 8, 16, 32]);
      info.forEach((level, index) => {
        const [, channels, height] =
          taps[(['stem', 'layer1', 'layer2', 'layer3', 'layer4'] as const)[index]!]!;
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
    const taps = torch.models.resnet50!.features!;
    expect(model.outputs.map((output) => output.shape)).toEqual(
      (['layer1', 'layer2', 'layer3', 'layer4'] as const).map((key) => {
        const [, channels, height, width] = taps[key]!;
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
      // torchvision's published num_params (of its first weights, V1, as the old script read it).
      const expected = torch.weights[`${arch}.imagenet1k_v1`]!.numParams;
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
    expect(ids.sort()).toEqual(Object.keys(torch.weights).sort());
    for (const id of ids) {
      const config = getPretrainedConfig(id);
      const upstream = torch.weights[id]!;
      expect(config.source.url).toBe(upstream.url);
      expect(config.source.format).toBe('pth');
      expect(upstream.url.endsWith(`-${config.source.sha256Prefix}.pth`)).toBe(true);
      expect(config.numParams).toBe(upstream.numParams);
      expect(config.accuracy?.top1).toBe(upstream.top1);
      expect(config.accuracy?.top5).toBe(upstream.top5);
      expect(config.preprocessing.inputSize).toEqual([upstream.cropSize, upstream.cropSize, 3]);
      expect(config.preprocessing.resizeSize).toBe(upstream.resizeSize);
      expect(config.preprocessing.interpolation).toBe(upstream.interpolation);
      expect(config.preprocessing.mean.map((v) => v.toFixed(6))).toEqual(
        upstream.mean.map((v) => v.toFixed(6)),
      );
      expect(config.preprocessing.std.map((v) => v.toFixed(6))).toEqual(
        upstream.std.map((v) => v.toFixed(6)),
      );
      expect(config.numClasses).toBe(upstream.categories.length);
      expect(config.labels).toEqual(upstream.categories);
    }
  });

  it("timm's tv_in1k safetensors are torchvision's V1 weights: same metadata, Hub URL, sha256 where known", () => {
    for (const arch of ['resnet18', 'resnet34', 'resnet50', 'resnet101', 'resnet152']) {
      const hub = getPretrainedConfig(`${arch}.tv_in1k`);
      const v1 = torch.weights[`${arch}.imagenet1k_v1`]!;
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
