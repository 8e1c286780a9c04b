/**
 * Numerical parity with PyTorch (float64 reference): forward output, input gradient and weight
 * gradients of every layer on random inputs, max abs error ≤ 1e-5 × the reference's scale.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { activate } from './activations.js';
import { AdaptiveAveragePooling2D, AdaptiveMaxPooling2D } from './adaptive-pooling.js';
import { ChannelAffine } from './channel-affine.js';
import { ChannelShuffle } from './channel-shuffle.js';
import { ChannelSlice } from './channel-slice.js';
import { GroupConv2D, type GroupConv2DArgs } from './group-conv2d.js';
import * as layers from './index.js';
import { LocalResponseNormalization } from './local-response-normalization.js';
import { Maxout } from './maxout.js';
import { PaddedAveragePooling2D, PaddedMaxPooling2D } from './pooling.js';
import { SqueezeExcite } from './squeeze-excite.js';
import {
  maxError,
  randomNormal,
  runTorch,
  type TensorData,
  type TorchCase,
  type TorchResult,
} from './test/torch.js';

interface ParityCase {
  id: string;
  kind: string;
  config?: Record<string, unknown>;
  inputShape: number[];
  /** Input scale (activations need values on both sides of their kinks). */
  inputScale?: number;
  make: () => tfl.layers.Layer;
  /** Weight shapes in the TF.js layout, by short name. */
  weights?: Record<string, number[]>;
}

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
let seed = 1;
const random = (shape: number[], scale = 1): TensorData => ({
  shape,
  data: randomNormal(size(shape), seed++, scale),
});

const cases: ParityCase[] = [];

function conv(id: string, inputShape: number[], args: GroupConv2DArgs, padding: 'same' | number[]): void {
  const kernelSize =
    typeof args.kernelSize === 'number' ? [args.kernelSize, args.kernelSize] : args.kernelSize;
  const strides =
    args.strides === undefined
      ? [1, 1]
      : typeof args.strides === 'number'
        ? [args.strides, args.strides]
        : args.strides;
  const dilation =
    args.dilationRate === undefined
      ? [1, 1]
      : typeof args.dilationRate === 'number'
        ? [args.dilationRate, args.dilationRate]
        : args.dilationRate;
  const groups = args.groups ?? 1;
  const weights: Record<string, number[]> = {
    kernel: [
      kernelSize[0] as number,
      kernelSize[1] as number,
      (inputShape[3] as number) / groups,
      args.filters,
    ],
  };
  if (args.useBias ?? true) weights.bias = [args.filters];
  cases.push({
    id: `groupConv2d ${id}`,
    kind: 'groupConv2d',
    config: { kernelSize, strides, dilation, groups, padding },
    inputShape,
    make: () => new GroupConv2D(args),
    weights,
  });
}

conv('groups=1 k3 pad1', [2, 7, 6, 4], { filters: 5, kernelSize: 3, padding: 1 }, [1, 1, 1, 1]);
conv(
  'groups=2 k3 s2 pad[1,1]',
  [2, 9, 8, 8],
  { filters: 6, kernelSize: 3, strides: 2, padding: [1, 1], groups: 2 },
  [1, 1, 1, 1],
);
conv(
  'groups=4 k3 dilation2 pad2',
  [1, 9, 9, 8],
  { filters: 8, kernelSize: 3, dilationRate: 2, padding: 2, groups: 4 },
  [2, 2, 2, 2],
);
conv(
  'depthwise m=2 k3 s2 pad1',
  [2, 9, 7, 8],
  { filters: 16, kernelSize: 3, strides: 2, padding: 1, groups: 8 },
  [1, 1, 1, 1],
);
conv(
  'depthwise k5 dilation2 pad[4,4,2,3]',
  [1, 10, 9, 6],
  { filters: 6, kernelSize: 5, dilationRate: 2, padding: [4, 4, 2, 3], groups: 6 },
  [4, 4, 2, 3],
);
conv(
  'groups=2 k[3,1] s[2,1] same',
  [2, 8, 7, 4],
  { filters: 4, kernelSize: [3, 1], strides: [2, 1], padding: 'same', groups: 2 },
  'same',
);
conv(
  'groups=4 s2 and dilation2 no bias',
  [1, 11, 10, 8],
  { filters: 12, kernelSize: 3, strides: 2, dilationRate: 2, padding: 2, groups: 4, useBias: false },
  [2, 2, 2, 2],
);
conv('groups=3 1x1', [2, 5, 5, 12], { filters: 24, kernelSize: 1, groups: 3 }, [0, 0, 0, 0]);
conv(
  'depthwise k3 s2 same',
  [2, 8, 8, 4],
  { filters: 4, kernelSize: 3, strides: 2, padding: 'same', groups: 4 },
  'same',
);
conv(
  'groups=32 (ResNeXt) k3 pad1',
  [1, 5, 5, 64],
  { filters: 64, kernelSize: 3, padding: 1, groups: 32 },
  [1, 1, 1, 1],
);

