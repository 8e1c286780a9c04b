/** The TinyNet variants as data (habit 2) and one entry point per variant. */
import type * as tfl from '@tensorflow/tfjs-layers';
import { buildTinyNet, type TinyNetConfig, type TinyNetOptions } from './tinynet.js';

/** Every TinyNet variant by architecture id. */
export const TINYNET_VARIANTS = Object.freeze({
  tinynet_s: { name: 'tinynet_s', width: 8 },
  tinynet_m: { name: 'tinynet_m', width: 16 },
} as const satisfies Record<string, TinyNetConfig>);

/** TinyNet, width 8. */
export function tinynetS(options?: TinyNetOptions): tfl.LayersModel {
  return buildTinyNet(TINYNET_VARIANTS.tinynet_s, options);
}

/** TinyNet, width 16. */
export function tinynetM(options?: TinyNetOptions): tfl.LayersModel {
  return buildTinyNet(TINYNET_VARIANTS.tinynet_m, options);
}
