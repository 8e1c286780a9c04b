/**
 * The SE networks' variants as data and one entry point per variant:
 *
 * - timm's `seresnet18/34/50/101/152` and `seresnext50_32x4d`: timm's `ResNet` (torchvision's
 *   layout, stride on the 3×3) with `attn_layer='se'`: SE after each block's last batch norm,
 *   `make_divisible(C / 16, 8)` bottleneck channels, zero-init of that batch norm's γ by default
 *   (`zero_init_last=True`). Built by `@tfzoo/resnet`'s builder.
 * - the original SENet layout, timm's `legacy_seresnet18/34/50/101/152`, `legacy_senet154` and
 *   `legacy_seresnext50_32x4d` (`timm/models/senet.py`).
 */
import type * as tfl from '@tensorflow/tfjs-layers';
import { buildResNet, type ResNetConfig, type ResNetOptions } from '@tfzoo/resnet';
import {
  buildLegacySENet,
  type LegacySENetConfig,
  type LegacySENetOptions,
  type SENetConfig,
} from './senet.js';

/** timm's squeeze-and-excitation defaults (`SEModule`: `rd_ratio=1/16`, `rd_divisor=8`). */
export const TIMM_SE = Object.freeze({ ratio: 1 / 16, divisor: 8 });

/** Architecture ids of timm's SE-ResNets. */
export type SEResNetArch =
  | 'seresnet18'
  | 'seresnet34'
  | 'seresnet50'
  | 'seresnet101'
  | 'seresnet152'
  | 'seresnext50_32x4d';

/** Architecture ids of the legacy SENets. */
export type LegacySENetArch =
  | 'legacy_seresnet18'
  | 'legacy_seresnet34'
  | 'legacy_seresnet50'
  | 'legacy_seresnet101'
  | 'legacy_seresnet152'
  | 'legacy_senet154'
  | 'legacy_seresnext50_32x4d';

function seResNet(name: string, block: 'basic' | 'bottleneck', layers: ResNetConfig['layers']): ResNetConfig {
  return { name, block, layers, se: TIMM_SE, zeroInitResidual: true };
}

/** timm's SE-ResNet configurations (`timm/models/resnet.py`). */
export const SERESNET_CONFIGS: Readonly<Record<SEResNetArch, ResNetConfig>> = Object.freeze({
  seresnet18: seResNet('seresnet18', 'basic', [2, 2, 2, 2]),
  seresnet34: seResNet('seresnet34', 'basic', [3, 4, 6, 3]),
  seresnet50: seResNet('seresnet50', 'bottleneck', [3, 4, 6, 3]),
  seresnet101: seResNet('seresnet101', 'bottleneck', [3, 4, 23, 3]),
  seresnet152: seResNet('seresnet152', 'bottleneck', [3, 8, 36, 3]),
  seresnext50_32x4d: {
    ...seResNet('seresnext50_32x4d', 'bottleneck', [3, 4, 6, 3]),
    groups: 32,
    widthPerGroup: 4,
  },
});

/** The legacy SENet configurations (`timm/models/senet.py`). */
export const LEGACY_SENET_CONFIGS: Readonly<Record<LegacySENetArch, LegacySENetConfig>> = Object.freeze({
  legacy_seresnet18: {
    name: 'legacy_seresnet18',
    block: 'basic',
    layers: [2, 2, 2, 2],
    groups: 1,
    reduction: 16,
  },
  legacy_seresnet34: {
    name: 'legacy_seresnet34',
    block: 'basic',
    layers: [3, 4, 6, 3],
    groups: 1,
    reduction: 16,
  },
  legacy_seresnet50: {
    name: 'legacy_seresnet50',
    block: 'bottleneck',
    layers: [3, 4, 6, 3],
    groups: 1,
    reduction: 16,
  },
  legacy_seresnet101: {
    name: 'legacy_seresnet101',
    block: 'bottleneck',
    layers: [3, 4, 23, 3],
    groups: 1,
    reduction: 16,
  },
  legacy_seresnet152: {
    name: 'legacy_seresnet152',
    block: 'bottleneck',
    layers: [3, 8, 36, 3],
    groups: 1,
    reduction: 16,
  },
  legacy_senet154: {
    name: 'legacy_senet154',
    block: 'senet',
    layers: [3, 8, 36, 3],
    groups: 64,
    reduction: 16,
    inplanes: 128,
    input3x3: true,
    downsampleKernelSize: 3,
    downsamplePadding: 1,
  },
  legacy_seresnext50_32x4d: {
    name: 'legacy_seresnext50_32x4d',
    block: 'resnext',
    layers: [3, 4, 6, 3],
    groups: 32,
    reduction: 16,
  },
});

