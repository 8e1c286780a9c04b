/**
 * TinyNet's pretrained weights: none (it is an example). A real family lists one entry per hosted
 * file here, built with `torchvisionPretrained(...)` or `timmPretrained(...)` from `@tfzoo/core`
 * and naming its mapping as `familyMappingId('<family>', '<source>')`.
 */
import type { PretrainedConfig } from '@tfzoo/core';

/** Every pretrained TinyNet entry: none. */
export const TINYNET_PRETRAINED: readonly PretrainedConfig[] = Object.freeze([]);
