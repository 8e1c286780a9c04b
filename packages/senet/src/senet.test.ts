import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import {
  getPretrainedConfig,
  listModels,
  listPretrained,
  summarize,
  WeightResolver,
  ZooError,
} from '@tfzoo/core';
import { RESNET_MAPPING_ID } from '@tfzoo/resnet';
import { describeModelContract, readTimmFixture } from '@tfzoo/test-harness';
import { describe, expect, it } from 'vitest';
import {
  buildLegacySENet,
  LEGACY_SENET_CONFIGS,
  LEGACY_SENET_MAPPING_ID,
  type LegacySENetConfig,
  legacySenet154,
  legacySeresnet18,
  legacySeresnet50,
  legacySeresnet152,
  SENET_DEFINITIONS,
  SENET_FAMILY,
  seresnet18,
  seresnet34,
  seresnet50,
  seresnet152,
  seresnext50_32x4d,
} from './index.js';

/** Narrow versions of the legacy block types, so the contract's cpu gradients stay cheap. */
const NARROW_SENET154: LegacySENetConfig = {
  name: 'narrow_senet',
  block: 'senet',
  layers: [1, 2, 1, 1],
  channels: [8, 16, 16, 32],
  groups: 4,
  reduction: 4,
  inplanes: 16,
  input3x3: true,
  downsampleKernelSize: 3,
  downsamplePadding: 1,
};
const NARROW_BASIC: LegacySENetConfig = {
  name: 'narrow_seresnet',
  block: 'basic',
  layers: [2, 1, 1, 1],
  channels: [16, 16, 32, 32],
  groups: 1,
  reduction: 4,
};
const NARROW_RESNEXT: LegacySENetConfig = {
  name: 'narrow_seresnext',
  block: 'resnext',
  layers: [1, 1, 1, 1],
  channels: [16, 16, 32, 32],
  groups: 4,
  reduction: 8,
  baseWidth: 16,
};

describeModelContract([
  {
    name: 'legacy SENet-154 blocks (narrow)',
    build: () => buildLegacySENet(NARROW_SENET154, { inputShape: [16, 16, 3], numClasses: 4 }),
    outputShape: [4],
  },
  {
    name: 'legacy SE-ResNet basic blocks (narrow), features',
    build: () =>
      buildLegacySENet(NARROW_BASIC, { inputShape: [32, 32, 3], featuresOnly: true, outIndices: [0, 1, 4] }),
    outputShape: [
      [16, 16, 64],
      [8, 8, 16],
      [1, 1, 32],
    ],
  },
  {
    name: 'legacy SE-ResNeXt blocks (narrow), no top',
    build: () =>
      buildLegacySENet(NARROW_RESNEXT, { inputShape: [32, 32, 3], includeTop: false, pooling: 'max' }),
    outputShape: [128],
  },
]);

type Builder = (options: { skipInit: boolean; inputShape: [number, number, number] }) => tfl.LayersModel;

/** Reads a timm fixture of `test/fixtures/` (a full one or a names-only one) for its names and metadata. */
const fixtureNames = (file: string) =>
  readTimmFixture(new URL(`./test/fixtures/${file}`, import.meta.url), 'names');

/** Every fixture made with real timm (full, or names only), the builder of the same architecture and its mapping. */
const FIXTURES: [string, string, Builder, string][] = [
  ['seresnet18', 'seresnet18.json.gz', seresnet18, RESNET_MAPPING_ID],
  ['seresnet34', 'seresnet34.names.json', seresnet34, RESNET_MAPPING_ID],
  ['seresnet50', 'seresnet50.json.gz', seresnet50, RESNET_MAPPING_ID],
  ['seresnet152', 'seresnet152.names.json', seresnet152, RESNET_MAPPING_ID],
  ['seresnext50_32x4d', 'seresnext50_32x4d.names.json', seresnext50_32x4d, RESNET_MAPPING_ID],
  ['legacy_seresnet18', 'legacy_seresnet18.json.gz', legacySeresnet18, LEGACY_SENET_MAPPING_ID],
  ['legacy_seresnet50', 'legacy_seresnet50.json.gz', legacySeresnet50, LEGACY_SENET_MAPPING_ID],
  ['legacy_seresnet152', 'legacy_seresnet152.names.json', legacySeresnet152, LEGACY_SENET_MAPPING_ID],
  ['legacy_senet154', 'legacy_senet154.names.json', legacySenet154, LEGACY_SENET_MAPPING_ID],
];

