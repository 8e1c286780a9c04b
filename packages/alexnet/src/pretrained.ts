/**
 * Pretrained AlexNet weights: torchvision's ImageNet-1k checkpoint
 * (`torchvision/models/alexnet.py`, `AlexNet_Weights.IMAGENET1K_V1`), trained by torchvision with a
 * simplified recipe for the torchvision layout.
 */
import { IMAGENET_CLASSES, imagenetPreprocessing, type PretrainedConfig } from '@tfzoo/core';
import { ALEXNET_MAPPING } from './mapping.js';

/** `alexnet.tv_in1k`: torchvision's `alexnet-owt-7be5be79.pth` (tag documented in the README). */
export const ALEXNET_PRETRAINED: readonly PretrainedConfig[] = Object.freeze([
  {
    id: 'alexnet.tv_in1k',
    arch: 'alexnet',
    tag: 'tv_in1k',
    source: {
      url: 'https://download.pytorch.org/models/alexnet-owt-7be5be79.pth',
      format: 'pth',
      sha256Prefix: '7be5be79',
    },
    mapping: ALEXNET_MAPPING,
    numClasses: 1000,
    classifier: 'classifier.6',
    labels: IMAGENET_CLASSES,
    numParams: 61100840,
    preprocessing: imagenetPreprocessing(),
    accuracy: {
      top1: 56.522,
      top5: 79.066,
      dataset: 'imagenet-1k-val',
      source: 'torchvision AlexNet_Weights.IMAGENET1K_V1 (_metrics)',
    },
    license: 'BSD-3-Clause',
    sourceUrl: 'https://github.com/pytorch/vision/blob/v0.14.0/torchvision/models/alexnet.py',
    paperUrl: 'https://papers.nips.cc/paper/2012/hash/c399862d3b9d6b76c8436e924a68c45b-Abstract.html',
    notes:
      'torchvision layout ("One weird trick…", arXiv:1404.5997). Recipe: https://github.com/pytorch/vision/tree/main/references/classification#alexnet-and-vgg',
  },
]);