// torchvision's ShuffleNetV2 channel split, `x1, x2 = x.chunk(2, dim=1)`: one ChannelSlice per half.
for (const chunk of [0, 1]) {
  cases.push({
    id: `channelSlice chunk ${chunk} of 2`,
    kind: 'channelSlice',
    config: { chunks: 2, chunk },
    inputShape: [2, 3, 4, 10],
    make: () => new ChannelSlice({ start: 5 * chunk, size: 5 }),
  });
}

// torchvision's GoogLeNet._transform_input (ImageNet mean and std hard-coded there), as the
// ChannelAffine that @tfzoo/googlenet builds from the same constants.
const IMAGENET_MEAN = [0.485, 0.456, 0.406];
const IMAGENET_STD = [0.229, 0.224, 0.225];
cases.push({
  id: 'channelAffine googlenet transform_input',
  kind: 'channelAffine',
  inputShape: [2, 5, 5, 3],
  make: () =>
    new ChannelAffine({
      scale: IMAGENET_STD.map((s) => s / 0.5),
      shift: IMAGENET_MEAN.map((m) => (m - 0.5) / 0.5),
    }),
});

cases.push({
  id: 'channelShuffle groups=3',
  kind: 'channelShuffle',
  config: { groups: 3 },
  inputShape: [2, 3, 4, 12],
  make: () => new ChannelShuffle({ groups: 3 }),
});

for (const [size, alpha, beta, k] of [
  [5, 0.5, 0.75, 2],
  [4, 0.3, 0.6, 1.5],
  [3, 1e-4, 0.75, 1],
  [6, 1, 0.9, 1],
] as const) {
  cases.push({
    id: `lrn size=${size} alpha=${alpha} beta=${beta} k=${k}`,
    kind: 'lrn',
    config: { size, alpha, beta, k },
    inputShape: [2, 4, 3, 10],
    inputScale: 2,
    make: () => new LocalResponseNormalization({ size, alpha, beta, k }),
  });
}

for (const [id, channels, reduced, activation, gate] of [
  ['torchvision MobileNetV3 (relu, hardSigmoid)', 16, 8, 'relu', 'hardSigmoid'],
  ['timm EfficientNet-style (silu, sigmoid)', 12, 3, 'silu', 'sigmoid'],
  ['legacy SENet (relu, sigmoid)', 16, 4, 'relu', 'sigmoid'],
] as const) {
  cases.push({
    id: `squeezeExcite ${id}`,
    kind: 'squeezeExcite',
    config: { activation, gate },
    inputShape: [2, 4, 3, channels],
    make: () =>
      channels === 16 && reduced === 8
        ? new SqueezeExcite({ activation, gate }) // makeDivisible(16 / 4, 8) = 8
        : new SqueezeExcite({ reducedChannels: reduced, activation, gate }),
    weights: {
      fc1_kernel: [channels, reduced],
      fc1_bias: [reduced],
      fc2_kernel: [reduced, channels],
      fc2_bias: [channels],
    },
  });
}

