/**
 * MobileNet builders: the papers' and torchvision's published sizes, the reference initializations,
 * argument errors, the registry entries, and the model contract at reduced sizes.
 */
import '@tensorflow/tfjs-backend-wasm';
import '@tfzoo/wasm-training';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import {
  type BuildOptions,
  getModelDefinition,
  listModels,
  listPretrained,
  summarize,
  ZooError,
} from '@tfzoo/core';
import { describeModelContract } from '@tfzoo/test-harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildMobileNet,
  MOBILENET_TIMM_MAPPING_ID,
  type MobileNetConfig,
  mobilenetV1,
  mobilenetV1Config,
  mobilenetV2,
  mobilenetV2Config,
  mobilenetV3Config,
  mobilenetV3Large,
  mobilenetV3Small,
  namingFor,
  timmMobileNetV3Config,
} from './index.js';

beforeAll(async () => {
  // wasm (with @tfzoo/wasm-training's gradient kernels) keeps the contract's backward passes fast.
  await tf.setBackend('wasm');
  // tfjs-core's IS_TEST per-kernel leak check counts the tensors a custom gradient saves (a fused
  // conv or matmul with a linear activation) as leaks on wasm, whose Identity kernel copies instead
  // of sharing the buffer. The contract checks leaks itself (tensor counts before and after).
  tf.env().set('IS_TEST', false);
});

afterAll(async () => {
  tf.env().set('IS_TEST', true);
  await tf.setBackend('cpu');
});

function sizes(model: tfl.LayersModel): { params: number; macs: number } {
  const summary = summarize(model);
  model.dispose();
  return { params: summary.trainableParams, macs: summary.macs };
}

describe('published sizes', () => {
  // The papers print whole millions of mult-adds and do not say how they round: we accept ±1M.
  const millions = (macs: number) => macs / 1e6;

  it('MobileNetV1 matches Table 6 and Table 7 of Howard et al. (2017) within their rounding', () => {
    // Table 6 (width multiplier, 224×224): million mult-adds and million parameters.
    const table6: [number, number, number][] = [
      [1, 569, 4.2],
      [0.75, 325, 2.6],
      [0.5, 149, 1.3],
      [0.25, 41, 0.5],
    ];
    for (const [width, macs, params] of table6) {
      const got = sizes(mobilenetV1({ widthMultiplier: width }));
      expect([width, Math.round(got.params / 1e5) / 10]).toEqual([width, params]);
      expect(Math.abs(millions(got.macs) - macs)).toBeLessThan(1);
    }
    // Table 7 (resolution, width 1.0): million mult-adds.
    for (const [size, macs] of [
      [192, 418],
      [160, 290],
      [128, 186],
    ] as const) {
      expect(
        Math.abs(millions(sizes(mobilenetV1({ inputShape: [size, size, 3] })).macs) - macs),
      ).toBeLessThan(1);
    }
  });

  it("MobileNetV2 and V3 match the papers' and torchvision's published compute", () => {
    // Sandler et al. (2018), Table 4: MobileNetV2 300M mult-adds. torchvision's model docs: GFLOPS
    // (multiply-adds) 0.30, 0.22 and 0.06 for mobilenet_v2, mobilenet_v3_large, mobilenet_v3_small.
    expect(Math.abs(millions(sizes(mobilenetV2()).macs) - 300)).toBeLessThan(1);
    expect(Math.round(sizes(mobilenetV3Large()).macs / 1e7) / 100).toBe(0.22);
    expect(Math.round(sizes(mobilenetV3Small()).macs / 1e7) / 100).toBe(0.06);
  });
});

