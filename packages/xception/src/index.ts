/**
 * `@tfzoo/xception`: Xception (Chollet, 2017) in the layout of timm's `legacy_xception`, with timm's
 * ImageNet weights (`legacy_xception.tf_in1k`). Importing the package registers `legacy_xception`
 * (alias `xception`) in the tfzoo registry and the weight mapping `xception/timm`.
 *
 * @packageDocumentation
 */
export {
  batchNorm,
  conv,
  type Initializer,
  relu,
  separableConv,
  TORCH_BN_EPSILON,
  TORCH_BN_MOMENTUM,
  type XceptionBlockConfig,
  type XceptionInit,
  xceptionBlock,
  xceptionInit,
} from './blocks.js';
export { LEGACY_XCEPTION_DEFINITION, XCEPTION_FAMILY } from './family.js';
export { XCEPTION_MAPPINGS, XCEPTION_TIMM_MAPPING, XCEPTION_TIMM_MAPPING_ID } from './mapping.js';
export { LEGACY_XCEPTION_NUM_PARAMS, LEGACY_XCEPTION_TF_IN1K, XCEPTION_PRETRAINED } from './pretrained.js';
export { legacyXception, XCEPTION_VARIANTS } from './variants.js';
export {
  buildXception,
  LEGACY_XCEPTION_CONFIG,
  XCEPTION_OPTION_KEYS,
  type XceptionConfig,
  type XceptionOptions,
} from './xception.js';
