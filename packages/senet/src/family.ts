/**
 * The SE networks' family (registered on import): timm's SE-ResNets (mapping `senet/timm`, timm's
 * ResNet names, formerly loaded as `resnet`) and the original SENet layout (`senet/legacy`, formerly
 * `legacy-senet`).
 */
import { defineFamily, type Family, type ModelDefinition } from '@tfzoo/core';
import { RESNET_OPTION_KEYS } from '@tfzoo/resnet';
import { SENET_MAPPINGS } from './mapping.js';
import { SENET_PRETRAINED } from './pretrained.js';
import {
  buildSENet,
  isLegacySENetConfig,
  LEGACY_SENET_OPTION_KEYS,
  SENET_OPTION_KEYS,
  type SENetConfig,
  type SENetOptions,
} from './senet.js';
import { type LegacySENetArch, SENET_VARIANTS, type SEResNetArch } from './variants.js';

const DESCRIPTIONS: Readonly<Record<SEResNetArch | LegacySENetArch, string>> = {
  seresnet18: 'SE-ResNet-18 (timm layout), 11.8M params',
  seresnet34: 'SE-ResNet-34 (timm layout), 22.0M params',
  seresnet50: 'SE-ResNet-50 (timm layout), 28.1M params',
  seresnet101: 'SE-ResNet-101 (timm layout), 49.3M params',
  seresnet152: 'SE-ResNet-152 (timm layout), 66.8M params',
  seresnext50_32x4d: 'SE-ResNeXt-50 32×4d (timm layout), 27.6M params',
  legacy_seresnet18: 'SE-ResNet-18, original SENet layout, 11.8M params',
  legacy_seresnet34: 'SE-ResNet-34, original SENet layout, 22.0M params',
  legacy_seresnet50: 'SE-ResNet-50, original SENet layout (stride on the 1×1), 28.1M params',
  legacy_seresnet101: 'SE-ResNet-101, original SENet layout, 49.3M params',
  legacy_seresnet152: 'SE-ResNet-152, original SENet layout, 66.8M params',
  legacy_senet154: 'SENet-154, 115.1M params',
  legacy_seresnext50_32x4d: 'SE-ResNeXt-50 32×4d, original SENet layout, 27.6M params',
};

/** The registered SE network family. */
export const SENET_FAMILY: Family<SENetConfig, SENetOptions> = defineFamily<SENetConfig, SENetOptions>({
  name: 'senet',
  variants: SENET_VARIANTS,
  build: buildSENet,
  options: SENET_OPTION_KEYS,
  describe: (arch, config) => {
    const legacy = isLegacySENetConfig(config);
    return {
      description: DESCRIPTIONS[arch as SEResNetArch | LegacySENetArch],
      options: legacy ? LEGACY_SENET_OPTION_KEYS : RESNET_OPTION_KEYS,
      reference: legacy ? 'timm.models.senet' : 'timm.models.resnet',
      mappings: [legacy ? 'legacy' : 'timm'],
    };
  },
  paper: {
    title: 'Squeeze-and-Excitation Networks (Hu et al., 2018)',
    url: 'https://arxiv.org/abs/1709.01507',
  },
  pretrained: SENET_PRETRAINED,
  mappings: SENET_MAPPINGS,
  mappingAliases: { 'legacy-senet': 'legacy' },
});

/**
 * Registry definitions of the SE networks, by architecture id.
 *
 * @deprecated Use `SENET_FAMILY.definitions`.
 */
export const SENET_DEFINITIONS: Readonly<Record<SEResNetArch | LegacySENetArch, ModelDefinition>> =
  Object.freeze(
    Object.fromEntries(SENET_FAMILY.definitions.map((definition) => [definition.name, definition])),
  ) as Readonly<Record<SEResNetArch | LegacySENetArch, ModelDefinition>>;