describe('initialization', () => {
  const stats = (model: tfl.LayersModel, layer: string, weight: string) =>
    tf.tidy(() => {
      const variable = model.getLayer(layer).weights.find((w) => w.originalName.endsWith(`/${weight}`))!;
      const { mean, variance } = tf.moments(variable.read());
      return {
        mean: mean.dataSync()[0]!,
        std: Math.sqrt(variance.dataSync()[0]!),
        max: tf.max(tf.abs(variable.read())).dataSync()[0]!,
      };
    });

  it('follows torchvision: He fan-out convs (depthwise fan-out C·k·k), N(0, 0.01) linear, zero biases', () => {
    const model = mobilenetV2({ inputShape: [32, 32, 3] });
    // features.2.conv.1.0: depthwise 3×3 over 96 channels, PyTorch fan_out = 96·9.
    expect(stats(model, 'features_2_conv_1_0', 'depthwise_kernel').std / Math.sqrt(2 / (96 * 9))).toBeCloseTo(
      1,
      0,
    );
    // features.2.conv.2: 1×1 conv 96 → 24, fan_out = 24.
    expect(stats(model, 'features_2_conv_2', 'kernel').std / Math.sqrt(2 / 24)).toBeCloseTo(1, 0);
    const classifier = stats(model, 'classifier_1', 'kernel');
    expect(classifier.std).toBeGreaterThan(0.0095);
    expect(classifier.std).toBeLessThan(0.0105);
    expect(stats(model, 'classifier_1', 'bias').max).toBe(0);
    expect(stats(model, 'features_2_conv_3', 'gamma').mean).toBe(1);
    model.dispose();
  });

  it("follows timm's _init_weight_goog: depthwise fan-out k·k, U(±1/√out) classifier", () => {
    const model = mobilenetV2({ inputShape: [32, 32, 3], reference: 'timm' });
    expect(stats(model, 'blocks_1_0_conv_dw', 'depthwise_kernel').std / Math.sqrt(2 / 9)).toBeCloseTo(1, 0);
    const classifier = stats(model, 'classifier', 'kernel');
    expect(classifier.max).toBeLessThanOrEqual(1 / Math.sqrt(1000));
    expect(classifier.std / (1 / Math.sqrt(3000))).toBeCloseTo(1, 1);
    model.dispose();
  });
});

