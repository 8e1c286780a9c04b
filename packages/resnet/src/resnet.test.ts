import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { getPretrainedConfig, listModels, resolveModelId, summarize, ZooError } from '@tfzoo/core';
import { DropPath } from '@tfzoo/layers';
import { describeModelContract } from '@tfzoo/test-harness';
import { describe, expect, it } from 'vitest';
import {
  buildResNet,
  RESNET_DEFINITIONS,
  RESNET_VARIANTS,
  type ResNetConfig,
  resnet18,
  resnet50,
  resnetFeatureInfo,
} from './index.js';

/**
 * Every code path of the builder in one narrow model (bottlenecks, groups, SE, drop path, feature
 * taps): the contract's gradient check runs on the pure-JS cpu backend, whose
 * `Conv2DBackpropFilter` is slow, so full-width variants beyond ResNet-18 at 16×16 cost too much.
 */
const TINY: ResNetConfig = {
  name: 'tiny_resnext_se',
  block: 'bottleneck',
  layers: [2, 1, 1, 2],
  channels: [8, 16, 32, 64],
  groups: 4,
  widthPerGroup: 16,
  se: { ratio: 1 / 16, divisor: 8 },
};

describeModelContract([
  {
    name: 'resnet18 16×16',
    build: () => resnet18({ inputShape: [16, 16, 3], numClasses: 5 }),
    outputShape: [5],
  },
  {
    name: 'narrow ResNeXt-SE, head',
    build: () => buildResNet(TINY, { inputShape: [32, 32, 3], numClasses: 3 }),
    outputShape: [3],
  },
  {
    name: 'narrow ResNeXt-SE, features [0, 2, 4]',
    build: () => buildResNet(TINY, { inputShape: [32, 32, 3], featuresOnly: true, outIndices: [0, 2, 4] }),
    outputShape: [
      [16, 16, 64],
      [4, 4, 64],
      [1, 1, 256],
    ],
  },
]);

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] as number);
}

function layerWeights(model: tfl.LayersModel, name: string): Float32Array {
  return model.getLayer(name).getWeights()[0]!.dataSync() as Float32Array;
}

