/**
 * Pretrained AlexNet weights: torchvision's ImageNet-1k checkpoint
 * (`torchvision/models/alexnet.py`, `AlexNet_Weights.IMAGENET1K_V1`), trained by torchvision with a
 * simplified recipe for the torchvision layout.
 */
import { familyMappingId, type PretrainedConfig, torchvisionPretrained } from '@tfzoo/core';

/** `alexnet.tv_in1k`: torchvision's `alexnet-owt-7be5be79.pth` (tag documented in the README). */
export const ALEXNET_PRETRAINED: readonly PretrainedConfig[] = Object.freeze([
  torchvisionPretrained({
    arch: 'alexnet',
    tag: 'tv_in1k',
    file: 'alexnet-owt-7be5be79.pth',
    mapping: familyMappingId('alexnet', 'torchvision'),
    classifier: 'classifier.6',
    numParams: 61100840,
    accuracy: { top1: 56.522, top5: 79.066, source: 'torchvision AlexNet_Weights.IMAGENET1K_V1 (_metrics)' },
    sourceUrl: 'https://github.com/pytorch/vision/blob/v0.14.0/torchvision/models/alexnet.py',
    paperUrl: 'https://papers.nips.cc/paper/2012/hash/c399862d3b9d6b76c8436e924a68c45b-Abstract.html',
    notes:
      'torchvision layout ("One weird trick…", arXiv:1404.5997). Recipe: https://github.com/pytorch/vision/tree/main/references/classification#alexnet-and-vgg',
  }),
]);
