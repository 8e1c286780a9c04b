/**
 * TinyNet's weight mappings. The layer names mirror the PyTorch module's paths, so the mapping has
 * no rules: core's mechanical one (`.` → `_`, layouts per layer class) loads and saves the state dict.
 */
import type { WeightMapping } from '@tfzoo/core';

/** TinyNet's weight mappings by source; registered as `tinynet/pytorch`. */
export const TINYNET_MAPPINGS: Readonly<Record<'pytorch', WeightMapping>> = Object.freeze({
  pytorch: { description: "the PyTorch module of tinynet.ts's header (module path with . → _)" },
});
