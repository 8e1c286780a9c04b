/**
 * The ShuffleNet family's variants as data — v1 for every group count of the paper's Table 1 at
 * widths 0.5×, 1×, 1.5×, 2×, and torchvision's four ShuffleNetV2 sizes — their builders, and their
 * registry entries (registered on import).
 *
 * v1 ids: `shufflenet_v1_g<groups>_x<width>` with the width written like torchvision's v2 ids
 * (`shufflenet_v1_g3_x1_0`, `shufflenet_v1_g8_x0_5`).
 */
import type * as tfl from '@tensorflow/tfjs-layers';
import { invalidArgument } from '@tfzoo/core';
import {
  buildShuffleNetV1,
  buildShuffleNetV2,
  type ShuffleNetConfig,
  type ShuffleNetV1Config,
  type ShuffleNetV1Groups,
  type ShuffleNetV1Options,
  type ShuffleNetV1Width,
  type ShuffleNetV2Config,
  type ShuffleNetV2Options,
  shuffleNetV1Config,
} from './shufflenet.js';

/** Architecture ids of torchvision's ShuffleNetV2 sizes. */
export type ShuffleNetV2Arch =
  | 'shufflenet_v2_x0_5'
  | 'shufflenet_v2_x1_0'
  | 'shufflenet_v2_x1_5'
  | 'shufflenet_v2_x2_0';

/** torchvision's ShuffleNetV2 configurations (`models/shufflenetv2.py`). */
export const SHUFFLENET_V2_CONFIGS: Readonly<Record<ShuffleNetV2Arch, ShuffleNetV2Config>> = Object.freeze({
  shufflenet_v2_x0_5: {
    name: 'shufflenet_v2_x0_5',
    stageRepeats: [4, 8, 4],
    stageChannels: [24, 48, 96, 192, 1024],
  },
  shufflenet_v2_x1_0: {
    name: 'shufflenet_v2_x1_0',
    stageRepeats: [4, 8, 4],
    stageChannels: [24, 116, 232, 464, 1024],
  },
  shufflenet_v2_x1_5: {
    name: 'shufflenet_v2_x1_5',
    stageRepeats: [4, 8, 4],
    stageChannels: [24, 176, 352, 704, 1024],
  },
  shufflenet_v2_x2_0: {
    name: 'shufflenet_v2_x2_0',
    stageRepeats: [4, 8, 4],
    stageChannels: [24, 244, 488, 976, 2048],
  },
});

/** Group counts with registered ShuffleNet v1 variants. */
export const SHUFFLENET_V1_GROUPS: readonly ShuffleNetV1Groups[] = [1, 2, 3, 4, 8];

/** Width multipliers with registered ShuffleNet v1 variants. */
export const SHUFFLENET_V1_WIDTHS: readonly ShuffleNetV1Width[] = [0.5, 1, 1.5, 2];

/** Every registered ShuffleNet v1 configuration, by id. */
export const SHUFFLENET_V1_CONFIGS: Readonly<Record<string, ShuffleNetV1Config>> = Object.freeze(
  Object.fromEntries(
    SHUFFLENET_V1_GROUPS.flatMap((groups) =>
      SHUFFLENET_V1_WIDTHS.map((width) => {
        const config = shuffleNetV1Config(groups, width);
        return [config.name, config];
      }),
    ),
  ),
);

/** Options of {@link shufflenetV1}: the build options plus which variant. */
export interface ShuffleNetV1VariantOptions extends ShuffleNetV1Options {
  /** Groups of the 1×1 convolutions (default 3). */
  groups?: ShuffleNetV1Groups;
  /** Width multiplier (default 1). */
  width?: ShuffleNetV1Width;
}

/**
 * ShuffleNet v1 "s× (g = groups)" (Zhang et al., 2018); default 1× with g = 3, 1.9M parameters.
 * No ImageNet weights exist upstream.
 */
export function shufflenetV1(options: ShuffleNetV1VariantOptions = {}): tfl.LayersModel {
  if (typeof options !== 'object' || options === null) {
    throw invalidArgument('options', options, 'an object of build options');
  }
  const { groups = 3, width = 1, ...rest } = options;
  return buildShuffleNetV1(shuffleNetV1Config(groups, width), rest);
}

/** ShuffleNet V2 0.5× (torchvision `shufflenet_v2_x0_5`), 1.4M parameters. */
export function shufflenetV2X0_5(options?: ShuffleNetV2Options): tfl.LayersModel {
  return buildShuffleNetV2(SHUFFLENET_V2_CONFIGS.shufflenet_v2_x0_5, options);
}

/** ShuffleNet V2 1.0× (torchvision `shufflenet_v2_x1_0`), 2.3M parameters. */
export function shufflenetV2X1_0(options?: ShuffleNetV2Options): tfl.LayersModel {
  return buildShuffleNetV2(SHUFFLENET_V2_CONFIGS.shufflenet_v2_x1_0, options);
}

/** ShuffleNet V2 1.5× (torchvision `shufflenet_v2_x1_5`), 3.5M parameters. */
export function shufflenetV2X1_5(options?: ShuffleNetV2Options): tfl.LayersModel {
  return buildShuffleNetV2(SHUFFLENET_V2_CONFIGS.shufflenet_v2_x1_5, options);
}

/** ShuffleNet V2 2.0× (torchvision `shufflenet_v2_x2_0`), 7.4M parameters. */
export function shufflenetV2X2_0(options?: ShuffleNetV2Options): tfl.LayersModel {
  return buildShuffleNetV2(SHUFFLENET_V2_CONFIGS.shufflenet_v2_x2_0, options);
}

/** Every ShuffleNet variant by architecture id: the v1 grid (groups × widths), then torchvision's V2 sizes. */
export const SHUFFLENET_VARIANTS: Readonly<Record<string, ShuffleNetConfig>> = Object.freeze({
  ...SHUFFLENET_V1_CONFIGS,
  ...SHUFFLENET_V2_CONFIGS,
});
