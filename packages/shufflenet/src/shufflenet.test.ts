import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { getModelDefinition, listModels, listPretrained, summarize, ZooError } from '@tfzoo/core';
import { describeModelContract } from '@tfzoo/test-harness';
import { describe, expect, it } from 'vitest';
import {
  buildShuffleNetV1,
  ChannelSlice,
  SHUFFLENET_V1_CONFIGS,
  shuffleNetV1Config,
  shufflenetV1,
  shufflenetV2X0_5,
  shufflenetV2X1_0,
} from './index.js';

// In training mode a batch-norm followed (through a linear 1×1 convolution) by another batch-norm
// has an exactly-zero β gradient — the next batch-norm subtracts the batch mean that β shifts (the
// same holds in PyTorch): ShuffleNetV2's BN after each depthwise conv, v1's BN before the shuffle.
const LINEAR_BN_BETAS = ['branch1_1/beta', 'branch2_4/beta', 'branch_main_1_4/beta'];

describeModelContract([
  {
    name: 'shufflenet_v2_x0_5',
    build: () => shufflenetV2X0_5({ inputShape: [32, 32, 3], numClasses: 7 }),
    outputShape: [7],
    allowZeroGradient: LINEAR_BN_BETAS,
  },
  {
    name: 'shufflenet_v1_g3_x0_5',
    build: () => shufflenetV1({ width: 0.5, inputShape: [32, 32, 3], numClasses: 5, dropRate: 0.2 }),
    outputShape: [5],
    allowZeroGradient: LINEAR_BN_BETAS,
  },
]);

function macsAndParams(id: string): { macs: number; convMacs: number; params: number } {
  const model = buildShuffleNetV1(SHUFFLENET_V1_CONFIGS[id]!, { skipInit: true });
  const summary = summarize(model);
  const classifier = summary.layers.find((row) => row.name === 'classifier_0')!.macs;
  model.dispose();
  return { macs: summary.macs, convMacs: summary.macs - classifier, params: summary.trainableParams };
}

describe('ShuffleNet v1 against its paper and its reference implementation', () => {
  // Zhang et al., "ShuffleNet: An Extremely Efficient Convolutional Neural Network for Mobile
  // Devices" (arXiv:1707.01083v2), Table 1, row "Complexity", ShuffleNet 1× at 224×224, in MFLOPs
  // (the paper's FLOPs are multiply-adds). These figures agree with the MACs of the convolutions;
  // the 1000-way classifier (0.6–1.5M MACs) is not in them. Tables 2 and 5 round all five to "140".
  const TABLE1_MFLOPS: Record<number, number> = { 1: 143, 2: 140, 3: 137, 4: 133, 8: 137 };
  it('1× complexity per group count equals Table 1 within its rounding', () => {
    for (const [groups, mflops] of Object.entries(TABLE1_MFLOPS)) {
      const { convMacs } = macsAndParams(`shufflenet_v1_g${groups}_x1_0`);
      expect([groups, Math.abs(convMacs / 1e6 - mflops) <= 0.5]).toEqual([groups, true]);
    }
  });

  // Same paper, Table 5 (comparison with MobileNet) and Table 2: complexity of the scaled models,
  // in MFLOPs, here matched by the whole network's MACs (classifier included).
  const TABLE5_MFLOPS: [string, number][] = [
    ['shufflenet_v1_g3_x2_0', 524],
    ['shufflenet_v1_g3_x1_5', 292],
    ['shufflenet_v1_g4_x0_5', 38],
  ];
  it('scaled models: complexity equals the paper within its rounding', () => {
    for (const [id, mflops] of TABLE5_MFLOPS) {
      const { macs } = macsAndParams(id);
      expect([id, Math.abs(macs / 1e6 - mflops) <= 0.5]).toEqual([id, true]);
    }
  });

  // The paper lists no parameter counts; the authors' reference implementation does:
  // megvii-model/ShuffleNet-Series, ShuffleNetV1/README.md, "Results" (#Params, in millions).
  const MEGVII_PARAMS: [string, number][] = [
    ['shufflenet_v1_g3_x2_0', 5.4],
    ['shufflenet_v1_g8_x2_0', 6.5],
    ['shufflenet_v1_g3_x1_5', 3.4],
    ['shufflenet_v1_g8_x1_5', 4.3],
    ['shufflenet_v1_g3_x1_0', 1.9],
    ['shufflenet_v1_g8_x1_0', 2.4],
    ['shufflenet_v1_g3_x0_5', 0.7],
    ['shufflenet_v1_g8_x0_5', 1.0],
  ];
  it("parameter counts equal megvii's published #Params within their rounding", () => {
    for (const [id, millions] of MEGVII_PARAMS) {
      const { params } = macsAndParams(id);
      expect([id, Math.abs(params / 1e6 - millions) <= 0.05]).toEqual([id, true]);
    }
  });

  it("the width rule reproduces megvii's stage_out_channels (ShuffleNetV1/network.py) for g = 3 and 8", () => {
    const megvii: Record<string, number[]> = {
      g3_0_5: [12, 120, 240, 480],
      g3_1: [24, 240, 480, 960],
      g3_1_5: [24, 360, 720, 1440],
      g3_2: [48, 480, 960, 1920],
      g8_0_5: [16, 192, 384, 768],
      g8_1: [24, 384, 768, 1536],
      g8_1_5: [24, 576, 1152, 2304],
      g8_2: [48, 768, 1536, 3072],
    };
    for (const groups of [3, 8] as const) {
      for (const width of [0.5, 1, 1.5, 2] as const) {
        const config = shuffleNetV1Config(groups, width);
        const key = `g${groups}_${String(width).replace('.', '_')}`;
        expect([key, config.stemChannels, ...config.stageChannels]).toEqual([key, ...megvii[key]!]);
      }
    }
  });
});

