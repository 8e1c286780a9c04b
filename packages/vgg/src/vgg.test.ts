import {
  getMapping,
  getPretrainedConfig,
  IMAGENET_CLASSES,
  listModels,
  listPretrained,
  summarize,
  ZooError,
} from '@tfzoo/core';
import { describeModelContract } from '@tfzoo/test-harness';
import { describe, expect, it } from 'vitest';
import { buildVgg, VGG_FAMILY, VGG_VARIANTS, vgg, vgg11, vggDefinitions } from './index.js';

/** torchvision 0.14's published `num_params` of each variant (`VGG*_Weights.IMAGENET1K_V1.meta`). */
const TORCHVISION_PARAMS: Record<string, number> = {
  vgg11: 132863336,
  vgg11_bn: 132868840,
  vgg13: 133047848,
  vgg13_bn: 133053736,
  vgg16: 138357544,
  vgg16_bn: 138365992,
  vgg19: 143667240,
  vgg19_bn: 143678248,
};

describeModelContract([
  {
    name: 'vgg (reduced config, batch-norm)',
    build: () =>
      buildVgg(
        {
          name: 'vgg_tiny_bn',
          layers: [8, 'M', 16, 16, 'M'],
          batchNorm: true,
          classifierWidth: 32,
          poolSize: 3,
        },
        { inputShape: [16, 16, 3], numClasses: 5 },
      ),
    outputShape: [5],
  },
  {
    name: 'vgg (reduced config, softmax)',
    build: () =>
      buildVgg(
        { name: 'vgg_tiny', layers: [8, 'M', 16, 'M'], batchNorm: false, classifierWidth: 16 },
        { inputShape: [12, 12, 3], numClasses: 4, classifierActivation: 'softmax' },
      ),
    outputShape: [4],
  },
  {
    name: 'vgg (reduced config, batch-norm, includeTop: false, max pooling)',
    build: () =>
      buildVgg(
        { name: 'vgg_tiny_features', layers: [8, 8, 'M', 16, 'M'], batchNorm: true },
        { inputShape: [8, 8, 3], includeTop: false, pooling: 'max' },
      ),
    outputShape: [16],
  },
]);

describe('vgg', () => {
  it('counts exactly torchvision’s parameters for every variant, as the pretrained configs say', () => {
    expect(Object.keys(VGG_VARIANTS).sort()).toEqual(Object.keys(TORCHVISION_PARAMS).sort());
    for (const [name, config] of Object.entries(VGG_VARIANTS)) {
      // The count does not depend on the input size (adaptive pool), so a small input keeps it quick.
      const model = buildVgg(config, { inputShape: [32, 32, 3], initWeights: false });
      const summary = summarize(model);
      expect(summary.trainableParams, name).toBe(TORCHVISION_PARAMS[name]);
      for (const id of listPretrained(`${name}.*`)) {
        expect(getPretrainedConfig(id).numParams, id).toBe(TORCHVISION_PARAMS[name]);
      }
      // torchvision's layout: the last feature module index and the classifier input 512·7·7.
      const convs = config.layers.filter((spec) => spec !== 'M').length;
      const last = config.layers.length + convs * (config.batchNorm ? 2 : 1) - 1;
      expect(model.getLayer(`features_${last}`).getClassName()).toBe('MaxPooling2D');
      expect(model.getLayer('classifier_0').getWeights()[0]?.shape).toEqual([25088, 4096]);
      model.dispose();
    }
  });

  it('names layers after torchvision’s modules and counts VGG-11’s 7.6 GMACs at 224', () => {
    const model = vgg11({ inputShape: [224, 224, 3], initWeights: false, numClasses: 10 });
    const names = model.layers.map((layer) => layer.name);
    expect(names).toEqual([
      'input',
      'features_0',
      'features_2',
      'features_3',
      'features_5',
      'features_6',
      'features_8',
      'features_10',
      'features_11',
      'features_13',
      'features_15',
      'features_16',
      'features_18',
      'features_20',
      'avgpool',
      'flatten',
      'classifier_0',
      'classifier_2',
      'classifier_3',
      'classifier_5',
      'classifier_6',
    ]);
    // torchvision documents vgg11 at 7.61 GFLOPS (multiply-accumulates): convs + classifier.
    expect(summarize(model).macs / 1e9).toBeCloseTo(7.6, 1);
    model.dispose();
  });

  it('registers all eight variants with timm and torchvision weights', () => {
    expect(listModels('vgg*')).toEqual(Object.keys(TORCHVISION_PARAMS).sort());
    expect(VGG_FAMILY.mappingIds).toEqual({ torchvision: 'vgg/torchvision', timm: 'vgg/timm' });
    expect(VGG_FAMILY.definitions.map((d) => d.defaultMapping)).toEqual(Array(8).fill('vgg/torchvision'));
    expect(VGG_FAMILY.definitions.map((d) => d.mappings)).toEqual(
      Array(8).fill(['vgg/torchvision', 'vgg/timm']),
    );
    // The names used before `family/source` still work (deprecated).
    expect(vggDefinitions).toBe(VGG_FAMILY.definitions);
    expect(vgg).toBe(buildVgg);
    expect(getMapping('timm-vgg').id).toBe('vgg/timm');
    const timm = getPretrainedConfig('vgg16.tv_in1k');
    expect(timm.source.url).toBe('https://huggingface.co/timm/vgg16.tv_in1k/resolve/main/model.safetensors');
    expect(timm.source.sha256).toBe('57b026918159a6bf9faf8405c3a551903768e7138989d9c6224a14227203fad8');
    expect(timm.mapping).toBe('vgg/timm');
    expect(timm.classifier).toBe('head.fc');
    expect(timm.labels).toBe(IMAGENET_CLASSES);
    const pth = getPretrainedConfig('vgg19_bn.tv_pth_in1k');
    expect(pth.source.url).toBe('https://download.pytorch.org/models/vgg19_bn-c79401a0.pth');
    expect(pth.source.sha256Prefix).toBe('c79401a0');
    expect(pth.mapping).toBe('vgg/torchvision');
    expect(pth.classifier).toBe('classifier.6');
    expect(pth.accuracy?.top1).toBe(74.218);
    // The default tag is the file whose full sha256 is known.
    expect(getPretrainedConfig('vgg16').tag).toBe('tv_in1k');
    expect(getPretrainedConfig('vgg11').tag).toBe('tv_pth_in1k');
    for (const id of listPretrained('vgg*')) {
      const config = getPretrainedConfig(id);
      const { sha256, sha256Prefix } = config.source;
      if (sha256 && sha256Prefix) expect(sha256.startsWith(sha256Prefix)).toBe(true);
      expect(config.preprocessing.inputSize).toEqual([224, 224, 3]);
      expect(config.preprocessing.resizeSize).toBe(256);
    }
  });

  it('rejects inputs and configs it cannot take, naming them', () => {
    expect(() => vgg11({ inputShape: [16, 16, 3] })).toThrow(ZooError);
    expect(() => vgg11({ inputShape: [16, 16, 3] })).toThrow('received [16,16,3]');
    expect(() => buildVgg({ name: 'bad', layers: [8, 'X' as never], batchNorm: false })).toThrow(
      'config.layers must be positive integer widths and \'M\' only; received [8,"X"]',
    );
    expect(() => vgg11({ initWeights: 'yes' as never })).toThrow(
      'initWeights must be a boolean; received "yes"',
    );
  });
});
