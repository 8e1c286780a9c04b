/**
 * The ResNet family's variants as data (torchvision's `resnet18` … `wide_resnet101_2` builder
 * arguments) and one entry point per variant.
 */
import type * as tfl from '@tensorflow/tfjs-layers';
import { buildResNet, type ResNetConfig, type ResNetOptions } from './resnet.js';

/** Architecture ids of the ResNet family, as torchvision names them. */
export type ResNetArch =
  | 'resnet18'
  | 'resnet34'
  | 'resnet50'
  | 'resnet101'
  | 'resnet152'
  | 'resnext50_32x4d'
  | 'resnext101_32x8d'
  | 'resnext101_64x4d'
  | 'wide_resnet50_2'
  | 'wide_resnet101_2';

/** Every variant's configuration (torchvision `models/resnet.py`). */
export const RESNET_VARIANTS: Readonly<Record<ResNetArch, ResNetConfig>> = Object.freeze({
  resnet18: { name: 'resnet18', block: 'basic', layers: [2, 2, 2, 2] },
  resnet34: { name: 'resnet34', block: 'basic', layers: [3, 4, 6, 3] },
  resnet50: { name: 'resnet50', block: 'bottleneck', layers: [3, 4, 6, 3] },
  resnet101: { name: 'resnet101', block: 'bottleneck', layers: [3, 4, 23, 3] },
  resnet152: { name: 'resnet152', block: 'bottleneck', layers: [3, 8, 36, 3] },
  resnext50_32x4d: {
    name: 'resnext50_32x4d',
    block: 'bottleneck',
    layers: [3, 4, 6, 3],
    groups: 32,
    widthPerGroup: 4,
  },
  resnext101_32x8d: {
    name: 'resnext101_32x8d',
    block: 'bottleneck',
    layers: [3, 4, 23, 3],
    groups: 32,
    widthPerGroup: 8,
  },
  resnext101_64x4d: {
    name: 'resnext101_64x4d',
    block: 'bottleneck',
    layers: [3, 4, 23, 3],
    groups: 64,
    widthPerGroup: 4,
  },
  wide_resnet50_2: { name: 'wide_resnet50_2', block: 'bottleneck', layers: [3, 4, 6, 3], widthPerGroup: 128 },
  wide_resnet101_2: {
    name: 'wide_resnet101_2',
    block: 'bottleneck',
    layers: [3, 4, 23, 3],
    widthPerGroup: 128,
  },
});

/** ResNet-18 (He et al., 2016): basic blocks [2, 2, 2, 2], 11.7M parameters. */
export function resnet18(options?: ResNetOptions): tfl.LayersModel {
  return buildResNet(RESNET_VARIANTS.resnet18, options);
}

/** ResNet-34: basic blocks [3, 4, 6, 3], 21.8M parameters. */
export function resnet34(options?: ResNetOptions): tfl.LayersModel {
  return buildResNet(RESNET_VARIANTS.resnet34, options);
}

/** ResNet-50 (torchvision's v1.5: stride on the 3×3): bottlenecks [3, 4, 6, 3], 25.6M parameters. */
export function resnet50(options?: ResNetOptions): tfl.LayersModel {
  return buildResNet(RESNET_VARIANTS.resnet50, options);
}

/** ResNet-101: bottlenecks [3, 4, 23, 3], 44.5M parameters. */
export function resnet101(options?: ResNetOptions): tfl.LayersModel {
  return buildResNet(RESNET_VARIANTS.resnet101, options);
}

/** ResNet-152: bottlenecks [3, 8, 36, 3], 60.2M parameters. */
export function resnet152(options?: ResNetOptions): tfl.LayersModel {
  return buildResNet(RESNET_VARIANTS.resnet152, options);
}

/** ResNeXt-50 32×4d (Xie et al., 2017): 32 groups of width 4 in the 3×3 convolutions, 25.0M parameters. */
export function resnext50_32x4d(options?: ResNetOptions): tfl.LayersModel {
  return buildResNet(RESNET_VARIANTS.resnext50_32x4d, options);
}

/** ResNeXt-101 32×8d: 32 groups of width 8, 88.8M parameters. */
export function resnext101_32x8d(options?: ResNetOptions): tfl.LayersModel {
  return buildResNet(RESNET_VARIANTS.resnext101_32x8d, options);
}

/** ResNeXt-101 64×4d: 64 groups of width 4, 83.5M parameters. */
export function resnext101_64x4d(options?: ResNetOptions): tfl.LayersModel {
  return buildResNet(RESNET_VARIANTS.resnext101_64x4d, options);
}

/** Wide ResNet-50-2 (Zagoruyko & Komodakis, 2016): bottlenecks twice as wide, 68.9M parameters. */
export function wideResnet50_2(options?: ResNetOptions): tfl.LayersModel {
  return buildResNet(RESNET_VARIANTS.wide_resnet50_2, options);
}

/** Wide ResNet-101-2: bottlenecks twice as wide, 126.9M parameters. */
export function wideResnet101_2(options?: ResNetOptions): tfl.LayersModel {
  return buildResNet(RESNET_VARIANTS.wide_resnet101_2, options);
}

/**
 * Every variant's configuration under its earlier name.
 *
 * @deprecated Use {@link RESNET_VARIANTS}.
 */
export const RESNET_CONFIGS: Readonly<Record<ResNetArch, ResNetConfig>> = RESNET_VARIANTS;
