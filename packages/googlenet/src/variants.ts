/** The GoogLeNet entry of the tfzoo registry (registered on import). */
import { defineModel, type ModelDefinition, registerModel } from '@tfzoo/core';
import { GOOGLENET_OPTION_KEYS, googlenet } from './googlenet.js';
import { GOOGLENET_MAPPING } from './mapping.js';
import { GOOGLENET_PRETRAINED } from './pretrained.js';

/** Registry definition of `googlenet`. */
export const googlenetDefinition: ModelDefinition = defineModel({
  name: 'googlenet',
  family: 'googlenet',
  options: GOOGLENET_OPTION_KEYS,
  build: googlenet,
  description: 'GoogLeNet (Inception v1) with batch-norm, torchvision layout, 6.6M parameters',
  paper: {
    title: 'Going Deeper with Convolutions (Szegedy et al., 2015)',
    url: 'https://arxiv.org/abs/1409.4842',
  },
  reference: 'torchvision.models.googlenet',
  pretrained: GOOGLENET_PRETRAINED,
  defaultTag: 'tv_in1k',
  defaultMapping: GOOGLENET_MAPPING,
});

registerModel(googlenetDefinition);
