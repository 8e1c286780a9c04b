/**
 * SqueezeNet against torchvision 0.14: logits of random-weight models loaded from `torch.save`d
 * files through core's loader and the `squeezenet/torchvision` mapping, feature-map shapes (ceil-mode
 * pools), parameter counts and pretrained metadata against torchvision's own figures; plus the model
 * contract at reduced sizes.
 */
import '@tensorflow/tfjs-backend-wasm';
import '@tfzoo/wasm-training';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import {
  getPretrainedConfig,
  listModels,
  listPretrained,
  loadWeights,
  summarize,
  ZooError,
} from '@tfzoo/core';
import { compare, describeModelContract, predictValues, ReferenceSession } from '@tfzoo/test-harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildSqueezeNet,
  SQUEEZENET_CONFIGS,
  SQUEEZENET_MAPPING_ID,
  squeezenet1_0,
  squeezenet1_1,
} from './index.js';

/** An odd size where ceil-mode and floor-mode pools give different feature maps. */
const SIZE = 67;
const ARCHS = ['squeezenet1_0', 'squeezenet1_1'] as const;

let torch: ReferenceSession;
let input: tf.Tensor4D;

beforeAll(async () => {
  // wasm (with @tfzoo/wasm-training's gradient kernels) is ~50× faster than cpu for the contract's
  // backward passes.
  await tf.setBackend('wasm');
  // Random weights and random biases (torchvision zeroes them, which would hide a misplaced bias).
  torch = await ReferenceSession.start({
    input: { shape: [2, SIZE, SIZE, 3], seed: 1234 },
    models: ARCHS.map((arch) => ({
      id: arch,
      arch,
      randomize: 'batchNormAndBiases',
      features: { features: 'features' },
    })),
    weights: [...ARCHS],
  });
  input = torch.inputTensor();
});

afterAll(async () => {
  torch?.close();
  input?.dispose();
  await tf.setBackend('cpu');
});