cases.push({
  id: 'maxout numPieces=2',
  kind: 'maxout',
  config: { numPieces: 2 },
  inputShape: [2, 3, 3, 8],
  make: () => new Maxout({ numPieces: 2 }),
});
cases.push({
  id: 'maxout numPieces=3 rank 2',
  kind: 'maxout',
  config: { numPieces: 3 },
  inputShape: [4, 9],
  make: () => new Maxout({ numPieces: 3 }),
});

const activationLayers: Record<string, () => tfl.layers.Layer> = {
  relu6: () => layers.relu6(),
  hardSigmoid: () => layers.hardSigmoid(),
  hardSwish: () => layers.hardSwish(),
  silu: () => layers.silu(),
  mish: () => layers.mish(),
  gelu: () => layers.gelu(),
  geluTanh: () => layers.gelu({ approximate: 'tanh' }),
};
for (const [name, make] of Object.entries(activationLayers)) {
  cases.push({
    id: `activation ${name}`,
    kind: 'activation',
    config: { name },
    inputShape: [3, 4, 5, 6],
    inputScale: 4,
    make,
  });
}

for (const [id, inputShape, poolSize, strides, padding, ceilMode] of [
  ['k3 s2 pad1', [2, 9, 8, 3], 3, 2, 1, false],
  ['k3 s2 ceil (GoogLeNet)', [2, 10, 9, 3], 3, 2, 0, true],
  ['k3 s2 pad1 ceil', [1, 8, 10, 3], 3, 2, 1, true],
  ['k2 s2 ceil odd', [2, 7, 5, 2], 2, 2, 0, true],
  ['k[3,2] s[2,1] pad[1,0]', [1, 8, 7, 3], [3, 2], [2, 1], [1, 0], false],
] as const) {
  const torchPad = typeof padding === 'number' ? [padding, padding] : padding;
  const pair = (v: number | readonly number[]) => (typeof v === 'number' ? [v, v] : [...v]);
  cases.push({
    id: `maxPool ${id}`,
    kind: 'maxPool',
    config: { poolSize: pair(poolSize), strides: pair(strides), padding: torchPad, ceilMode },
    inputShape: [...inputShape],
    make: () =>
      new PaddedMaxPooling2D({
        poolSize: pair(poolSize) as [number, number],
        strides: pair(strides) as [number, number],
        padding: pair(padding) as [number, number],
        ceilMode,
      }),
  });
  for (const countIncludePad of [true, false]) {
    cases.push({
      id: `avgPool ${id} countIncludePad=${countIncludePad}`,
      kind: 'avgPool',
      config: {
        poolSize: pair(poolSize),
        strides: pair(strides),
        padding: torchPad,
        ceilMode,
        countIncludePad,
      },
      inputShape: [...inputShape],
      make: () =>
        new PaddedAveragePooling2D({
          poolSize: pair(poolSize) as [number, number],
          strides: pair(strides) as [number, number],
          padding: pair(padding) as [number, number],
          ceilMode,
          countIncludePad,
        }),
    });
  }
}

for (const [inputShape, outputSize] of [
  [
    [2, 7, 5, 3],
    [3, 2],
  ],
  [
    [1, 10, 10, 2],
    [4, 3],
  ],
  [
    [2, 6, 6, 2],
    [3, 3],
  ],
  [
    [1, 5, 5, 2],
    [7, 7],
  ],
  [
    [1, 13, 11, 2],
    [6, 6],
  ],
] as const) {
  const label = `${inputShape[1]}x${inputShape[2]}→${outputSize[0]}x${outputSize[1]}`;
  cases.push({
    id: `adaptiveAvgPool ${label}`,
    kind: 'adaptiveAvgPool',
    config: { outputSize: [...outputSize] },
    inputShape: [...inputShape],
    make: () => new AdaptiveAveragePooling2D({ outputSize: [...outputSize] as [number, number] }),
  });
  cases.push({
    id: `adaptiveMaxPool ${label}`,
    kind: 'adaptiveMaxPool',
    config: { outputSize: [...outputSize] },
    inputShape: [...inputShape],
    make: () => new AdaptiveMaxPooling2D({ outputSize: [...outputSize] as [number, number] }),
  });
}

