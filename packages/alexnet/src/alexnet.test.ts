import { getPretrainedConfig, IMAGENET_CLASSES, listModels, summarize, ZooError } from '@tfzoo/core';
import { describeModelContract } from '@tfzoo/test-harness';
import { describe, expect, it } from 'vitest';
import { ALEXNET_CONFIGS, ALEXNET_FAMILY, alexnet, alexnetDefinition, alexnetFromConfig } from './index.js';

// The contract runs the builder's every path (strided padded conv, grouped conv, LRN, pools, both
// classifier orders, the headless model) on narrow configurations: the pure-JS cpu backend computes
// convolution filter gradients slowly, and the full widths are checked by the parity tests.
const narrow = (style: 'torchvision' | 'paper') => {
  const config = ALEXNET_CONFIGS[style];
  return {
    ...config,
    name: `alexnet_${style}_narrow`,
    stages: config.stages.map((stage) => ({ ...stage, filters: stage.filters / 16 })),
    classifierWidth: 16,
  };
};

describeModelContract([
  {
    name: 'alexnet (torchvision layout, narrow)',
    build: () => alexnetFromConfig(narrow('torchvision'), { inputShape: [63, 63, 3], numClasses: 5 }),
    outputShape: [5],
  },
  {
    name: 'alexnet (paper layout, narrow, softmax)',
    build: () =>
      alexnetFromConfig(narrow('paper'), {
        inputShape: [67, 67, 3],
        numClasses: 3,
        classifierActivation: 'softmax',
      }),
    outputShape: [3],
  },
  {
    name: 'alexnet features (narrow, includeTop: false, max pooling)',
    build: () =>
      alexnetFromConfig(narrow('torchvision'), {
        inputShape: [63, 63, 3],
        includeTop: false,
        pooling: 'max',
      }),
    outputShape: [16],
  },
]);

describe('alexnet', () => {
  it('counts torchvision’s 61,100,840 parameters, as the pretrained config says', () => {
    const model = alexnet({ inputShape: [63, 63, 3], initWeights: false });
    expect(summarize(model).trainableParams).toBe(61100840);
    expect(getPretrainedConfig('alexnet.tv_in1k').numParams).toBe(61100840);
    model.dispose();
  });

  it('builds the paper’s network: 60,965,224 parameters, LRN, two-group convolutions, 55→27→13→6 maps', () => {
    // conv1 96·(3·11²)+96, conv2 256·(48·5²)+256, conv3 384·(256·9)+384, conv4 384·(192·9)+384,
    // conv5 256·(192·9)+256, fc6 9216·4096+4096, fc7 4096²+4096, fc8 4096·1000+1000.
    const expected = 34944 + 307456 + 885120 + 663936 + 442624 + 37752832 + 16781312 + 4097000;
    const model = alexnet({ style: 'paper', initWeights: false });
    const summary = summarize(model);
    expect(summary.trainableParams).toBe(expected);
    const rows = Object.fromEntries(summary.layers.map((row) => [row.name, row]));
    expect(rows.features_0?.outputShape).toEqual([55, 55, 96]);
    expect(rows.features_2?.className).toBe('tfzoo>LocalResponseNormalization');
    expect(rows.features_3?.outputShape).toEqual([27, 27, 96]);
    expect(rows.features_4?.className).toBe('tfzoo>GroupConv2D');
    expect(rows.features_7?.outputShape).toEqual([13, 13, 256]);
    expect(rows.features_14?.outputShape).toEqual([6, 6, 256]);
    expect(model.getLayer('features_4').getConfig().groups).toBe(2);
    expect(model.getLayer('features_6').getConfig()).toMatchObject({
      size: 5,
      alpha: 5e-4,
      beta: 0.75,
      k: 2,
    });
    model.dispose();
  });

  it('names layers after torchvision’s modules', () => {
    const model = alexnet({ initWeights: false });
    expect(model.layers.map((layer) => layer.name)).toEqual([
      'input',
      'features_0_pad',
      'features_0',
      'features_2',
      'features_3',
      'features_5',
      'features_6',
      'features_8',
      'features_10',
      'features_12',
      'avgpool',
      'flatten',
      'classifier_0',
      'classifier_1',
      'classifier_3',
      'classifier_4',
      'classifier_6',
    ]);
    // torchvision documents AlexNet at 0.71 GFLOPS (multiply-accumulates).
    expect(summarize(model).macs / 1e9).toBeCloseTo(0.71, 2);
    model.dispose();
  });

  it('is registered with torchvision’s weights', () => {
    expect(listModels('alexnet*')).toEqual(['alexnet']);
    expect(alexnetDefinition.defaultMapping).toBe('alexnet/torchvision');
    expect(ALEXNET_FAMILY.definitions).toEqual([alexnetDefinition]);
    const config = getPretrainedConfig('alexnet');
    expect(config.id).toBe('alexnet.tv_in1k');
    expect(config.source).toMatchObject({
      url: 'https://download.pytorch.org/models/alexnet-owt-7be5be79.pth',
      format: 'pth',
      sha256Prefix: '7be5be79',
    });
    expect(config.classifier).toBe('classifier.6');
    expect(config.labels).toBe(IMAGENET_CLASSES);
    expect(config.accuracy?.top1).toBe(56.522);
  });

  it('rejects options it cannot take, naming them', () => {
    expect(() => alexnet({ inputShape: [62, 62, 3] })).toThrow(ZooError);
    expect(() => alexnet({ inputShape: [62, 62, 3] })).toThrow('received [62,62,3]');
    expect(() => alexnet({ style: 'caffe' as never })).toThrow(
      `style must be 'torchvision' or 'paper'; received "caffe"`,
    );
    expect(() => alexnetFromConfig({ ...ALEXNET_CONFIGS.paper, classifierWidth: 0 })).toThrow(
      'config.classifierWidth must be a positive integer; received 0',
    );
  });
});