describe('builders', () => {
  it('are registered under torchvision and timm ids, with the mapping of their layout', () => {
    expect(listModels(['mobilenet*'])).toEqual([
      'mobilenet_v1',
      'mobilenet_v2',
      'mobilenet_v3_large',
      'mobilenet_v3_small',
      'mobilenetv1_100',
      'mobilenetv2_100',
      'mobilenetv3_large_075',
      'mobilenetv3_large_100',
      'mobilenetv3_large_150d',
      'mobilenetv3_rw',
      'mobilenetv3_small_050',
      'mobilenetv3_small_075',
      'mobilenetv3_small_100',
    ]);
    expect(listModels(['tf_mobilenetv3*'])).toEqual([
      'tf_mobilenetv3_large_075',
      'tf_mobilenetv3_large_100',
      'tf_mobilenetv3_large_minimal_100',
      'tf_mobilenetv3_small_075',
      'tf_mobilenetv3_small_100',
      'tf_mobilenetv3_small_minimal_100',
    ]);
    expect(listPretrained('mobilenet*')).toEqual([
      'mobilenet_v2.imagenet1k_v1',
      'mobilenet_v2.imagenet1k_v2',
      'mobilenet_v3_large.imagenet1k_v1',
      'mobilenet_v3_large.imagenet1k_v2',
      'mobilenet_v3_small.imagenet1k_v1',
      'mobilenetv1_100.ra4_e3600_r224_in1k',
      'mobilenetv2_100.ra_in1k',
      'mobilenetv3_large_100.miil_in21k_ft_in1k',
      'mobilenetv3_large_100.ra4_e3600_r224_in1k',
      'mobilenetv3_large_100.ra_in1k',
      'mobilenetv3_large_150d.ra4_e3600_r256_in1k',
      'mobilenetv3_rw.rmsp_in1k',
      'mobilenetv3_small_050.lamb_in1k',
      'mobilenetv3_small_075.lamb_in1k',
      'mobilenetv3_small_100.lamb_in1k',
    ]);
    expect(listPretrained('tf_mobilenetv3*')).toHaveLength(6);
    const timm = getModelDefinition('mobilenetv3_large_100');
    expect(timm.defaultMapping).toBe(MOBILENET_TIMM_MAPPING_ID);
    const model = timm.build({ inputShape: [32, 32, 3] });
    expect(model.name).toBe('mobilenetv3_large_100');
    expect(model.getLayer('conv_head').getClassName()).toBe('Conv2D');
    expect(model.getLayer('blocks_6_0_bn1').getConfig().epsilon).toBe(1e-5);
    model.dispose();
    const torchvision = mobilenetV3Large({ inputShape: [32, 32, 3] });
    expect(torchvision.getLayer('features_16_1').getConfig()).toMatchObject({
      epsilon: 1e-3,
      momentum: 0.99,
    });
    expect(torchvision.getLayer('classifier_0').getClassName()).toBe('Dense');
    torchvision.dispose();
  });

  it('build features without the top: the last map, or pooled', () => {
    const cases: [tfl.LayersModel, (number | null)[]][] = [
      [mobilenetV1({ includeTop: false, inputShape: [64, 64, 3] }), [null, 2, 2, 1024]],
      [mobilenetV2({ includeTop: false, pooling: 'avg', inputShape: [64, 64, 3] }), [null, 1280]],
      [mobilenetV3Large({ includeTop: false, pooling: 'max', inputShape: [64, 64, 3] }), [null, 960]],
      [mobilenetV3Small({ includeTop: false, inputShape: [65, 65, 3] }), [null, 3, 3, 576]],
    ];
    for (const [model, shape] of cases) {
      expect(model.outputs[0]!.shape).toEqual(shape);
      model.dispose();
    }
  });

  it('MobileNetV1 uses the activation asked for and has no residuals', () => {
    const model = mobilenetV1({ activation: 'relu', widthMultiplier: 0.25, inputShape: [32, 32, 3] });
    const classes = model.layers.map((layer) => layer.getClassName());
    expect(classes).toContain('ReLU');
    expect(classes.some((c) => c.includes('ReLU6'))).toBe(false);
    expect(classes).not.toContain('Add');
    model.dispose();
  });

  it('output probabilities when asked', () => {
    const model = mobilenetV3Small({
      inputShape: [32, 32, 3],
      numClasses: 4,
      classifierActivation: 'softmax',
    });
    const sums = tf.tidy(() =>
      tf.sum(model.predict(tf.randomNormal([2, 32, 32, 3])) as tf.Tensor, 1).dataSync(),
    );
    for (const sum of sums) expect(sum).toBeCloseTo(1, 5);
    model.dispose();
  });

  it('reject malformed options and configurations, naming them', () => {
    expect(() => mobilenetV2({ widthMultiplier: 0 })).toThrow(ZooError);
    expect(() => mobilenetV2({ widthMultiplier: 0 })).toThrow(
      'widthMultiplier must be a positive number (0.25–1.0 in the paper); received 0',
    );
    expect(() => mobilenetV3Large({ reference: 'keras' as never })).toThrow(
      `reference must be 'torchvision' or 'timm'; received "keras"`,
    );
    expect(() => mobilenetV1({ activation: 'gelu' as never })).toThrow(
      `activation must be 'relu6' or 'relu'; received "gelu"`,
    );
    expect(() => mobilenetV2({ inputShape: [224, 224] as never })).toThrow('received [224,224]');
    expect(() => buildMobileNet({} as never)).toThrow('config must be a MobileNetConfig');
    expect(() => getModelDefinition('mobilenetv2_100').build({ widthMultiplier: 0.5 })).toThrow(
      "widthMultiplier of mobilenetv2_100 must be 1 (timm's width-1.0 architecture",
    );
    expect(() => getModelDefinition('mobilenetv1_100').build({ reference: 'torchvision' })).toThrow(
      "reference of mobilenetv1_100 must be 'timm'",
    );
    expect(mobilenetV2Config({ reference: 'timm', widthMultiplier: 1.4 }).name).toBe('mobilenetv2_140');
    expect(() => getModelDefinition('mobilenetv3_small_075').build({ widthMultiplier: 1 })).toThrow(
      "widthMultiplier of mobilenetv3_small_075 must be 0.75 (timm's width-0.75 architecture",
    );
    expect(() => getModelDefinition('tf_mobilenetv3_small_100').build({ numClases: 5 } as never)).toThrow(
      'unknown option "numClases" for tf_mobilenetv3_small_100; did you mean "numClasses"?',
    );
    // The timm reference of the width-generic builder is timm's definition at that width.
    expect(mobilenetV3Config('small', { reference: 'timm', widthMultiplier: 0.5 })).toEqual(
      timmMobileNetV3Config({ size: 'small', widthMultiplier: 0.5 }),
    );
    expect(timmMobileNetV3Config({ size: 'small', widthMultiplier: 0.5 }).name).toBe('mobilenetv3_small_050');
    // timm's _150d weights are 256×256: the id's default input.
    const large150d = getModelDefinition('mobilenetv3_large_150d').build({ skipInit: true });
    expect(large150d.inputs[0]!.shape).toEqual([null, 256, 256, 3]);
    large150d.dispose();
    expect(() => timmMobileNetV3Config({ size: 'small', rw: true })).toThrow('rw must be true only for size');
    expect(() => timmMobileNetV3Config({ size: 'large', depthMultiplier: 0 })).toThrow(
      'depthMultiplier must be a positive number',
    );
    expect(() => buildMobileNet({ ...mobilenetV2Config(), padding: 'reflect' as never })).toThrow(
      "config.padding must be 'symmetric' or 'tf-same'",
    );
    const config = mobilenetV2Config();
    const withSe = {
      ...config,
      stages: [[{ ...config.stages[0]![0]!, se: true }], ...config.stages.slice(1)],
    };
    expect(() => buildMobileNet(withSe)).toThrow(
      'the torchvision-v2 layout has no module for squeeze-and-excitation',
    );
    const evenKernel = { ...config, stages: [[{ ...config.stages[0]![0]!, kernelSize: 4 }]] };
    expect(() => buildMobileNet(evenKernel)).toThrow(
      'config.stages[0][0].kernelSize must be an odd kernel size',
    );
  });
});

