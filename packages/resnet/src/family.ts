/**
 * The ResNet family (registered on import): `variants.ts`, the builder of `resnet.ts`,
 * `pretrained.ts` and `mapping.ts` (`resnet/torchvision`, formerly `resnet`).
 */
import { defineFamily, type Family, type FamilyVariantInfo, type ModelDefinition } from '@tfzoo/core';
import { RESNET_MAPPINGS } from './mapping.js';
import { RESNET_PRETRAINED } from './pretrained.js';
import { buildResNet, RESNET_OPTION_KEYS, type ResNetConfig, type ResNetOptions } from './resnet.js';
import { RESNET_VARIANTS, type ResNetArch } from './variants.js';

const RESNET_PAPER = {
  title: 'Deep Residual Learning for Image Recognition (He et al., 2016)',
  url: 'https://arxiv.org/abs/1512.03385',
};
const RESNEXT_PAPER = {
  title: 'Aggregated Residual Transformations for Deep Neural Networks (Xie et al., 2017)',
  url: 'https://arxiv.org/abs/1611.05431',
};
const WIDE_PAPER = {
  title: 'Wide Residual Networks (Zagoruyko & Komodakis, 2016)',
  url: 'https://arxiv.org/abs/1605.07146',
};

const VARIANT_INFO: Readonly<Record<ResNetArch, FamilyVariantInfo>> = {
  resnet18: { description: 'ResNet-18: basic blocks [2,2,2,2], 11.7M params', paper: RESNET_PAPER },
  resnet34: { description: 'ResNet-34: basic blocks [3,4,6,3], 21.8M params', paper: RESNET_PAPER },
  resnet50: {
    description: 'ResNet-50 v1.5: bottlenecks [3,4,6,3], 25.6M params',
    paper: RESNET_PAPER,
    defaultTag: 'imagenet1k_v2',
  },
  resnet101: {
    description: 'ResNet-101 v1.5: bottlenecks [3,4,23,3], 44.5M params',
    paper: RESNET_PAPER,
    defaultTag: 'imagenet1k_v2',
  },
  resnet152: {
    description: 'ResNet-152 v1.5: bottlenecks [3,8,36,3], 60.2M params',
    paper: RESNET_PAPER,
    defaultTag: 'imagenet1k_v2',
  },
  resnext50_32x4d: {
    description: 'ResNeXt-50 32×4d: grouped bottlenecks [3,4,6,3], 25.0M params',
    paper: RESNEXT_PAPER,
    defaultTag: 'imagenet1k_v2',
  },
  resnext101_32x8d: {
    description: 'ResNeXt-101 32×8d: grouped bottlenecks [3,4,23,3], 88.8M params',
    paper: RESNEXT_PAPER,
    defaultTag: 'imagenet1k_v2',
  },
  resnext101_64x4d: {
    description: 'ResNeXt-101 64×4d: grouped bottlenecks [3,4,23,3], 83.5M params',
    paper: RESNEXT_PAPER,
  },
  wide_resnet50_2: {
    description: 'Wide ResNet-50-2: bottlenecks [3,4,6,3] twice as wide, 68.9M params',
    paper: WIDE_PAPER,
    defaultTag: 'imagenet1k_v2',
  },
  wide_resnet101_2: {
    description: 'Wide ResNet-101-2: bottlenecks [3,4,23,3] twice as wide, 126.9M params',
    paper: WIDE_PAPER,
    defaultTag: 'imagenet1k_v2',
  },
};

/** The registered ResNet family. */
export const RESNET_FAMILY: Family<ResNetConfig, ResNetOptions> = defineFamily<ResNetConfig, ResNetOptions>({
  name: 'resnet',
  variants: RESNET_VARIANTS,
  build: buildResNet,
  options: RESNET_OPTION_KEYS,
  describe: (arch) => VARIANT_INFO[arch as ResNetArch],
  reference: 'torchvision.models.resnet',
  pretrained: RESNET_PRETRAINED,
  mappings: RESNET_MAPPINGS,
  mappingAliases: { resnet: 'torchvision' },
});

/**
 * Registry definitions of the ResNet family, by architecture id.
 *
 * @deprecated Use `RESNET_FAMILY.definitions`.
 */
export const RESNET_DEFINITIONS: Readonly<Record<ResNetArch, ModelDefinition>> = Object.freeze(
  Object.fromEntries(RESNET_FAMILY.definitions.map((definition) => [definition.name, definition])),
) as Readonly<Record<ResNetArch, ModelDefinition>>;
