/** The LeNet entries of the tfzoo registry. */
import { defineModel, type ModelDefinition, registerModel } from '@tfzoo/core';
import { LENET_OPTION_KEYS, lenet5 } from './lenet.js';
import { LENET_PRETRAINED } from './pretrained.js';

/** Registry definition of `lenet5`. */
export const lenet5Definition: ModelDefinition = defineModel({
  name: 'lenet5',
  family: 'lenet',
  options: LENET_OPTION_KEYS,
  build: lenet5,
  description: 'LeNet-5: two 5×5 conv + pool stages and three dense layers, 61.7K parameters',
  paper: {
    title: 'Gradient-Based Learning Applied to Document Recognition (LeCun et al., 1998)',
    url: 'https://doi.org/10.1109/5.726791',
  },
  pretrained: LENET_PRETRAINED,
  defaultTag: 'fmnist',
});

registerModel(lenet5Definition);
