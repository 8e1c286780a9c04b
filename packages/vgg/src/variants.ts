/**
 * The VGG variants as data (torchvision's `cfgs` A/B/D/E, each with and without batch-norm), their
 * builders and their registry entries (registered on import).
 */
import type * as tfl from '@tensorflow/tfjs-layers';
import { defineModel, type ModelDefinition, registerModel } from '@tfzoo/core';
import { VGG_TIMM_MAPPING, VGG_TORCHVISION_MAPPING } from './mapping.js';
import { vggPretrained } from './pretrained.js';
import { VGG_LAYERS, VGG_OPTION_KEYS, type VggConfig, type VggOptions, vgg } from './vgg.js';

/** Every VGG variant torchvision defines, by architecture id. */
export const VGG_VARIANTS: Readonly<Record<string, VggConfig>> = Object.freeze({
  vgg11: { name: 'vgg11', layers: VGG_LAYERS.A, batchNorm: false },
  vgg11_bn: { name: 'vgg11_bn', layers: VGG_LAYERS.A, batchNorm: true },
  vgg13: { name: 'vgg13', layers: VGG_LAYERS.B, batchNorm: false },
  vgg13_bn: { name: 'vgg13_bn', layers: VGG_LAYERS.B, batchNorm: true },
  vgg16: { name: 'vgg16', layers: VGG_LAYERS.D, batchNorm: false },
  vgg16_bn: { name: 'vgg16_bn', layers: VGG_LAYERS.D, batchNorm: true },
  vgg19: { name: 'vgg19', layers: VGG_LAYERS.E, batchNorm: false },
  vgg19_bn: { name: 'vgg19_bn', layers: VGG_LAYERS.E, batchNorm: true },
});

function variant(name: string): VggConfig {
  return VGG_VARIANTS[name] as VggConfig;
}

/** VGG-11 (configuration A), 132.9M parameters. */
export function vgg11(options?: VggOptions): tfl.LayersModel {
  return vgg(variant('vgg11'), options);
}
/** VGG-11 with batch-norm, 132.9M parameters. */
export function vgg11Bn(options?: VggOptions): tfl.LayersModel {
  return vgg(variant('vgg11_bn'), options);
}
/** VGG-13 (configuration B), 133.0M parameters. */
export function vgg13(options?: VggOptions): tfl.LayersModel {
  return vgg(variant('vgg13'), options);
}
/** VGG-13 with batch-norm, 133.1M parameters. */
export function vgg13Bn(options?: VggOptions): tfl.LayersModel {
  return vgg(variant('vgg13_bn'), options);
}
/** VGG-16 (configuration D), 138.4M parameters. */
export function vgg16(options?: VggOptions): tfl.LayersModel {
  return vgg(variant('vgg16'), options);
}
/** VGG-16 with batch-norm, 138.4M parameters. */
export function vgg16Bn(options?: VggOptions): tfl.LayersModel {
  return vgg(variant('vgg16_bn'), options);
}
/** VGG-19 (configuration E), 143.7M parameters. */
export function vgg19(options?: VggOptions): tfl.LayersModel {
  return vgg(variant('vgg19'), options);
}
/** VGG-19 with batch-norm, 143.7M parameters. */
export function vgg19Bn(options?: VggOptions): tfl.LayersModel {
  return vgg(variant('vgg19_bn'), options);
}

function definition(name: string): ModelDefinition {
  const config = variant(name);
  const depth = config.layers.filter((spec) => spec !== 'M').length + 3;
  const pretrained = vggPretrained(name);
  // The default is the file whose full sha256 is known: timm's safetensors for vgg16 / vgg16_bn,
  // torchvision's .pth (sha256 prefix in its name) for the others.
  const timm = pretrained.find((c) => c.tag === 'tv_in1k');
  return defineModel({
    name,
    family: 'vgg',
    options: VGG_OPTION_KEYS,
    build: (options) => vgg(config, options),
    description: `VGG-${depth}${config.batchNorm ? ' with batch-norm' : ''}: 3×3 convolutions, adaptive pool to 7×7, 4096-4096 classifier`,
    paper: {
      title:
        'Very Deep Convolutional Networks for Large-Scale Image Recognition (Simonyan & Zisserman, 2015)',
      url: 'https://arxiv.org/abs/1409.1556',
    },
    reference: 'torchvision.models.vgg',
    pretrained,
    defaultTag: timm?.source.sha256 ? 'tv_in1k' : 'tv_pth_in1k',
    defaultMapping: VGG_TORCHVISION_MAPPING,
    mappings: [VGG_TORCHVISION_MAPPING, VGG_TIMM_MAPPING],
  });
}

/** Registry definitions of `vgg11` … `vgg19_bn`, in torchvision's order. */
export const vggDefinitions: readonly ModelDefinition[] = Object.keys(VGG_VARIANTS).map(definition);

registerModel(...vggDefinitions);
