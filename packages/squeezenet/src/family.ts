/**
 * The SqueezeNet family (registered on import): `variants.ts`, the builder of `squeezenet.ts`,
 * `pretrained.ts` and `mapping.ts` (`squeezenet/torchvision`).
 */
import { defineFamily, type Family, type ModelDefinition } from '@tfzoo/core';
import { SQUEEZENET_MAPPINGS } from './mapping.js';
import { SQUEEZENET_PRETRAINED } from './pretrained.js';
import {
  buildSqueezeNet,
  SQUEEZENET_OPTION_KEYS,
  type SqueezeNetConfig,
  type SqueezeNetOptions,
} from './squeezenet.js';
import { SQUEEZENET_VARIANTS } from './variants.js';

const DESCRIPTIONS: Readonly<Record<string, string>> = {
  squeezenet1_0: 'SqueezeNet 1.0: Fire modules, 7×7 stem, conv classifier; 1.25M parameters',
  squeezenet1_1:
    'SqueezeNet 1.1: Fire modules, 3×3 stem, early pooling; 1.24M parameters, 2.4× fewer MACs than 1.0',
};

/** The registered SqueezeNet family. */
export const SQUEEZENET_FAMILY: Family<SqueezeNetConfig, SqueezeNetOptions> = defineFamily<
  SqueezeNetConfig,
  SqueezeNetOptions
>({
  name: 'squeezenet',
  variants: SQUEEZENET_VARIANTS,
  build: buildSqueezeNet,
  options: SQUEEZENET_OPTION_KEYS,
  describe: (arch) => ({
    description: DESCRIPTIONS[arch] as string,
    ...(arch === 'squeezenet1_1'
      ? {
          paper: {
            title: 'SqueezeNet v1.1 (Iandola et al., SqueezeNet repository, 2016)',
            url: 'https://github.com/forresti/SqueezeNet/tree/master/SqueezeNet_v1.1',
          },
        }
      : {}),
  }),
  paper: {
    title:
      'SqueezeNet: AlexNet-level accuracy with 50x fewer parameters and <0.5MB model size (Iandola et al., 2016)',
    url: 'https://arxiv.org/abs/1602.07360',
  },
  reference: 'torchvision.models.squeezenet',
  pretrained: SQUEEZENET_PRETRAINED,
  mappings: SQUEEZENET_MAPPINGS,
});

/**
 * Registry definition of `squeezenet1_0`.
 *
 * @deprecated Use `SQUEEZENET_FAMILY.definitions`.
 */
export const squeezenet1_0Definition: ModelDefinition = SQUEEZENET_FAMILY.definitions[0] as ModelDefinition;

/**
 * Registry definition of `squeezenet1_1`.
 *
 * @deprecated Use `SQUEEZENET_FAMILY.definitions`.
 */
export const squeezenet1_1Definition: ModelDefinition = SQUEEZENET_FAMILY.definitions[1] as ModelDefinition;
