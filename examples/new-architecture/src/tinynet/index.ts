/**
 * The TinyNet family, laid out as every tfzoo family package (docs/guides/new-architecture.md).
 * Importing it registers `tinynet_s`, `tinynet_m` and the mapping `tinynet/pytorch`.
 *
 * @packageDocumentation
 */
export { convBnRelu } from './blocks.js';
export { TINYNET_FAMILY } from './family.js';
export { TINYNET_MAPPINGS } from './mapping.js';
export { TINYNET_PRETRAINED } from './pretrained.js';
export { buildTinyNet, TINYNET_OPTION_KEYS, type TinyNetConfig, type TinyNetOptions } from './tinynet.js';
export { TINYNET_VARIANTS, tinynetM, tinynetS } from './variants.js';
