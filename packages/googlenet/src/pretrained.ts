/**
 * Pretrained GoogLeNet weights: torchvision's ImageNet-1k checkpoint
 * (`torchvision/models/googlenet.py`, `GoogLeNet_Weights.IMAGENET1K_V1`), ported from the original
 * Caffe/TensorFlow model. The weights expect `transform_input` (set by `buildOptions`).
 */
import { familyMappingId, type PretrainedConfig, torchvisionPretrained } from '@tfzoo/core';

/** `googlenet.tv_in1k`: torchvision's `googlenet-1378be20.pth`. */
export const GOOGLENET_PRETRAINED: readonly PretrainedConfig[] = Object.freeze([
  torchvisionPretrained({
    arch: 'googlenet',
    tag: 'tv_in1k',
    file: 'googlenet-1378be20.pth',
    mapping: familyMappingId('googlenet', 'torchvision'),
    buildOptions: { transformInput: true },
    classifier: ['fc', 'aux1.fc2', 'aux2.fc2'],
    numParams: 6624904,
    accuracy: { top1: 69.778, top5: 89.53, source: 'torchvision GoogLeNet_Weights.IMAGENET1K_V1 (_metrics)' },
    sourceUrl: 'https://github.com/pytorch/vision/blob/v0.14.0/torchvision/models/googlenet.py',
    paperUrl: 'https://arxiv.org/abs/1409.4842',
    notes:
      'Ported from the original paper’s model. numParams counts the model without the auxiliary classifiers (as torchvision does); the file also holds aux1/aux2, which are not trained (torchvision warns) and are dropped unless auxLogits is set.',
  }),
]);
