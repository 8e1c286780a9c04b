/**
 * The VGG variants as data (torchvision's `cfgs` A/B/D/E, each with and without batch-norm) and
 * one entry point per variant.
 */
import type * as tfl from '@tensorflow/tfjs-layers';
import { buildVgg, VGG_LAYERS, type VggConfig, type VggOptions } from './vgg.js';

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
  return buildVgg(variant('vgg11'), options);
}
/** VGG-11 with batch-norm, 132.9M parameters. */
export function vgg11Bn(options?: VggOptions): tfl.LayersModel {
  return buildVgg(variant('vgg11_bn'), options);
}
/** VGG-13 (configuration B), 133.0M parameters. */
export function vgg13(options?: VggOptions): tfl.LayersModel {
  return buildVgg(variant('vgg13'), options);
}
/** VGG-13 with batch-norm, 133.1M parameters. */
export function vgg13Bn(options?: VggOptions): tfl.LayersModel {
  return buildVgg(variant('vgg13_bn'), options);
}
/** VGG-16 (configuration D), 138.4M parameters. */
export function vgg16(options?: VggOptions): tfl.LayersModel {
  return buildVgg(variant('vgg16'), options);
}
/** VGG-16 with batch-norm, 138.4M parameters. */
export function vgg16Bn(options?: VggOptions): tfl.LayersModel {
  return buildVgg(variant('vgg16_bn'), options);
}
/** VGG-19 (configuration E), 143.7M parameters. */
export function vgg19(options?: VggOptions): tfl.LayersModel {
  return buildVgg(variant('vgg19'), options);
}
/** VGG-19 with batch-norm, 143.7M parameters. */
export function vgg19Bn(options?: VggOptions): tfl.LayersModel {
  return buildVgg(variant('vgg19_bn'), options);
}