const small: [number, number, number] = [32, 32, 3];

/**
 * The shift β of a block's projection batch norm reaches the loss only through linear 1×1
 * convolutions (the next blocks' expansions, or the head) into another training-mode batch norm,
 * whose mean subtraction cancels it: its gradient is zero in exact arithmetic (in PyTorch too), and
 * at these small sizes sometimes exactly zero in float32. Those weights may have zero gradients.
 */
function cancelledProjectionShifts(config: MobileNetConfig): string[] {
  const naming = namingFor(config.layout);
  const names: string[] = [];
  let global = 0;
  config.stages.forEach((stage, s) => {
    stage.forEach((block, index) => {
      const layers = naming.block(block.kind, { stage: s, index, global: global++ }, block.se === true);
      if (layers.project && !block.pointwiseActivation) names.push(`${layers.project.bn}/beta`);
    });
  });
  return names;
}

function contractEntry(name: string, config: MobileNetConfig, options: BuildOptions, outputShape: number[]) {
  return {
    name,
    build: () => buildMobileNet(config, { inputShape: small, ...options }),
    outputShape,
    allowZeroGradient: cancelledProjectionShifts(config),
  };
}

describeModelContract([
  contractEntry(
    'mobilenet_v1 ×0.25, ReLU, 32×32, 5 classes',
    mobilenetV1Config({ widthMultiplier: 0.25, activation: 'relu' }),
    { numClasses: 5 },
    [5],
  ),
  contractEntry(
    'mobilenet_v2 ×0.5, 32×32, 5 classes',
    mobilenetV2Config({ widthMultiplier: 0.5 }),
    { numClasses: 5 },
    [5],
  ),
  contractEntry(
    'mobilenetv2_035 (timm layout), 32×32, 3 classes',
    mobilenetV2Config({ reference: 'timm', widthMultiplier: 0.35 }),
    { numClasses: 3 },
    [3],
  ),
  contractEntry('mobilenet_v3_small, 32×32, 5 classes', mobilenetV3Config('small'), { numClasses: 5 }, [5]),
  contractEntry(
    'mobilenetv3_large_050 (timm layout), 32×32, 5 classes',
    mobilenetV3Config('large', { reference: 'timm', widthMultiplier: 0.5 }),
    { numClasses: 5 },
    [5],
  ),
  contractEntry(
    'mobilenet_v3_large ×0.5 features, avg pooling',
    mobilenetV3Config('large', { widthMultiplier: 0.5 }),
    { includeTop: false, pooling: 'avg' },
    [480],
  ),
]);
