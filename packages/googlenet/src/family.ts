/**
 * The GoogLeNet family (registered on import): `variants.ts`, the builder of `googlenet.ts`,
 * `pretrained.ts` and `mapping.ts` (`googlenet/torchvision`, formerly `torchvision-googlenet`).
 */
import { defineFamily, type Family, type ModelDefinition } from '@tfzoo/core';
import {
  buildGoogLeNet,
  GOOGLENET_OPTION_KEYS,
  type GoogLeNetConfig,
  type GoogLeNetOptions,
} from './googlenet.js';
import { GOOGLENET_MAPPINGS } from './mapping.js';
import { GOOGLENET_PRETRAINED } from './pretrained.js';
import { GOOGLENET_VARIANTS } from './variants.js';

/** The registered GoogLeNet family. */
export const GOOGLENET_FAMILY: Family<GoogLeNetConfig, GoogLeNetOptions> = defineFamily<
  GoogLeNetConfig,
  GoogLeNetOptions
>({
  name: 'googlenet',
  variants: GOOGLENET_VARIANTS,
  build: buildGoogLeNet,
  options: GOOGLENET_OPTION_KEYS,
  describe: () => ({
    description: 'GoogLeNet (Inception v1) with batch-norm, torchvision layout, 6.6M parameters',
    defaultTag: 'tv_in1k',
  }),
  paper: {
    title: 'Going Deeper with Convolutions (Szegedy et al., 2015)',
    url: 'https://arxiv.org/abs/1409.4842',
  },
  reference: 'torchvision.models.googlenet',
  pretrained: GOOGLENET_PRETRAINED,
  mappings: GOOGLENET_MAPPINGS,
  mappingAliases: { 'torchvision-googlenet': 'torchvision' },
});

/**
 * Registry definition of `googlenet`.
 *
 * @deprecated Use `GOOGLENET_FAMILY.definitions`.
 */
export const googlenetDefinition: ModelDefinition = GOOGLENET_FAMILY.definitions[0] as ModelDefinition;
