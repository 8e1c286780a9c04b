/**
 * The ResNet family's variants as data (torchvision's `resnet18` … `wide_resnet101_2` builder
 * arguments), their builders, and their registry entries (registered on import).
 */
import type * as tfl from '@tensorflow/tfjs-layers';
import { defineModel, type ModelDefinition, registerModel } from '@tfzoo/core';
import { RESNET_MAPPING_ID } from './mapping.js';
import { PRETRAINED } from './pretrained.js';
import { buildResNet, RESNET_OPTION_KEYS, type ResNetConfig, type ResNetOptions } from './resnet.js';

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
export const RESNET_CONFIGS: Readonly<Record<ResNetArch, ResNetConfig>> = Object.freeze({
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
  return buildResNet(RESNET_CONFIGS.resnet18, options);
}

/** ResNet-34: basic blocks [3, 4, 6, 3], 21.8M parameters. */
export function resnet34(options?: ResNetOptions): tfl.LayersModel {
  return buildResNet(RESNET_CONFIGS.resnet34, options);
}

/** ResNet-50 (torchvision's v1.5: stride on the 3×3): bottlenecks [3, 4, 6, 3], 25.6M parameters. */
export function resnet50(options?: ResNetOptions): tfl.LayersModel {
  return buildResNet(RESNET_CONFIGS.resnet50, options);
}

/** ResNet-101: bottlenecks [3, 4, 23, 3], 44.5M parameters. */
export function resnet101(options?: ResNetOptions): tfl.LayersModel {
  return buildResNet(RESNET_CONFIGS.resnet101, options);
}

/** ResNet-152: bottlenecks [3, 8, 36, 3], 60.2M parameters. */
export function resnet152(options?: ResNetOptions): tfl.LayersModel {
  return buildResNet(RESNET_CONFIGS.resnet152, options);
}

/** ResNeXt-50 32×4d (Xie et al., 2017): 32 groups of width 4 in the 3×3 convolutions, 25.0M parameters. */
export function resnext50_32x4d(options?: ResNetOptions): tfl.LayersModel {
  return buildResNet(RESNET_CONFIGS.resnext50_32x4d, options);
}

/** ResNeXt-101 32×8d: 32 groups of width 8, 88.8M parameters. */
export function resnext101_32x8d(options?: ResNetOptions): tfl.LayersModel {
  return buildResNet(RESNET_CONFIGS.resnext101_32x8d, options);
}

/** ResNeXt-101 64×4d: 64 groups of width 4, 83.5M parameters. */
export function resnext101_64x4d(options?: ResNetOptions): tfl.LayersModel {
  return buildResNet(RESNET_CONFIGS.resnext101_64x4d, options);
}

/** Wide ResNet-50-2 (Zagoruyko & Komodakis, 2016): bottlenecks twice as wide, 68.9M parameters. */
export function wideResnet50_2(options?: ResNetOptions): tfl.LayersModel {
  return buildResNet(RESNET_CONFIGS.wide_resnet50_2, options);
}

/** Wide ResNet-101-2: bottlenecks twice as wide, 126.9M parameters. */
export function wideResnet101_2(options?: ResNetOptions): tfl.LayersModel {
  return buildResNet(RESNET_CONFIGS.wide_resnet101_2, options);
}

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

function definition(
  arch: ResNetArch,
  build: (options?: ResNetOptions) => tfl.LayersModel,
  description: string,
  paper: { title: string; url: string },
  defaultTag?: string,
): ModelDefinition {
  const pretrained = PRETRAINED.filter((config) => config.arch === arch);
  return defineModel({
    name: arch,
    family: 'resnet',
    options: RESNET_OPTION_KEYS,
    build,
    description,
    paper,
    reference: 'torchvision.models.resnet',
    defaultMapping: RESNET_MAPPING_ID,
    ...(pretrained.length > 0 ? { pretrained } : {}),
    ...(defaultTag === undefined ? {} : { defaultTag }),
  });
}

/** Registry definitions of the ResNet family, by architecture id. */
export const RESNET_DEFINITIONS: Readonly<Record<ResNetArch, ModelDefinition>> = Object.freeze({
  resnet18: definition('resnet18', resnet18, 'ResNet-18: basic blocks [2,2,2,2], 11.7M params', RESNET_PAPER),
  resnet34: definition('resnet34', resnet34, 'ResNet-34: basic blocks [3,4,6,3], 21.8M params', RESNET_PAPER),
  resnet50: definition(
    'resnet50',
    resnet50,
    'ResNet-50 v1.5: bottlenecks [3,4,6,3], 25.6M params',
    RESNET_PAPER,
    'imagenet1k_v2',
  ),
  resnet101: definition(
    'resnet101',
    resnet101,
    'ResNet-101 v1.5: bottlenecks [3,4,23,3], 44.5M params',
    RESNET_PAPER,
    'imagenet1k_v2',
  ),
  resnet152: definition(
    'resnet152',
    resnet152,
    'ResNet-152 v1.5: bottlenecks [3,8,36,3], 60.2M params',
    RESNET_PAPER,
    'imagenet1k_v2',
  ),
  resnext50_32x4d: definition(
    'resnext50_32x4d',
    resnext50_32x4d,
    'ResNeXt-50 32×4d: grouped bottlenecks [3,4,6,3], 25.0M params',
    RESNEXT_PAPER,
    'imagenet1k_v2',
  ),
  resnext101_32x8d: definition(
    'resnext101_32x8d',
    resnext101_32x8d,
    'ResNeXt-101 32×8d: grouped bottlenecks [3,4,23,3], 88.8M params',
    RESNEXT_PAPER,
    'imagenet1k_v2',
  ),
  resnext101_64x4d: definition(
    'resnext101_64x4d',
    resnext101_64x4d,
    'ResNeXt-101 64×4d: grouped bottlenecks [3,4,23,3], 83.5M params',
    RESNEXT_PAPER,
  ),
  wide_resnet50_2: definition(
    'wide_resnet50_2',
    wideResnet50_2,
    'Wide ResNet-50-2: bottlenecks [3,4,6,3] twice as wide, 68.9M params',
    WIDE_PAPER,
    'imagenet1k_v2',
  ),
  wide_resnet101_2: definition(
    'wide_resnet101_2',
    wideResnet101_2,
    'Wide ResNet-101-2: bottlenecks [3,4,23,3] twice as wide, 126.9M params',
    WIDE_PAPER,
    'imagenet1k_v2',
  ),
});

registerModel(...Object.values(RESNET_DEFINITIONS));
