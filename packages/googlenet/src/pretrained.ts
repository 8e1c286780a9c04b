/**
 * Pretrained GoogLeNet weights: torchvision's ImageNet-1k checkpoint
 * (`torchvision/models/googlenet.py`, `GoogLeNet_Weights.IMAGENET1K_V1`), ported from the original
 * Caffe/TensorFlow model. The weights expect `transform_input` (set by `buildOptions`).
 */
import { IMAGENET_CLASSES, imagenetPreprocessing, type PretrainedConfig } from '@tfzoo/core';
import { GOOGLENET_MAPPING } from './mapping.js';

/** `googlenet.tv_in1k`: torchvision's `googlenet-1378be20.pth`. */
export const GOOGLENET_PRETRAINED: readonly PretrainedConfig[] = Object.freeze([
  {
    id: 'googlenet.tv_in1k',
    arch: 'googlenet',
    tag: 'tv_in1k',
    source: {
      url: 'https://download.pytorch.org/models/googlenet-1378be20.pth',
      format: 'pth',
      sha256Prefix: '1378be20',
    },
    mapping: GOOGLENET_MAPPING,
    buildOptions: { transformInput: true },
    numClasses: 1000,
    classifier: ['fc', 'aux1.fc2', 'aux2.fc2'],
    labels: IMAGENET_CLASSES,
    numParams: 6624904,
    preprocessing: imagenetPreprocessing(),
    accuracy: {
      top1: 69.778,
      top5: 89.53,
      dataset: 'imagenet-1k-val',
      source: 'torchvision GoogLeNet_Weights.IMAGENET1K_V1 (_metrics)',
    },
    license: 'BSD-3-Clause',
    sourceUrl: 'https://github.com/pytorch/vision/blob/v0.14.0/torchvision/models/googlenet.py',
    paperUrl: 'https://arxiv.org/abs/1409.4842',
    notes:
      'Ported from the original paper’s model. numParams counts the model without the auxiliary classifiers (as torchvision does); the file also holds aux1/aux2, which are not trained (torchvision warns) and are dropped unless auxLogits is set.',
  },
]);
