/** The AlexNet entry of the tfzoo registry (registered on import). */
import { defineModel, type ModelDefinition, registerModel } from '@tfzoo/core';
import { ALEXNET_OPTION_KEYS, alexnet } from './alexnet.js';
import { ALEXNET_MAPPING } from './mapping.js';
import { ALEXNET_PRETRAINED } from './pretrained.js';

/** Registry definition of `alexnet` (torchvision's layout; `style: 'paper'` is a build option). */
export const alexnetDefinition: ModelDefinition = defineModel({
  name: 'alexnet',
  family: 'alexnet',
  options: ALEXNET_OPTION_KEYS,
  build: alexnet,
  description: 'AlexNet: five convolutions, adaptive pool to 6×6, 4096-4096 classifier, 61.1M parameters',
  paper: {
    title: 'ImageNet Classification with Deep Convolutional Neural Networks (Krizhevsky et al., 2012)',
    url: 'https://papers.nips.cc/paper/2012/hash/c399862d3b9d6b76c8436e924a68c45b-Abstract.html',
  },
  reference: 'torchvision.models.alexnet',
  pretrained: ALEXNET_PRETRAINED,
  defaultTag: 'tv_in1k',
  defaultMapping: ALEXNET_MAPPING,
});

registerModel(alexnetDefinition);