describe('resnet builder', () => {
  it('uses torchvision layer names, explicit padding, and PyTorch batch-norm constants', () => {
    const model = resnet50({ inputShape: [64, 64, 3], skipInit: true });
    const names = model.layers.map((layer) => layer.name);
    for (const name of [
      'conv1_pad',
      'conv1',
      'bn1',
      'maxpool',
      'layer1_0_downsample_0',
      'layer1_0_downsample_1',
      'layer2_0_conv2_pad',
      'layer2_0_conv2',
      'layer4_2_bn3',
      'avgpool',
      'fc',
    ]) {
      expect(names).toContain(name);
    }
    // The stride sits on the 3×3 (v1.5): layer2.0.conv1 keeps 16×16, conv2 halves it.
    expect(model.getLayer('layer2_0_conv1').outputShape).toEqual([null, 16, 16, 128]);
    expect(model.getLayer('layer2_0_conv2').outputShape).toEqual([null, 8, 8, 128]);
    const conv = model.getLayer('layer2_0_conv2').getConfig();
    expect(conv.padding).toBe('valid');
    expect(model.getLayer('layer2_0_conv2_pad').getConfig().padding).toEqual([
      [1, 1],
      [1, 1],
    ]);
    const bn = model.getLayer('bn1').getConfig();
    expect(bn.epsilon).toBe(1e-5);
    expect(bn.momentum).toBe(0.9);
    model.dispose();
  });

  it('matches torchvision ResNet-50 MACs at 224×224 (4.09 GMACs) within 1 %', () => {
    const model = resnet50({ skipInit: true });
    expect(Math.abs(summarize(model).macs / 4.09e9 - 1)).toBeLessThan(0.01);
    model.dispose();
  });

  it('zeroInitResidual zeroes the last batch-norm γ of every branch, making each block start as the identity', () => {
    const plain = resnet18({ inputShape: [32, 32, 3] });
    expect(layerWeights(plain, 'layer1_0_bn2').every((v) => v === 1)).toBe(true);
    plain.dispose();
    const model = resnet18({ inputShape: [32, 32, 3], zeroInitResidual: true });
    for (const layer of model.layers.filter((l) => /^layer\d_\d_bn2$/.test(l.name))) {
      expect(
        layer
          .getWeights()[0]!
          .dataSync()
          .every((v) => v === 0),
      ).toBe(true);
    }
    expect(layerWeights(model, 'layer1_0_bn1').every((v) => v === 1)).toBe(true);
    // layer1 has no projection: its blocks pass the (non-negative) max-pool output through unchanged.
    const probe = tfl.model({
      inputs: model.inputs,
      outputs: [
        model.getLayer('maxpool').output as tfl.SymbolicTensor,
        model.getLayer('layer1_1_relu2').output as tfl.SymbolicTensor,
      ],
    });
    const x = tf.randomNormal([2, 32, 32, 3], 0, 1, 'float32', 3);
    const [pooled, block] = probe.predict(x) as tf.Tensor[];
    expect(maxAbsDiff(pooled!, block!)).toBe(0);
    tf.dispose([x, pooled!, block!]);
    model.dispose();
  });

  it("drop path follows timm's linear rule and only acts in training", () => {
    const model = resnet50({ inputShape: [32, 32, 3], dropPathRate: 0.3, skipInit: true });
    const rates = model.layers
      .filter((l) => l instanceof DropPath)
      .map((l) => [l.name, (l as DropPath).rate]);
    // 16 blocks: block i drops with 0.3·i/15; block 0 gets no layer (rate 0), as in timm.
    const expected: [string, number][] = [];
    let index = 0;
    RESNET_VARIANTS.resnet50.layers.forEach((count, stage) => {
      for (let block = 0; block < count; block++, index++) {
        if (index > 0) expected.push([`layer${stage + 1}_${block}_drop_path`, (0.3 * index) / 15]);
      }
    });
    expect(rates.length).toBe(expected.length);
    rates.forEach(([name, rate], i) => {
      expect(name).toBe(expected[i]![0]);
      expect(rate).toBeCloseTo(expected[i]![1], 12);
    });
    model.dispose();

    const small = resnet18({ inputShape: [32, 32, 3], dropPathRate: 0.5, numClasses: 4 });
    const x = tf.randomNormal([4, 32, 32, 3], 0, 1, 'float32', 5);
    const before = tf.memory().numTensors;
    const inference = [small.predict(x) as tf.Tensor, small.predict(x) as tf.Tensor];
    expect(maxAbsDiff(inference[0]!, inference[1]!)).toBe(0);
    const training = [0, 1, 2].map(() => small.apply(x, { training: true }) as tf.Tensor);
    expect(training.some((t) => maxAbsDiff(t, inference[0]!) > 1e-6)).toBe(true);
    tf.dispose([...inference, ...training]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(x);
    small.dispose();
  });

  it('reports its feature levels and builds only up to the last requested one', () => {
    expect(
      resnetFeatureInfo(RESNET_VARIANTS.resnet50).map(({ module, channels, stride }) => [
        module,
        channels,
        stride,
      ]),
    ).toEqual([
      ['relu', 64, 2],
      ['layer1', 256, 4],
      ['layer2', 512, 8],
      ['layer3', 1024, 16],
      ['layer4', 2048, 32],
    ]);
    const model = resnet50({
      inputShape: [64, 64, 3],
      featuresOnly: true,
      outIndices: [1, 2],
      skipInit: true,
    });
    expect(model.outputs.map((o) => o.shape)).toEqual([
      [null, 16, 16, 256],
      [null, 8, 8, 512],
    ]);
    expect(model.layers.some((l) => l.name.startsWith('layer3'))).toBe(false);
    model.dispose();
  });

  it('builds the small-image stem (3×3/1 convolution, no max pool) with narrow stages', () => {
    const options = { stem: 'small', stemWidth: 16, channels: [16, 32, 64, 128] } as const;
    const model = resnet18({ inputShape: [28, 28, 1], numClasses: 10, skipInit: true, ...options });
    expect(model.getLayer('conv1').getWeights()[0]!.shape).toEqual([3, 3, 1, 16]);
    expect(model.layers.some((l) => l.name === 'maxpool')).toBe(false);
    expect(model.getLayer('layer1_1_relu2').outputShape).toEqual([null, 28, 28, 16]);
    expect(model.getLayer('layer4_1_relu2').outputShape).toEqual([null, 4, 4, 128]);
    // Hand count: stem 28²·1·16·9 = 112,896; layer1 4 · 28²·16²·9 = 7,225,344; layer2 and layer3
    // (3×3/2 conv, 3×3 conv, 1×1/2 shortcut, one more block) 903,168 + 1,806,336 + 100,352 +
    // 3,612,672 = 6,422,528 each; layer4 at 4×4: 1,179,648 + 2,359,296 + 131,072 + 4,718,592 =
    // 8,388,608; fc 128·10 = 1,280.
    expect(summarize(model).macs).toBe(28_573_184);
    expect(
      resnetFeatureInfo(RESNET_VARIANTS.resnet18, options).map(({ channels, stride }) => [channels, stride]),
    ).toEqual([
      [16, 1],
      [16, 1],
      [32, 2],
      [64, 4],
      [128, 8],
    ]);
    model.dispose();
  });

  it('rejects bad options with errors that name the received value', () => {
    const bad: [() => unknown, string][] = [
      [
        () => resnet18({ featuresOnly: true, outIndices: [3, 1] }),
        'outIndices must be a non-empty ascending list',
      ],
      [() => resnet18({ featuresOnly: true, outIndices: [5] }), 'received [5]'],
      [() => resnet18({ dropPathRate: 1.5 }), 'dropPathRate must be a number in [0, 1); received 1.5'],
      [
        () => resnet18({ zeroInitResidual: 'yes' as never }),
        'zeroInitResidual must be a boolean; received "yes"',
      ],
      [() => resnet18({ inputShape: [64, 64] as never }), 'received [64,64]'],
      [
        () => buildResNet({ ...RESNET_VARIANTS.resnet18, groups: 32 }),
        'received {"groups":32,"widthPerGroup":64}',
      ],
      [() => buildResNet({ ...RESNET_VARIANTS.resnet18, layers: [2, 2, 2] as never }), 'received [2,2,2]'],
      [() => resnet18({ stem: 'cifar' as never }), "stem must be 'imagenet' or 'small'; received \"cifar\""],
      [() => resnet18({ stemWidth: 0 }), 'stemWidth must be a positive integer; received 0'],
      [() => resnet18({ channels: [16, 32, 64] as never }), 'received [16,32,64]'],
    ];
    for (const [build, message] of bad) {
      expect(build).toThrow(ZooError);
      expect(build).toThrow(message);
    }
  });
});

describe('registry', () => {
  it('registers every variant with its pretrained weights and the resnet mapping', () => {
    expect(listModels('res*')).toEqual([
      'resnet101',
      'resnet152',
      'resnet18',
      'resnet34',
      'resnet50',
      'resnext101_32x8d',
      'resnext101_64x4d',
      'resnext50_32x4d',
    ]);
    expect(listModels('wide_resnet*')).toEqual(['wide_resnet101_2', 'wide_resnet50_2']);
    for (const definition of Object.values(RESNET_DEFINITIONS)) {
      expect(definition.defaultMapping).toBe('resnet/torchvision');
      expect(definition.pretrained?.length).toBeGreaterThan(0);
    }
    expect(getPretrainedConfig('resnet18').id).toBe('resnet18.tv_in1k');
    expect(getPretrainedConfig('resnet50').id).toBe('resnet50.imagenet1k_v2');
    expect(resolveModelId('resnext50_32x4d.imagenet1k_v1').pretrained?.source.sha256Prefix).toBe('7cdf4587');
    const model = RESNET_DEFINITIONS.resnet34.build({
      inputShape: [32, 32, 3],
      numClasses: 3,
      skipInit: true,
    });
    expect(model.outputs[0]!.shape).toEqual([null, 3]);
    model.dispose();
  });
});
