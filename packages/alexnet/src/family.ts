/**
 * The AlexNet family (registered on import): `variants.ts`, the builder of `alexnet.ts`,
 * `pretrained.ts` and `mapping.ts` (`alexnet/torchvision`).
 */
import { defineFamily, type Family, type ModelDefinition } from '@tfzoo/core';
import { ALEXNET_OPTION_KEYS, type AlexNetConfig, type AlexNetOptions, buildAlexNet } from './alexnet.js';
import { ALEXNET_MAPPINGS } from './mapping.js';
import { ALEXNET_PRETRAINED } from './pretrained.js';
import { ALEXNET_VARIANTS } from './variants.js';

/** The registered AlexNet family. */
export const ALEXNET_FAMILY: Family<AlexNetConfig, AlexNetOptions> = defineFamily<
  AlexNetConfig,
  AlexNetOptions
>({
  name: 'alexnet',
  variants: ALEXNET_VARIANTS,
  build: buildAlexNet,
  options: ALEXNET_OPTION_KEYS,
  describe: () => ({
    description: 'AlexNet: five convolutions, adaptive pool to 6×6, 4096-4096 classifier, 61.1M parameters',
    defaultTag: 'tv_in1k',
  }),
  paper: {
    title: 'ImageNet Classification with Deep Convolutional Neural Networks (Krizhevsky et al., 2012)',
    url: 'https://papers.nips.cc/paper/2012/hash/c399862d3b9d6b76c8436e924a68c45b-Abstract.html',
  },
  reference: 'torchvision.models.alexnet',
  pretrained: ALEXNET_PRETRAINED,
  mappings: ALEXNET_MAPPINGS,
});

/**
 * Registry definition of `alexnet` (torchvision's layout; `style: 'paper'` is a build option).
 *
 * @deprecated Use `ALEXNET_FAMILY.definitions`.
 */
export const alexnetDefinition: ModelDefinition = ALEXNET_FAMILY.definitions[0] as ModelDefinition;
