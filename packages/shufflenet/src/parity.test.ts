/**
 * Parity with PyTorch (random weights, fixed seed, randomized batch-norm statistics):
 * torchvision's `shufflenet_v2_x1_0` from a `.pth` through `shufflenet/torchvision` and back into
 * torchvision with `strict=True`; ShuffleNet v1 in megvii's layout (`@tfzoo/test-harness`'s
 * `megvii_shufflenet.py`) through
 * `shufflenet/megvii`; parameter counts against torchvision's published figures and megvii's
 * configurations as built by PyTorch; torchvision's weight metadata.
 */
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { getPretrainedConfig, listPretrained, loadWeights, saveWeights, summarize } from '@tfzoo/core';
import { compare, predictValues, ReferenceSession, type SessionModel } from '@tfzoo/test-harness';
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

const SIZE = 64;
const V2_ARCHS = ['shufflenet_v2_x0_5', 'shufflenet_v2_x1_0', 'shufflenet_v2_x1_5', 'shufflenet_v2_x2_0'];
/** megvii's published configurations (groups 3 and 8 at four widths), by tfzoo id. */
const MEGVII = [3, 8].flatMap((group) =>
  ['0.5x', '1.0x', '1.5x', '2.0x'].map((size) => ({
    id: `shufflenet_v1_g${group}_x${size.slice(0, -1).replace('.', '_')}`,
    arch: 'megvii_shufflenet_v1',
    kwargs: { group, size },
  })),
);
/** megvii's layout with He-normal kernels (random activations stay O(1) through all 16 units). */
const megvii = (id: string, group: number, size: string | null): SessionModel => ({
  id,
  arch: 'megvii_shufflenet_v1',
  kwargs: { group, size },
  init: 'heNormal',
});

let torch: ReferenceSession;
let input: tf.Tensor4D;

beforeAll(async () => {
  torch = await ReferenceSession.start({
    input: { shape: [2, SIZE, SIZE, 3], seed: 1234 },
    models: [
      { id: 'shufflenet_v2_x1_0', arch: 'shufflenet_v2_x1_0' },
      megvii('shufflenet_v1_g3_x1_0', 3, '1.0x'),
      megvii('shufflenet_v1_g8_x0_5', 8, '0.5x'),
      // size null: the paper's Table 1 widths at g = 1 (megvii publishes no g1 model).
      megvii('shufflenet_v1_g1_x1_0', 1, null),
    ],
    counts: [...V2_ARCHS.map((arch) => ({ id: arch, arch })), ...MEGVII],
    weights: V2_ARCHS,
  });
  input = torch.inputTensor();
}, 60_000);

afterAll(() => {
  torch?.close();
  input?.dispose();
});

async function expectParity(model: LayersModel, file: string, mapping: string): Promise<void> {
  const before = tf.memory().numTensors;
  const report = await loadWeights(model, torch.file(file), { mapping });
  expect(report.unused).toEqual([]);
  expect(report.unfilled).toEqual([]);
  expect(tf.memory().numTensors).toBe(before);
  const { maxError, scale } = compare(predictValues(model, input), torch.logits(file));
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
    await loadWeights(model, torch.file('shufflenet_v2_x1_0'), {
      mapping: SHUFFLENET_TORCHVISION_MAPPING_ID,
    });
    const saved = join(torch.dir, 'roundtrip.safetensors');
    await saveWeights(model, saved, { names: 'reference', mapping: SHUFFLENET_TORCHVISION_MAPPING_ID });
    model.dispose();
    const { maxError, scale } = compare(
      await torch.roundtrip('shufflenet_v2_x1_0', saved),
      torch.logits('shufflenet_v2_x1_0'),
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
      const published = torch.weights[`${arch}.imagenet1k_v1`]!.numParams;
      expect([arch, summarize(model).trainableParams]).toEqual([arch, published]);
      expect([arch, torch.counts[arch]!.numParams]).toEqual([arch, published]);
      expect(getPretrainedConfig(`${arch}.imagenet1k_v1`).numParams).toBe(published);
      model.dispose();
    }
  });

  it("megvii's eight ShuffleNet v1 configurations: same widths and the same parameter count as in PyTorch", () => {
    const ids = MEGVII.map(({ id }) => id);
    expect(ids).toHaveLength(8);
    for (const id of ids) {
      const config = SHUFFLENET_V1_CONFIGS[id]!;
      const built = torch.counts[id]!;
      expect([id, config.stemChannels, ...config.stageChannels]).toEqual([id, ...built.channels!]);
      const model = buildShuffleNetV1(config, { inputShape: [32, 32, 3], skipInit: true });
      expect([id, summarize(model).trainableParams]).toEqual([id, built.numParams]);
      model.dispose();
    }
  });
});

describe('pretrained metadata', () => {
  it("torchvision's files: URL, hash prefix, accuracy, preprocessing and labels equal torchvision's Weights", () => {
    const ids = listPretrained('shufflenet*');
    expect(ids.sort()).toEqual(Object.keys(torch.weights).sort());
    for (const id of ids) {
      const config = getPretrainedConfig(id);
      const upstream = torch.weights[id]!;
      expect(config.source.url).toBe(upstream.url);
      expect(config.source.format).toBe('pth');
      expect(upstream.url.endsWith(`-${config.source.sha256Prefix}.pth`)).toBe(true);
      expect(config.mapping).toBe(SHUFFLENET_TORCHVISION_MAPPING_ID);
      expect(config.numParams).toBe(upstream.numParams);
      expect(config.accuracy?.top1).toBe(upstream.top1);
      expect(config.accuracy?.top5).toBe(upstream.top5);
      expect(config.preprocessing.inputSize).toEqual([upstream.cropSize, upstream.cropSize, 3]);
      expect(config.preprocessing.resizeSize).toBe(upstream.resizeSize);
      expect(config.preprocessing.interpolation).toBe(upstream.interpolation);
      for (const [i, value] of config.preprocessing.mean.entries())
        expect(value).toBeCloseTo(upstream.mean[i]!, 6);
      for (const [i, value] of config.preprocessing.std.entries())
        expect(value).toBeCloseTo(upstream.std[i]!, 6);
      expect(config.labels).toEqual(upstream.categories);
    }
  });
});