describe('parity with torchvision', () => {
  for (const arch of ARCHS) {
    it(`${arch} loaded from a torch.save'd .pth reproduces torchvision's logits`, async () => {
      const model = buildSqueezeNet(SQUEEZENET_CONFIGS[arch], { inputShape: [SIZE, SIZE, 3] });
      const before = tf.memory().numTensors;
      const report = await loadWeights(model, torch.file(arch), { mapping: SQUEEZENET_MAPPING_ID });
      expect(report.unused).toEqual([]);
      expect(report.unfilled).toEqual([]);
      expect(report.loaded.length).toBe(model.weights.length);
      expect(tf.memory().numTensors).toBe(before);
      const { maxError, scale } = compare(predictValues(model, input), torch.logits(arch));
      expect(scale).toBeGreaterThan(0);
      expect(maxError).toBeLessThanOrEqual(1e-4 * scale);
      expect(tf.memory().numTensors).toBe(before);
      model.dispose();
    });

    it(`${arch} has torchvision's feature-map shape at ${SIZE}×${SIZE} (ceil-mode pools)`, () => {
      const model = buildSqueezeNet(SQUEEZENET_CONFIGS[arch], {
        inputShape: [SIZE, SIZE, 3],
        includeTop: false,
      });
      const [, channels, height, width] = torch.models[arch]!.features!.features!;
      expect(model.outputs[0]!.shape.slice(1)).toEqual([height, width, channels]);
      model.dispose();
    });

    it(`${arch} has torchvision's parameter count and pretrained metadata`, () => {
      const model = buildSqueezeNet(SQUEEZENET_CONFIGS[arch], { inputShape: [64, 64, 3] });
      expect(summarize(model).trainableParams).toBe(torch.models[arch]!.params);
      model.dispose();
      const config = getPretrainedConfig(arch);
      const upstream = torch.weights[`${arch}.imagenet1k_v1`]!;
      expect(config.id).toBe(`${arch}.imagenet1k_v1`);
      expect(config.source.url).toBe(upstream.url);
      expect(upstream.url).toContain(`-${config.source.sha256Prefix}.pth`);
      expect(config.numParams).toBe(upstream.numParams);
      expect(config.accuracy?.top1).toBe(upstream.top1);
      expect(config.accuracy?.top5).toBe(upstream.top5);
      expect(config.preprocessing.inputSize).toEqual([upstream.cropSize, upstream.cropSize, 3]);
      expect(config.preprocessing.resizeSize).toBe(upstream.resizeSize);
      expect(config.preprocessing.interpolation).toBe(upstream.interpolation);
      expect(config.preprocessing.mean).toEqual(upstream.mean);
      expect(config.preprocessing.std).toEqual(upstream.std);
      expect(config.labels).toHaveLength(upstream.categories.length);
      expect(config.mapping).toBe(SQUEEZENET_MAPPING_ID);
    });
  }

  it('reports the tensors that do not fit when a file belongs to the other version', async () => {
    const model = squeezenet1_1({ inputShape: [SIZE, SIZE, 3] });
    const error = await loadWeights(model, torch.file('squeezenet1_0'), {
      mapping: SQUEEZENET_MAPPING_ID,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ZooError);
    expect((error as ZooError).code).toBe('WEIGHTS_MISMATCH');
    expect((error as ZooError).message).toContain('features.0.weight is [96,3,7,7]');
    model.dispose();
  });
});

describe('squeezenet builders', () => {
  it('are registered with their pretrained weights and mapping', () => {
    expect(listModels('squeezenet*')).toEqual(['squeezenet1_0', 'squeezenet1_1']);
    expect(listPretrained('squeezenet*')).toEqual([
      'squeezenet1_0.imagenet1k_v1',
      'squeezenet1_1.imagenet1k_v1',
    ]);
  });

  it('initialize like torchvision: Kaiming-uniform convs, N(0, 0.01) final conv, zero biases', () => {
    const model = squeezenet1_1({ inputShape: [64, 64, 3] });
    const stats = (layer: string, weight: string) =>
      tf.tidy(() => {
        const variable = model.getLayer(layer).weights.find((w) => w.originalName.endsWith(`/${weight}`))!;
        const { mean, variance } = tf.moments(variable.read());
        return {
          mean: mean.dataSync()[0]!,
          std: Math.sqrt(variance.dataSync()[0]!),
          max: tf.max(tf.abs(variable.read())).dataSync()[0]!,
        };
      });
    // kaiming_uniform_: U(±√(6/fan_in)), std √(2/fan_in); fan_in of features.6.expand3x3 is 32·9.
    const expand = stats('features_6_expand3x3', 'kernel');
    expect(expand.max).toBeLessThanOrEqual(Math.sqrt(6 / 288));
    expect(expand.std).toBeCloseTo(Math.sqrt(2 / 288), 2);
    const head = stats('classifier_1', 'kernel');
    expect(head.std).toBeGreaterThan(0.009);
    expect(head.std).toBeLessThan(0.011);
    expect(stats('features_6_expand3x3', 'bias').max).toBe(0);
    expect(stats('classifier_1', 'bias').max).toBe(0);
    model.dispose();
  });

  it('reject inputs smaller than torchvision accepts and malformed options, naming them', () => {
    expect(() => squeezenet1_0({ inputShape: [20, 20, 3] })).toThrow(ZooError);
    // torchvision's min_size: 21 for 1.0, 17 for 1.1.
    expect(() => squeezenet1_0({ inputShape: [20, 20, 3] })).toThrow(
      'inputShape must be height and width of at least 21 for squeezenet1_0; received [20,20,3]',
    );
    expect(() => squeezenet1_0({ inputShape: [21, 21, 3] }).dispose()).not.toThrow();
    expect(() => squeezenet1_1({ inputShape: [16, 16, 3] })).toThrow('received [16,16,3]');
    expect(() => squeezenet1_1({ inputShape: [17, 17, 3] }).dispose()).not.toThrow();
    expect(() => squeezenet1_1({ dropRate: 1 })).toThrow('dropRate must be a number in [0, 1); received 1');
    expect(() => buildSqueezeNet({} as never)).toThrow('config must be a SqueezeNetConfig');
  });

  it('output probabilities when asked and a pooled feature vector without the top', () => {
    const model = squeezenet1_1({ inputShape: [32, 32, 3], numClasses: 5, classifierActivation: 'softmax' });
    const sums = tf.tidy(() =>
      tf.sum(model.predict(tf.randomNormal([2, 32, 32, 3])) as tf.Tensor, 1).dataSync(),
    );
    for (const sum of sums) expect(sum).toBeCloseTo(1, 5);
    model.dispose();
    const features = squeezenet1_0({ includeTop: false, pooling: 'max', inputShape: [64, 64, 3] });
    expect(features.outputs[0]!.shape).toEqual([null, 512]);
    features.dispose();
  });
});

const contract = (name: string, build: () => tfl.LayersModel, outputShape: number[]) => ({
  name,
  build,
  outputShape,
});
describeModelContract([
  contract(
    'squeezenet1_0 at 48×48, 7 classes',
    () => squeezenet1_0({ inputShape: [48, 48, 3], numClasses: 7 }),
    [7],
  ),
  contract(
    'squeezenet1_1 at 40×40, 5 classes, no dropout',
    () => squeezenet1_1({ inputShape: [40, 40, 3], numClasses: 5, dropRate: 0 }),
    [5],
  ),
  contract(
    'squeezenet1_1 features, avg pooling',
    () => squeezenet1_1({ inputShape: [40, 40, 3], includeTop: false, pooling: 'avg' }),
    [512],
  ),
]);