interface Prepared {
  spec: ParityCase;
  torch: TorchCase;
}

const prepared: Prepared[] = cases.map((spec) => {
  const x = random(spec.inputShape, spec.inputScale ?? 1);
  const weights: Record<string, TensorData> = {};
  for (const [name, shape] of Object.entries(spec.weights ?? {})) weights[name] = random(shape, 0.5);
  // The upstream gradient has the output's shape: computed by the layer's own shape inference.
  const outShape = spec.make().computeOutputShape([null, ...spec.inputShape.slice(1)]) as (number | null)[];
  const dy = random([spec.inputShape[0] as number, ...(outShape.slice(1) as number[])]);
  return { spec, torch: { id: spec.id, kind: spec.kind, config: spec.config ?? {}, x, dy, weights } };
});

let reference: Map<string, TorchResult>;

beforeAll(() => {
  reference = runTorch(prepared.map((p) => p.torch));
});

function check(what: string, actual: ArrayLike<number>, expected: number[]): void {
  const { error, scale } = maxError(actual, expected);
  expect(error, `${what}: max abs error ${error} at scale ${scale}`).toBeLessThanOrEqual(
    1e-5 * Math.max(scale, 1e-6),
  );
}

describe('PyTorch parity (forward, input and weight gradients)', () => {
  it('covers every layer kind', () => {
    expect(new Set(cases.map((c) => c.kind)).size).toBe(12);
  });

  for (const { spec, torch } of prepared) {
    it(spec.id, () => {
      const expected = reference.get(spec.id);
      expect(expected, 'PyTorch result').toBeDefined();
      const before = tf.memory().numTensors;
      const layer = spec.make();
      const x = tf.tensor(torch.x.data, torch.x.shape);
      const dy = tf.tensor(torch.dy.data, torch.dy.shape);
      tf.dispose(layer.apply(x) as tf.Tensor); // builds the weights
      const names = layer.weights.map((w) => w.originalName.split('/').pop() as string);
      expect(names.sort()).toEqual(Object.keys(spec.weights ?? {}).sort());
      const values = layer.weights.map((w) => {
        const data = torch.weights?.[w.originalName.split('/').pop() as string] as TensorData;
        return tf.tensor(data.data, data.shape);
      });
      layer.setWeights(values);
      tf.dispose(values);
      const y = layer.apply(x) as tf.Tensor;
      expect(y.shape).toEqual(expected?.y.shape);
      check('output', y.dataSync(), expected?.y.data ?? []);
      const dx = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(layer.apply(input) as tf.Tensor, dy)))(x);
      check('input gradient', dx.dataSync(), expected?.dx ?? []);
      if (layer.trainableWeights.length > 0) {
        const variables = layer.trainableWeights.map((w) => w.read() as tf.Variable);
        const { value, grads } = tf.variableGrads(
          () => tf.sum(tf.mul(layer.apply(x) as tf.Tensor, dy)),
          variables,
        );
        for (const w of layer.trainableWeights) {
          const name = w.originalName.split('/').pop() as string;
          check(
            `${name} gradient`,
            (grads[(w.read() as tf.Variable).name] as tf.Tensor).dataSync(),
            expected?.grads[name] ?? [],
          );
        }
        value.dispose();
        tf.dispose(Object.values(grads));
      }
      tf.dispose([x, dy, y, dx]);
      layer.dispose();
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  it('activate() by name equals the layers', () => {
    const x = tf.tensor(randomNormal(64, 99, 4));
    for (const name of ['relu6', 'hardSigmoid', 'hardSwish', 'silu', 'mish', 'gelu', 'geluTanh'] as const) {
      const viaLayer = activationLayers[name]?.().apply(x) as tf.Tensor;
      const viaFn = activate(x, name);
      expect(Array.from(viaFn.dataSync())).toEqual(Array.from(viaLayer.dataSync()));
      tf.dispose([viaLayer, viaFn]);
    }
    x.dispose();
  });
});