describe("timm's state-dict layouts", () => {
  for (const [name, file, build, mapping] of FIXTURES) {
    it(`${name}: every timm tensor name and shape is consumed exactly once, names derive back, params = timm's`, () => {
      const fixture = fixtureNames(file);
      const model = build({ skipInit: true, inputShape: [64, 64, 3] });
      const resolver = new WeightResolver(model, mapping);
      const consumed = new Map<string, string>();
      const problems: string[] = [];
      for (const tensor of fixture.tensors) {
        const resolved = resolver.resolve(tensor.name);
        if (resolved.kind !== 'slot') {
          const expectedIgnore = resolved.kind === 'ignored' && tensor.name.endsWith('.num_batches_tracked');
          if (!expectedIgnore) problems.push(`${tensor.name}: ${resolved.kind}, ${resolved.reason}`);
          continue;
        }
        const previous = consumed.get(resolved.slot.key);
        if (previous !== undefined) problems.push(`${tensor.name} and ${previous} → ${resolved.slot.key}`);
        consumed.set(resolved.slot.key, tensor.name);
        const expected = resolved.transform.referenceShape(resolved.slot.shape);
        if (JSON.stringify(expected) !== JSON.stringify(tensor.shape)) {
          problems.push(`${tensor.name} ${JSON.stringify(tensor.shape)} vs ${JSON.stringify(expected)}`);
        }
      }
      expect(problems).toEqual([]);
      expect(consumed.size).toBe(resolver.slots.size);
      // The reverse direction (saving with reference names) derives exactly timm's names.
      const derived = [...resolver.referenceNames().values()].map((entry) => entry.name).sort();
      const reference = fixture.tensors
        .map((tensor) => tensor.name)
        .filter((tensorName) => !tensorName.endsWith('.num_batches_tracked'))
        .sort();
      expect(derived).toEqual(reference);
      expect(summarize(model).trainableParams).toBe(fixture.numParams);
      model.dispose();
    });
  }
});

/** SE parameters added to a ResNet: per block `2·C·R + R + C` for `C` output channels, `R(C)` bottleneck channels. */
function seParams(
  layers: readonly number[],
  expansion: number,
  reduced: (channels: number) => number,
): number {
  return layers.reduce((sum, blocks, stage) => {
    const channels = [64, 128, 256, 512][stage]! * expansion;
    const r = reduced(channels);
    return sum + blocks * (2 * channels * r + r + channels);
  }, 0);
}

describe('parameter counts without a fixture', () => {
  it("equal torchvision's published counts of the base network plus the SE modules' parameters", () => {
    // torchvision's Weights metadata: resnet34 21,797,672; resnet101 44,549,160; resnext50_32x4d 25,028,904.
    const timmSe = (c: number) => Math.max(8, Math.floor((c / 16 + 4) / 8) * 8);
    const legacySe = (c: number) => Math.floor(c / 16);
    const cases: [string, number][] = [
      ['seresnet101', 44549160 + seParams([3, 4, 23, 3], 4, timmSe)],
      ['legacy_seresnet34', 21797672 + seParams([3, 4, 6, 3], 1, legacySe)],
      ['legacy_seresnet101', 44549160 + seParams([3, 4, 23, 3], 4, legacySe)],
      ['legacy_seresnext50_32x4d', 25028904 + seParams([3, 4, 6, 3], 4, legacySe)],
    ];
    // The rule reproduces timm's published figures (21.96M, 49.33M, 27.56M).
    expect(cases.map(([, n]) => Math.round(n / 1e4) / 100)).toEqual([49.33, 21.96, 49.33, 27.56]);
    for (const [arch, expected] of cases) {
      const model = SENET_DEFINITIONS[arch as keyof typeof SENET_DEFINITIONS].build({
        inputShape: [32, 32, 3],
        skipInit: true,
      });
      expect([arch, summarize(model).trainableParams]).toEqual([arch, expected]);
      model.dispose();
    }
  });
});

describe('legacy SENet layout', () => {
  it('puts the stride on the first 1×1 of SE-ResNet bottlenecks and uses a ceil-mode stem pool', () => {
    const model = legacySeresnet50({ inputShape: [64, 64, 3], skipInit: true });
    // 64 → conv 32 → ceil-mode pool: ceil((32 − 3) / 2) + 1 = 16 (a floor-mode pool would give 15).
    expect(model.getLayer('pool0').outputShape).toEqual([null, 16, 16, 64]);
    expect(model.getLayer('layer2_0_conv1').outputShape).toEqual([null, 8, 8, 128]);
    expect(model.getLayer('layer2_0_conv2').outputShape).toEqual([null, 8, 8, 128]);
    expect(model.getLayer('layer1_0_se_module').getWeights()[0]!.shape).toEqual([256, 16]);
    expect(model.getLayer('last_linear').outputShape).toEqual([null, 1000]);
    expect(model.layers.some((layer) => layer.name === 'dropout')).toBe(true);
    model.dispose();
  });

  it('gives SENet-154 a three-conv stem, 64-group bottlenecks and 3×3 projection shortcuts', () => {
    const model = legacySenet154({ inputShape: [64, 64, 3], skipInit: true });
    expect(model.getLayer('layer0_conv3').outputShape).toEqual([null, 32, 32, 128]);
    expect(model.getLayer('layer2_0_downsample_0').getWeights()[0]!.shape).toEqual([3, 3, 256, 512]);
    expect(model.getLayer('layer1_0_downsample_0').getWeights()[0]!.shape).toEqual([1, 1, 128, 256]);
    expect(model.getLayer('layer3_0_conv2').getConfig().groups).toBe(64);
    model.dispose();
  });

  it('rejects malformed options naming the received value', () => {
    expect(() => legacySeresnet18({ featuresOnly: true, outIndices: [] })).toThrow(ZooError);
    expect(() => legacySeresnet18({ featuresOnly: true, outIndices: [] })).toThrow('received []');
    expect(() => buildLegacySENet({ ...LEGACY_SENET_CONFIGS.legacy_seresnet18, reduction: 0 })).toThrow(
      'reduction must be a positive integer; received 0',
    );
    expect(() =>
      buildLegacySENet({ ...LEGACY_SENET_CONFIGS.legacy_seresnet18, block: 'dense' as never }),
    ).toThrow('received "dense"');
  });
});

