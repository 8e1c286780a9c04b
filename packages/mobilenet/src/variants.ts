/**
 * The MobileNet variants as data. A MobileNet's layer configuration follows from its version, its
 * reference layout and a width multiplier (a build option), so a variant records those and
 * {@link buildMobileNetVariant} derives the {@link MobileNetConfig} and builds it with `buildMobileNet`:
 * torchvision's ids (`mobilenet_v2`, `mobilenet_v3_large`, `mobilenet_v3_small`), the paper's
 * `mobilenet_v1`, and timm's ids for timm's layout at width 1.0 (`mobilenetv1_100`,
 * `mobilenetv2_100`, `mobilenetv3_large_100`).
 */
import type * as tfl from '@tensorflow/tfjs-layers';
import { invalidArgument } from '@tfzoo/core';
import {
  type MobileNetConfig,
  type MobileNetOptions,
  type MobileNetV1Options,
  mobilenetV1,
  mobilenetV2,
  mobilenetV3Large,
  mobilenetV3Small,
} from './mobilenet.js';

/** One registered MobileNet: which generation, and whether the id is timm's fixed-width layout. */
export interface MobileNetVariant {
  /** Architecture id. */
  name: string;
  /** The generation and size. */
  version: 'v1' | 'v2' | 'v3_large' | 'v3_small';
  /** timm's id at width 1.0 (`mobilenetv2_100`, …): timm's layout, width fixed by the id. */
  timm: boolean;
}

/** Every MobileNet variant by architecture id. */
export const MOBILENET_VARIANTS: Readonly<Record<string, MobileNetVariant>> = Object.freeze({
  mobilenet_v1: { name: 'mobilenet_v1', version: 'v1', timm: false },
  mobilenetv1_100: { name: 'mobilenetv1_100', version: 'v1', timm: true },
  mobilenet_v2: { name: 'mobilenet_v2', version: 'v2', timm: false },
  mobilenetv2_100: { name: 'mobilenetv2_100', version: 'v2', timm: true },
  mobilenet_v3_large: { name: 'mobilenet_v3_large', version: 'v3_large', timm: false },
  mobilenet_v3_small: { name: 'mobilenet_v3_small', version: 'v3_small', timm: false },
  mobilenetv3_large_100: { name: 'mobilenetv3_large_100', version: 'v3_large', timm: true },
});

const ENTRY_POINTS = {
  v1: { build: mobilenetV1, name: 'mobilenetV1' },
  v2: { build: mobilenetV2, name: 'mobilenetV2' },
  v3_large: { build: mobilenetV3Large, name: 'mobilenetV3Large' },
  v3_small: { build: mobilenetV3Small, name: 'mobilenetV3Small' },
} as const;

/**
 * Builds a registered MobileNet variant: its generation's entry point (`mobilenetV2`, …), which
 * derives the {@link MobileNetConfig} from the width options. A timm id refuses another width or
 * layout (the id names both).
 */
export function buildMobileNetVariant(
  variant: MobileNetVariant,
  options: MobileNetOptions & MobileNetV1Options = {},
): tfl.LayersModel {
  const entry = ENTRY_POINTS[variant.version];
  const arch = variant.name;
  if (!variant.timm) return (entry.build as (o: typeof options) => tfl.LayersModel)(options);
  if (options.widthMultiplier !== undefined && options.widthMultiplier !== 1) {
    throw invalidArgument(
      `widthMultiplier of ${arch}`,
      options.widthMultiplier,
      `1 (timm's width-1.0 architecture; use ${entry.name}({ widthMultiplier }) for other widths)`,
    );
  }
  const reference = (options as MobileNetOptions).reference;
  if (reference !== undefined && reference !== 'timm') {
    throw invalidArgument(
      `reference of ${arch}`,
      reference,
      "'timm' (the torchvision layout has its own id)",
    );
  }
  return (entry.build as (o: typeof options) => tfl.LayersModel)({
    ...options,
    ...(variant.version === 'v1' ? {} : { reference: 'timm' as const }),
    name: options.name ?? arch,
  });
}