/** SE-ResNet-18 (timm): ResNet-18 with SE after each block's last batch norm, 11.8M parameters. */
export function seresnet18(options?: ResNetOptions): tfl.LayersModel {
  return buildResNet(SERESNET_CONFIGS.seresnet18, options);
}

/** SE-ResNet-34 (timm), 22.0M parameters. */
export function seresnet34(options?: ResNetOptions): tfl.LayersModel {
  return buildResNet(SERESNET_CONFIGS.seresnet34, options);
}

/** SE-ResNet-50 (timm), 28.1M parameters. */
export function seresnet50(options?: ResNetOptions): tfl.LayersModel {
  return buildResNet(SERESNET_CONFIGS.seresnet50, options);
}

/** SE-ResNet-101 (timm), 49.3M parameters. */
export function seresnet101(options?: ResNetOptions): tfl.LayersModel {
  return buildResNet(SERESNET_CONFIGS.seresnet101, options);
}

/** SE-ResNet-152 (timm), 66.8M parameters. */
export function seresnet152(options?: ResNetOptions): tfl.LayersModel {
  return buildResNet(SERESNET_CONFIGS.seresnet152, options);
}

/** SE-ResNeXt-50 32×4d (timm), 27.6M parameters. */
export function seresnext50_32x4d(options?: ResNetOptions): tfl.LayersModel {
  return buildResNet(SERESNET_CONFIGS.seresnext50_32x4d, options);
}

/** SE-ResNet-18 in the original SENet layout (timm's `legacy_seresnet18`), 11.8M parameters. */
export function legacySeresnet18(options?: LegacySENetOptions): tfl.LayersModel {
  return buildLegacySENet(LEGACY_SENET_CONFIGS.legacy_seresnet18, options);
}

/** SE-ResNet-34, original layout, 22.0M parameters. */
export function legacySeresnet34(options?: LegacySENetOptions): tfl.LayersModel {
  return buildLegacySENet(LEGACY_SENET_CONFIGS.legacy_seresnet34, options);
}

/** SE-ResNet-50, original layout (stride on the first 1×1), 28.1M parameters. */
export function legacySeresnet50(options?: LegacySENetOptions): tfl.LayersModel {
  return buildLegacySENet(LEGACY_SENET_CONFIGS.legacy_seresnet50, options);
}

/** SE-ResNet-101, original layout, 49.3M parameters. */
export function legacySeresnet101(options?: LegacySENetOptions): tfl.LayersModel {
  return buildLegacySENet(LEGACY_SENET_CONFIGS.legacy_seresnet101, options);
}

/** SE-ResNet-152, original layout, 66.8M parameters. */
export function legacySeresnet152(options?: LegacySENetOptions): tfl.LayersModel {
  return buildLegacySENet(LEGACY_SENET_CONFIGS.legacy_seresnet152, options);
}

/** SENet-154 (Hu et al., 2018): 64-group SE bottlenecks, 3×3 stem, 115.1M parameters. */
export function legacySenet154(options?: LegacySENetOptions): tfl.LayersModel {
  return buildLegacySENet(LEGACY_SENET_CONFIGS.legacy_senet154, options);
}

/** SE-ResNeXt-50 32×4d, original layout, 27.6M parameters. */
export function legacySeresnext50_32x4d(options?: LegacySENetOptions): tfl.LayersModel {
  return buildLegacySENet(LEGACY_SENET_CONFIGS.legacy_seresnext50_32x4d, options);
}

/** Every SE network variant by architecture id: timm's SE-ResNets, then the legacy SENets. */
export const SENET_VARIANTS: Readonly<Record<SEResNetArch | LegacySENetArch, SENetConfig>> = Object.freeze({
  ...SERESNET_CONFIGS,
  ...LEGACY_SENET_CONFIGS,
});
