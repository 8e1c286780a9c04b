/** The Xception variants as data (timm's `legacy_xception`) and their entry point. */
import type * as tfl from '@tensorflow/tfjs-layers';
import {
  buildXception,
  LEGACY_XCEPTION_CONFIG,
  type XceptionConfig,
  type XceptionOptions,
} from './xception.js';

/** Every Xception variant by architecture id. */
export const XCEPTION_VARIANTS: Readonly<Record<'legacy_xception', XceptionConfig>> = Object.freeze({
  legacy_xception: LEGACY_XCEPTION_CONFIG,
});

/** Xception (Chollet, 2017) in timm's `legacy_xception` layout: 299×299 input, 22.9M parameters. */
export function legacyXception(options?: XceptionOptions): tfl.LayersModel {
  return buildXception(LEGACY_XCEPTION_CONFIG, options);
}
