/** The SqueezeNet entries of the tfzoo registry (registered on import). */
import { defineModel, type ModelDefinition, registerModel } from '@tfzoo/core';
import { SQUEEZENET_MAPPING_ID } from './mapping.js';
import { SQUEEZENET1_0_PRETRAINED, SQUEEZENET1_1_PRETRAINED } from './pretrained.js';
import { squeezenet1_0, squeezenet1_1 } from './squeezenet.js';

const PAPER = {
  title:
    'SqueezeNet: AlexNet-level accuracy with 50x fewer parameters and <0.5MB model size (Iandola et al., 2016)',
  url: 'https://arxiv.org/abs/1602.07360',
};

/** Registry definition of `squeezenet1_0`. */
export const squeezenet1_0Definition: ModelDefinition = defineModel({
  name: 'squeezenet1_0',
  family: 'squeezenet',
  options: [],
  build: squeezenet1_0,
  description: 'SqueezeNet 1.0: Fire modules, 7×7 stem, conv classifier; 1.25M parameters',
  paper: PAPER,
  reference: 'torchvision.models.squeezenet',
  pretrained: SQUEEZENET1_0_PRETRAINED,
  defaultMapping: SQUEEZENET_MAPPING_ID,
});

/** Registry definition of `squeezenet1_1`. */
export const squeezenet1_1Definition: ModelDefinition = defineModel({
  name: 'squeezenet1_1',
  family: 'squeezenet',
  options: [],
  build: squeezenet1_1,
  description:
    'SqueezeNet 1.1: Fire modules, 3×3 stem, early pooling; 1.24M parameters, 2.4× fewer MACs than 1.0',
  paper: {
    title: 'SqueezeNet v1.1 (Iandola et al., SqueezeNet repository, 2016)',
    url: 'https://github.com/forresti/SqueezeNet/tree/master/SqueezeNet_v1.1',
  },
  reference: 'torchvision.models.squeezenet',
  pretrained: SQUEEZENET1_1_PRETRAINED,
  defaultMapping: SQUEEZENET_MAPPING_ID,
});

registerModel(squeezenet1_0Definition, squeezenet1_1Definition);