describe('heads and feature maps', () => {
  it('includeTop false gives the last feature map or its global pool; softmax sums to one', () => {
    const cases: [tfl.LayersModel, (number | null)[]][] = [
      [shufflenetV2X1_0({ inputShape: [64, 64, 3], includeTop: false, skipInit: true }), [null, 2, 2, 1024]],
      [
        shufflenetV2X1_0({ inputShape: [64, 64, 3], includeTop: false, pooling: 'max', skipInit: true }),
        [null, 1024],
      ],
      [
        shufflenetV1({ groups: 4, width: 0.5, inputShape: [64, 64, 3], includeTop: false, skipInit: true }),
        [null, 2, 2, 544],
      ],
      [
        shufflenetV1({
          groups: 2,
          width: 1.5,
          inputShape: [96, 80, 3],
          includeTop: false,
          pooling: 'avg',
          skipInit: true,
        }),
        [null, 1200],
      ],
    ];
    for (const [model, shape] of cases) {
      expect(model.outputs[0]!.shape).toEqual(shape);
      model.dispose();
    }
    const model = shufflenetV1({
      groups: 1,
      inputShape: [32, 32, 3],
      numClasses: 3,
      classifierActivation: 'softmax',
    });
    const sums = tf.tidy(() =>
      tf.sum(model.predict(tf.randomNormal([2, 32, 32, 3])) as tf.Tensor, 1).arraySync(),
    );
    for (const sum of sums as number[]) expect(sum).toBeCloseTo(1, 5);
    model.dispose();
  });
});

describe('registry and metadata', () => {
  it('registers 20 ShuffleNet v1 and 4 ShuffleNetV2 ids; only the v2 ones have weights', () => {
    const ids = listModels('shufflenet*');
    expect(ids).toHaveLength(24);
    expect(ids).toContain('shufflenet_v1_g3_x1_0');
    expect(ids).toContain('shufflenet_v1_g8_x0_5');
    expect(ids).toContain('shufflenet_v2_x2_0');
    expect(listPretrained('shufflenet_v1*')).toEqual([]);
    expect(listPretrained('shufflenet_v2*')).toHaveLength(4);
    expect(getModelDefinition('shufflenet_v1_g2_x1_5').defaultMapping).toBe('shufflenet/megvii');
    expect(getModelDefinition('shufflenet_v2_x1_0').defaultMapping).toBe('shufflenet/torchvision');
  });

  it('every v1 variant keeps the bottleneck divisible by its groups', () => {
    for (const config of Object.values(SHUFFLENET_V1_CONFIGS)) {
      expect(config.stemChannels % config.groups).toBe(0);
      for (const channels of config.stageChannels) expect((channels / 4) % config.groups).toBe(0);
    }
  });
});

describe('ChannelSlice', () => {
  it('keeps the requested channels, serializes, and rejects inputs that are too narrow', () => {
    const layer = new ChannelSlice({ start: 2, size: 3, name: 'slice' });
    const out = tf.tidy(() =>
      (layer.apply(tf.reshape(tf.range(0, 8), [1, 1, 1, 8])) as tf.Tensor).dataSync(),
    );
    expect(Array.from(out)).toEqual([2, 3, 4]);
    expect(layer.getConfig()).toMatchObject({ start: 2, size: 3 });
    const input = tfl.input({ shape: [4, 4, 4] });
    expect(() => new ChannelSlice({ start: 2, size: 3 }).apply(input)).toThrow(
      'input channels must be at least start + size = 5; received 4',
    );
    expect(() => new ChannelSlice({ start: -1, size: 3 })).toThrow(
      'start must be a non-negative integer; received -1',
    );
  });
});

describe('argument errors name what was received', () => {
  it('rejects unknown groups and widths, malformed configs and options', () => {
    expect(() => shufflenetV1({ groups: 5 as never })).toThrow(ZooError);
    expect(() => shufflenetV1({ groups: 5 as never })).toThrow(
      'groups must be one of 1, 2, 3, 4, 8; received 5',
    );
    expect(() => shufflenetV1({ width: 0.75 as never })).toThrow(
      'width must be one of 0.5, 1, 1.5, 2; received 0.75',
    );
    expect(() => buildShuffleNetV1({ ...shuffleNetV1Config(3, 1), stageChannels: [240, 480, 970] })).toThrow(
      'config.stageChannels must be positive multiples of 4 · groups (12); received [240,480,970]',
    );
    expect(() => buildShuffleNetV1({ ...shuffleNetV1Config(3, 1), stemChannels: 25 })).toThrow(
      'config.stemChannels must be a positive multiple of groups (3); received 25',
    );
    expect(() => shufflenetV2X1_0({ skipInit: 'yes' as never })).toThrow(
      'skipInit must be a boolean; received "yes"',
    );
    expect(() => shufflenetV2X1_0({ inputShape: [224, 224] as never })).toThrow(
      'inputShape must be [height, width, channels]; received [224,224]',
    );
  });
});
