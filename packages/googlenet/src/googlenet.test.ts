import * as tf from '@tensorflow/tfjs-core';
import { getPretrainedConfig, IMAGENET_CLASSES, listModels, summarize, ZooError } from '@tfzoo/core';
import { describeModelContract } from '@tfzoo/test-harness';
import { describe, expect, it } from 'vitest';
import {
  ChannelAffine,
  GOOGLENET_CONFIG,
  type GoogLeNetConfig,
  googlenet,
  googlenetDefinition,
  googlenetFromConfig,
  googlenetSkipsTensor,
} from './index.js';

// The contract runs every path of the builder (stem, all nine Inception modules, ceil-mode pools,
// auxiliary heads, transformInput, the headless model) on a configuration 8× narrower: the
// pure-JS cpu backend computes convolution filter gradients slowly; the real widths are checked
// by the parity tests.
const narrow: GoogLeNetConfig = {
  ...GOOGLENET_CONFIG,
  name: 'googlenet_narrow',
  stem: { conv1: 8, conv2: 8, conv3: 24 },
  inception: Object.fromEntries(
    Object.entries(GOOGLENET_CONFIG.inception).map(([name, spec]) => [
      name,
      Object.fromEntries(Object.entries(spec).map(([key, width]) => [key, Math.max(2, width / 8)])),
    ]),
  ) as unknown as GoogLeNetConfig['inception'],
  aux: { conv: 16, fc: 32 },
};

describeModelContract([
  {
    name: 'googlenet (narrow, auxiliary heads)',
    build: () => googlenetFromConfig(narrow, { inputShape: [40, 40, 3], numClasses: 6, auxLogits: true }),
    outputShape: [[6], [6], [6]],
  },
  {
    name: 'googlenet (narrow, transformInput, softmax)',
    build: () =>
      googlenetFromConfig(narrow, {
        inputShape: [33, 33, 3],
        numClasses: 4,
        transformInput: true,
        classifierActivation: 'softmax',
      }),
    outputShape: [4],
  },
  {
    name: 'googlenet (narrow, includeTop: false, avg pooling)',
    build: () => googlenetFromConfig(narrow, { inputShape: [32, 32, 3], includeTop: false, pooling: 'avg' }),
    outputShape: [128],
  },
]);

describe('googlenet', () => {
  it('counts torchvision’s parameters: 6,624,904 (as the pretrained config says), 13,004,888 with aux heads', () => {
    const model = googlenet({ inputShape: [64, 64, 3], initWeights: false });
    expect(summarize(model).trainableParams).toBe(6624904);
    expect(getPretrainedConfig('googlenet.tv_in1k').numParams).toBe(6624904);
    model.dispose();
    // sum(p.numel() for p in googlenet(weights=None, aux_logits=True).parameters()), torchvision 0.14.
    const withAux = googlenet({ inputShape: [64, 64, 3], auxLogits: true, initWeights: false });
    expect(summarize(withAux).trainableParams).toBe(13004888);
    withAux.dispose();
  });

  it('has torchvision’s ceil-mode map sizes and 1.5 GMACs at 224×224, and its module names', () => {
    const model = googlenet({ initWeights: false });
    const summary = summarize(model);
    const rows = Object.fromEntries(summary.layers.map((row) => [row.name, row]));
    expect(rows.conv1_relu?.outputShape).toEqual([112, 112, 64]);
    expect(rows.maxpool1?.outputShape).toEqual([56, 56, 64]);
    expect(rows.maxpool2?.outputShape).toEqual([28, 28, 192]);
    expect(rows.inception3b?.outputShape).toEqual([28, 28, 480]);
    expect(rows.maxpool3?.outputShape).toEqual([14, 14, 480]);
    expect(rows.inception4e?.outputShape).toEqual([14, 14, 832]);
    expect(rows.maxpool4?.outputShape).toEqual([7, 7, 832]);
    expect(rows.inception5b?.outputShape).toEqual([7, 7, 1024]);
    // torchvision documents GoogLeNet at 1.5 GFLOPS (multiply-accumulates).
    expect(summary.macs / 1e9).toBeCloseTo(1.5, 1);
    // The "5×5" branch is 3×3, as in torchvision.
    expect(model.getLayer('inception4a_branch3_1_conv').getConfig().kernelSize).toEqual([3, 3]);
    expect(model.getLayer('conv1_bn').getConfig().epsilon).toBe(1e-3);
    expect(model.getLayer('conv1_conv').getConfig().useBias).toBe(false);
    model.dispose();
  });

  it('transformInput maps ImageNet-normalized input to (x − 0.5) / 0.5, as torchvision', () => {
    const model = googlenet({ inputShape: [32, 32, 3], transformInput: true, initWeights: false });
    const layer = model.getLayer('transform_input') as ChannelAffine;
    expect(layer).toBeInstanceOf(ChannelAffine);
    // A pixel p in [0, 1]: normalized (p − mean) / std in, (p − 0.5) / 0.5 out.
    const pixel = [0.2, 0.7, 0.9];
    const mean = [0.485, 0.456, 0.406];
    const std = [0.229, 0.224, 0.225];
    const out = tf.tidy(() =>
      (
        layer.apply(
          tf.tensor4d(
            pixel.map((p, c) => (p - mean[c]!) / std[c]!),
            [1, 1, 1, 3],
          ),
        ) as tf.Tensor
      ).dataSync(),
    );
    for (const [c, p] of pixel.entries()) expect(out[c]).toBeCloseTo((p - 0.5) / 0.5, 5);
    model.dispose();
  });

  it('is registered with torchvision’s weights, which need transformInput', () => {
    expect(listModels('googlenet*')).toEqual(['googlenet']);
    expect(googlenetDefinition.defaultMapping).toBe('googlenet/torchvision');
    const config = getPretrainedConfig('googlenet');
    expect(config.id).toBe('googlenet.tv_in1k');
    expect(config.buildOptions).toEqual({ transformInput: true });
    expect(config.source).toMatchObject({
      url: 'https://download.pytorch.org/models/googlenet-1378be20.pth',
      sha256Prefix: '1378be20',
    });
    expect(config.labels).toBe(IMAGENET_CLASSES);
    expect(config.accuracy?.top1).toBe(69.778);
    expect(googlenetSkipsTensor('aux1.fc2.weight', false)).toBe(true);
    expect(googlenetSkipsTensor('aux1.fc2.weight', true)).toBe(false);
    expect(googlenetSkipsTensor('inception4a.branch1.conv.weight', false)).toBe(false);
  });

  it('rejects options it cannot take, naming them', () => {
    expect(() => googlenet({ inputShape: [14, 14, 3] })).toThrow(ZooError);
    expect(() => googlenet({ inputShape: [14, 14, 3] })).toThrow('received [14,14,3]');
    expect(() => googlenet({ inputShape: [32, 32, 1], transformInput: true })).toThrow(
      'inputShape must be 3 channels for googlenet; received [32,32,1]',
    );
    expect(() => googlenet({ includeTop: false, auxLogits: true })).toThrow(
      'auxLogits must be false when includeTop',
    );
    expect(() => googlenet({ auxDropRate: 1 })).toThrow('auxDropRate must be a number in [0, 1); received 1');
  });
});
