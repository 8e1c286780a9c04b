/**
 * The ShuffleNet family (registered on import): v1 (no upstream weights; megvii's layout, mapping
 * `shufflenet/megvii`) and torchvision's V2 (mapping `shufflenet/torchvision`).
 */
import { defineFamily, type Family, type ModelDefinition } from '@tfzoo/core';
import { SHUFFLENET_MAPPINGS } from './mapping.js';
import { SHUFFLENET_PRETRAINED } from './pretrained.js';
import {
  buildShuffleNet,
  isShuffleNetV1Config,
  SHUFFLENET_OPTION_KEYS,
  type ShuffleNetConfig,
  type ShuffleNetOptions,
} from './shufflenet.js';
import { SHUFFLENET_VARIANTS } from './variants.js';

const V1_PAPER = {
  title:
    'ShuffleNet: An Extremely Efficient Convolutional Neural Network for Mobile Devices (Zhang et al., 2018)',
  url: 'https://arxiv.org/abs/1707.01083',
};
const V2_PAPER = {
  title: 'ShuffleNet V2: Practical Guidelines for Efficient CNN Architecture Design (Ma et al., 2018)',
  url: 'https://arxiv.org/abs/1807.11164',
};

/** The registered ShuffleNet family. */
export const SHUFFLENET_FAMILY: Family<ShuffleNetConfig, ShuffleNetOptions> = defineFamily<
  ShuffleNetConfig,
  ShuffleNetOptions
>({
  name: 'shufflenet',
  variants: SHUFFLENET_VARIANTS,
  build: buildShuffleNet,
  options: SHUFFLENET_OPTION_KEYS,
  describe: (arch, config) => {
    if (isShuffleNetV1Config(config)) {
      const width = arch.replace(/^.*_x(\d)_(\d)$/, '$1.$2');
      return {
        description: `ShuffleNet v1 ${Number(width)}× (g = ${config.groups}); no upstream ImageNet weights`,
        paper: V1_PAPER,
        reference: 'megvii-model/ShuffleNet-Series ShuffleNetV1',
        mappings: ['megvii'],
      };
    }
    return {
      description: `ShuffleNet V2 ${arch.slice(-3).replace('_', '.')}× (torchvision layout)`,
      paper: V2_PAPER,
      reference: 'torchvision.models.shufflenetv2',
      mappings: ['torchvision'],
    };
  },
  pretrained: SHUFFLENET_PRETRAINED,
  mappings: SHUFFLENET_MAPPINGS,
});

/**
 * Registry definitions of the ShuffleNet v1 variants (no pretrained weights upstream).
 *
 * @deprecated Use `SHUFFLENET_FAMILY.definitions`.
 */
export const SHUFFLENET_V1_DEFINITIONS: readonly ModelDefinition[] = SHUFFLENET_FAMILY.definitions.filter(
  (d) => d.name.startsWith('shufflenet_v1_'),
);

/**
 * Registry definitions of torchvision's ShuffleNetV2 sizes.
 *
 * @deprecated Use `SHUFFLENET_FAMILY.definitions`.
 */
export const SHUFFLENET_V2_DEFINITIONS: readonly ModelDefinition[] = SHUFFLENET_FAMILY.definitions.filter(
  (d) => d.name.startsWith('shufflenet_v2_'),
);
