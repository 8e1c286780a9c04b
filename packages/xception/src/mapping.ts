/**
 * Reference names → tfzoo weights for Xception: timm's `legacy_xception` state dicts (`conv1.weight`,
 * `bn1.*`, `block1.skip.weight`, `block1.rep.0.conv1.weight` (depthwise `[C, 1, 3, 3]`),
 * `block1.rep.0.pointwise.weight`, `block1.rep.1.*`, …, `conv4.pointwise.weight`, `bn4.*`,
 * `fc.*`). Every module is one plain tfjs layer of the same name (`.` → `_`), so core's mechanical
 * rule and its layouts (conv, depthwise, batch-norm, dense) do everything.
 */
import type { WeightMapping } from '@tfzoo/core';

/** Xception's weight mappings by source; registered as `xception/timm`. */
export const XCEPTION_MAPPINGS: Readonly<Record<'timm', WeightMapping>> = Object.freeze({
  timm: { description: "timm's legacy_xception state dicts (module path with . → _)" },
});

/**
 * Id of the mapping of timm's `legacy_xception` files.
 *
 * @deprecated Use `XCEPTION_FAMILY.mappingIds.timm` (the same id).
 */
export const XCEPTION_TIMM_MAPPING_ID = 'xception/timm';

/**
 * The mapping of timm's `legacy_xception` state dicts.
 *
 * @deprecated Use `XCEPTION_MAPPINGS.timm`.
 */
export const XCEPTION_TIMM_MAPPING: WeightMapping = XCEPTION_MAPPINGS.timm;