/** The legacy files as timm's `timm/models/senet.py` default configs name them. */
const TIMM_LEGACY_URLS: Record<string, string> = {
  legacy_senet154: 'v0.1-weights/legacy_senet154-e9eb9fe6.pth',
  legacy_seresnet18: 'v0.1-weights/seresnet18-4bb0ce65.pth',
  legacy_seresnet34: 'v0.1-weights/seresnet34-a4004e63.pth',
  legacy_seresnet50: 'v0.1-cadene/se_resnet50-ce0d4300.pth',
  legacy_seresnet101: 'v0.1-cadene/se_resnet101-7e38fcc6.pth',
  legacy_seresnet152: 'v0.1-cadene/se_resnet152-d17c99b7.pth',
  legacy_seresnext50_32x4d: 'v0.1-weights/legacy_se_resnext50_32x4d-f3651bad.pth',
};

describe('registry and pretrained metadata', () => {
  it('registers every SE variant with its mapping and pretrained files', () => {
    expect(listModels('*se*').filter((id) => id in SENET_DEFINITIONS)).toHaveLength(13);
    expect(listPretrained('legacy_*').sort()).toEqual(
      Object.keys(TIMM_LEGACY_URLS)
        .map((a) => `${a}.in1k`)
        .sort(),
    );
    for (const [arch, file] of Object.entries(TIMM_LEGACY_URLS)) {
      const config = getPretrainedConfig(`${arch}.in1k`);
      expect(config.source.url).toBe(
        `https://github.com/rwightman/pytorch-image-models/releases/download/${file}`,
      );
      expect(file.endsWith(`-${config.source.sha256Prefix}.pth`)).toBe(true);
      expect(config.mapping).toBe(SENET_FAMILY.mappingIds.legacy);
      expect(config.classifier).toBe('last_linear');
      expect(config.preprocessing.interpolation).toBe(arch === 'legacy_seresnet18' ? 'bicubic' : 'bilinear');
      expect(config.preprocessing.cropFraction).toBeCloseTo(0.875, 6);
    }
    const ra2 = getPretrainedConfig('seresnet50');
    expect(ra2.id).toBe('seresnet50.ra2_in1k');
    expect(ra2.source).toMatchObject({ format: 'pth', sha256Prefix: '8efdb4bb' });
    expect(ra2.mapping).toBe(SENET_FAMILY.mappingIds.timm);
    expect(ra2.preprocessing.interpolation).toBe('bicubic');
  });

  it("pretrained configs' parameter counts equal the models' and the timm fixtures'", () => {
    for (const id of listPretrained(['legacy_*', 'seresnet*'])) {
      const config = getPretrainedConfig(id);
      const definition = SENET_DEFINITIONS[config.arch as keyof typeof SENET_DEFINITIONS];
      const model = definition.build({ inputShape: [32, 32, 3], skipInit: true });
      expect([id, summarize(model).trainableParams]).toEqual([id, config.numParams]);
      model.dispose();
    }
    expect(getPretrainedConfig('legacy_senet154').numParams).toBe(
      fixtureNames('legacy_senet154.names.json').numParams,
    );
    expect(getPretrainedConfig('seresnet50').numParams).toBe(fixtureNames('seresnet50.json.gz').numParams);
  });

  it("timm's SE-ResNets zero-init the last batch norm of each branch by default, like timm", () => {
    const model = seresnet18({ inputShape: [32, 32, 3] });
    expect(
      model
        .getLayer('layer1_0_bn2')
        .getWeights()[0]!
        .dataSync()
        .every((v) => v === 0),
    ).toBe(true);
    expect(model.getLayer('layer1_0_se').getWeights()[0]!.shape).toEqual([64, 8]);
    const before = tf.memory().numTensors;
    const input = tf.zeros([1, 32, 32, 3]);
    const output = model.predict(input) as tf.Tensor;
    expect(output.shape).toEqual([1, 1000]);
    tf.dispose([input, output]);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});
