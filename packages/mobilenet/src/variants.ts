/**
 * The MobileNet variants as data. A MobileNet's layer configuration follows from its version, its
 * reference layout and a width multiplier (a build option), so a variant records those and
 * {@link buildMobileNetVariant} derives the {@link MobileNetConfig} and builds it with `buildMobileNet`:
 * torchvision's ids (`mobilenet_v2`, `mobilenet_v3_large`, `mobilenet_v3_small`), the paper's
 * `mobilenet_v1`, timm's ids for timm's layout at width 1.0 (`mobilenetv1_100`, `mobilenetv2_100`),
 * and every MobileNetV3 of timm's `mobilenetv3.py` that timm publishes (`mobilenetv3_large_075`,
 * `_100`, `_150d`, `mobilenetv3_small_050`, `_075`, `_100`, `mobilenetv3_rw`, and the TensorFlow
 * ports `tf_mobilenetv3_*`, minimal ones included), built by `timmMobileNetV3Config`.
 */
import type * as tfl from '@tensorflow/tfjs-layers';
import { BUILD_OPTION_KEYS, type BuildOptions, checkOptionKeys, invalidArgument } from '@tfzoo/core';
import {
  buildMobileNet,
  MOBILENET_OPTION_KEYS,
  type MobileNetConfig,
  type MobileNetOptions,
  type MobileNetV1Options,
  mobilenetV1,
  mobilenetV2,
  mobilenetV3Large,
  mobilenetV3Small,
  type TimmMobileNetV3Spec,
  timmMobileNetV3Config,
} from './mobilenet.js';

/** One registered MobileNet: which generation, and whether the id is timm's fixed-width layout. */
export interface MobileNetVariant {
  /** Architecture id. */
  name: string;
  /** The generation and size. */
  version: 'v1' | 'v2' | 'v3_large' | 'v3_small';
  /** timm's id (`mobilenetv2_100`, …): timm's layout, width fixed by the id. */
  timm: boolean;
  /** timm's MobileNetV3 definition of the id (width, depth, minimal, TF port, rw), for timm's V3 ids. */
  timmV3?: Readonly<Omit<TimmMobileNetV3Spec, 'name'>>;
  /** Default square input size when it is not 224 (timm's `input_size` of the id's weights). */
  inputSize?: number;
}

function timmV3(name: string, timmV3: Omit<TimmMobileNetV3Spec, 'name'>): MobileNetVariant {
  return { name, version: timmV3.size === 'large' ? 'v3_large' : 'v3_small', timm: true, timmV3 };
}

/** Every MobileNet variant by architecture id. */
export const MOBILENET_VARIANTS: Readonly<Record<string, MobileNetVariant>> = Object.freeze({
  mobilenet_v1: { name: 'mobilenet_v1', version: 'v1', timm: false },
  mobilenetv1_100: { name: 'mobilenetv1_100', version: 'v1', timm: true },
  mobilenet_v2: { name: 'mobilenet_v2', version: 'v2', timm: false },
  mobilenetv2_100: { name: 'mobilenetv2_100', version: 'v2', timm: true },
  mobilenet_v3_large: { name: 'mobilenet_v3_large', version: 'v3_large', timm: false },
  mobilenet_v3_small: { name: 'mobilenet_v3_small', version: 'v3_small', timm: false },
  mobilenetv3_large_075: timmV3('mobilenetv3_large_075', { size: 'large', widthMultiplier: 0.75 }),
  mobilenetv3_large_100: timmV3('mobilenetv3_large_100', { size: 'large', widthMultiplier: 1 }),
  mobilenetv3_large_150d: {
    ...timmV3('mobilenetv3_large_150d', { size: 'large', widthMultiplier: 1.5, depthMultiplier: 1.2 }),
    inputSize: 256,
  },
  mobilenetv3_small_050: timmV3('mobilenetv3_small_050', { size: 'small', widthMultiplier: 0.5 }),
  mobilenetv3_small_075: timmV3('mobilenetv3_small_075', { size: 'small', widthMultiplier: 0.75 }),
  mobilenetv3_small_100: timmV3('mobilenetv3_small_100', { size: 'small', widthMultiplier: 1 }),
  mobilenetv3_rw: timmV3('mobilenetv3_rw', { size: 'large', widthMultiplier: 1, rw: true }),
  tf_mobilenetv3_large_075: timmV3('tf_mobilenetv3_large_075', {
    size: 'large',
    widthMultiplier: 0.75,
    tf: true,
  }),
  tf_mobilenetv3_large_100: timmV3('tf_mobilenetv3_large_100', {
    size: 'large',
    widthMultiplier: 1,
    tf: true,
  }),
  tf_mobilenetv3_large_minimal_100: timmV3('tf_mobilenetv3_large_minimal_100', {
    size: 'large',
    widthMultiplier: 1,
    minimal: true,
    tf: true,
  }),
  tf_mobilenetv3_small_075: timmV3('tf_mobilenetv3_small_075', {
    size: 'small',
    widthMultiplier: 0.75,
    tf: true,
  }),
  tf_mobilenetv3_small_100: timmV3('tf_mobilenetv3_small_100', {
    size: 'small',
    widthMultiplier: 1,
    tf: true,
  }),
  tf_mobilenetv3_small_minimal_100: timmV3('tf_mobilenetv3_small_minimal_100', {
    size: 'small',
    widthMultiplier: 1,
    minimal: true,
    tf: true,
  }),
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
  const width = variant.timmV3?.widthMultiplier ?? 1;
  if (options.widthMultiplier !== undefined && options.widthMultiplier !== width) {
    throw invalidArgument(
      `widthMultiplier of ${arch}`,
      options.widthMultiplier,
      `${width} (timm's width-${Number.isInteger(width) ? width.toFixed(1) : width} architecture; use ${entry.name}({ widthMultiplier }) for other widths)`,
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
  if (variant.timmV3) {
    const name = typeof options.name === 'string' ? options.name : arch;
    checkOptionKeys(options, [...BUILD_OPTION_KEYS, ...MOBILENET_OPTION_KEYS], name);
    const { widthMultiplier: _width, reference: _reference, ...build } = options as MobileNetOptions;
    const size = variant.inputSize;
    const inputShape = build.inputShape ?? (size === undefined ? undefined : [size, size, 3]);
    return buildMobileNet(timmMobileNetV3Config({ ...variant.timmV3, name }), {
      ...(build as BuildOptions),
      ...(inputShape === undefined ? {} : { inputShape }),
    });
  }
  return (entry.build as (o: typeof options) => tfl.LayersModel)({
    ...options,
    ...(variant.version === 'v1' ? {} : { reference: 'timm' as const }),
    name: options.name ?? arch,
  });
}
