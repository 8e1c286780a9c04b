/** The LeNet family (registered on import): `lenet5`, with tfzoo's Fashion-MNIST weights. */
import { defineFamily, type Family, type ModelDefinition } from '@tfzoo/core';
import { buildLeNet, LENET_OPTION_KEYS, type LeNetConfig, type LeNetOptions } from './lenet.js';
import { LENET_MAPPINGS } from './mapping.js';
import { LENET_PRETRAINED } from './pretrained.js';
import { LENET_VARIANTS } from './variants.js';

/** The registered LeNet family. */
export const LENET_FAMILY: Family<LeNetConfig, LeNetOptions> = defineFamily<LeNetConfig, LeNetOptions>({
  name: 'lenet',
  variants: LENET_VARIANTS,
  build: buildLeNet,
  options: LENET_OPTION_KEYS,
  describe: () => ({
    description: 'LeNet-5: two 5×5 conv + pool stages and three dense layers, 61.7K parameters',
    defaultTag: 'fmnist',
  }),
  paper: {
    title: 'Gradient-Based Learning Applied to Document Recognition (LeCun et al., 1998)',
    url: 'https://doi.org/10.1109/5.726791',
  },
  pretrained: LENET_PRETRAINED,
  mappings: LENET_MAPPINGS,
});

/**
 * Registry definition of `lenet5`.
 *
 * @deprecated Use `LENET_FAMILY.definitions`.
 */
export const lenet5Definition: ModelDefinition = LENET_FAMILY.definitions[0] as ModelDefinition;
