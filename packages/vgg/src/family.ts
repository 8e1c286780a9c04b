/**
 * The VGG family (registered on import): the variants of `variants.ts`, the builder of `vgg.ts`,
 * the weights of `pretrained.ts` and the mappings of `mapping.ts`, as `vgg/torchvision` and `vgg/timm`.
 */
import { defineFamily, type Family, type ModelDefinition } from '@tfzoo/core';
import { VGG_MAPPINGS } from './mapping.js';
import { VGG_PRETRAINED } from './pretrained.js';
import { VGG_VARIANTS } from './variants.js';
import { buildVgg, VGG_OPTION_KEYS, type VggConfig, type VggOptions } from './vgg.js';

/** The registered VGG family. */
export const VGG_FAMILY: Family<VggConfig, VggOptions> = defineFamily<VggConfig, VggOptions>({
  name: 'vgg',
  variants: VGG_VARIANTS,
  build: buildVgg,
  options: VGG_OPTION_KEYS,
  describe: (arch, config) => {
    const depth = config.layers.filter((spec) => spec !== 'M').length + 3;
    // The default is the file whose full sha256 is known: timm's safetensors for vgg16 / vgg16_bn,
    // torchvision's .pth (sha256 prefix in its name) for the others.
    const timm = VGG_PRETRAINED.find((entry) => entry.arch === arch && entry.tag === 'tv_in1k');
    return {
      description: `VGG-${depth}${config.batchNorm ? ' with batch-norm' : ''}: 3×3 convolutions, adaptive pool to 7×7, 4096-4096 classifier`,
      defaultTag: timm?.source.sha256 ? 'tv_in1k' : 'tv_pth_in1k',
    };
  },
  paper: {
    title: 'Very Deep Convolutional Networks for Large-Scale Image Recognition (Simonyan & Zisserman, 2015)',
    url: 'https://arxiv.org/abs/1409.1556',
  },
  reference: 'torchvision.models.vgg',
  pretrained: VGG_PRETRAINED,
  mappings: VGG_MAPPINGS,
  mappingAliases: { 'timm-vgg': 'timm' },
});

/**
 * Registry definitions of `vgg11` … `vgg19_bn`, in torchvision's order.
 *
 * @deprecated Use `VGG_FAMILY.definitions`.
 */
export const vggDefinitions: readonly ModelDefinition[] = VGG_FAMILY.definitions;
