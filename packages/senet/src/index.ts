/**
 * `@tfzoo/senet`: squeeze-and-excitation networks (Hu et al., 2018) — timm's SE-ResNet-18/34/50/101/152
 * and SE-ResNeXt-50 (built by `@tfzoo/resnet`'s builder with SE after each block's last batch norm)
 * and the original SENet layout (`legacy_seresnet*`, `legacy_seresnext50_32x4d`, `legacy_senet154`).
 * Importing the package registers every variant, its pretrained weights and the `legacy-senet`
 * weight mapping.
 *
 * @packageDocumentation
 */
export { LEGACY_EXPANSION, type LegacyBlockArgs, type LegacyBlockType, legacyBlock } from './blocks.js';
export { SENET_DEFINITIONS, SENET_FAMILY } from './family.js';
export { LEGACY_SENET_MAPPING, LEGACY_SENET_MAPPING_ID, SENET_MAPPINGS } from './mapping.js';
export { SENET_PRETRAINED } from './pretrained.js';
export {
  buildLegacySENet,
  buildSENet,
  isLegacySENetConfig,
  LEGACY_SENET_DROP_RATE,
  LEGACY_SENET_OPTION_KEYS,
  type LegacySENetConfig,
  type LegacySENetOptions,
  SENET_OPTION_KEYS,
  type SENetConfig,
  type SENetOptions,
} from './senet.js';
export {
  LEGACY_SENET_CONFIGS,
  type LegacySENetArch,
  legacySenet154,
  legacySeresnet18,
  legacySeresnet34,
  legacySeresnet50,
  legacySeresnet101,
  legacySeresnet152,
  legacySeresnext50_32x4d,
  SENET_VARIANTS,
  SERESNET_CONFIGS,
  type SEResNetArch,
  seresnet18,
  seresnet34,
  seresnet50,
  seresnet101,
  seresnet152,
  seresnext50_32x4d,
  TIMM_SE,
} from './variants.js';
