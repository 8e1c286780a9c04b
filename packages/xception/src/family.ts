/**
 * The Xception family (registered on import): `legacy_xception` (timm's name) and `xception`, timm's
 * deprecated alias of it; mapping `xception/timm`.
 */
import { defineFamily, type Family, type ModelDefinition } from '@tfzoo/core';
import { XCEPTION_MAPPINGS } from './mapping.js';
import { XCEPTION_PRETRAINED } from './pretrained.js';
import { XCEPTION_VARIANTS } from './variants.js';
import {
  buildXception,
  XCEPTION_OPTION_KEYS,
  type XceptionConfig,
  type XceptionOptions,
} from './xception.js';

/** The registered Xception family. */
export const XCEPTION_FAMILY: Family<XceptionConfig, XceptionOptions> = defineFamily<
  XceptionConfig,
  XceptionOptions
>({
  name: 'xception',
  variants: XCEPTION_VARIANTS,
  build: buildXception,
  options: XCEPTION_OPTION_KEYS,
  describe: () => ({
    description:
      'Xception (entry, middle, exit flows of separable convolutions), 299×299, timm legacy layout',
  }),
  paper: {
    title: 'Xception: Deep Learning with Depthwise Separable Convolutions (Chollet, 2017)',
    url: 'https://arxiv.org/abs/1610.02357',
  },
  reference: 'timm.models.xception (legacy_xception)',
  pretrained: XCEPTION_PRETRAINED,
  mappings: XCEPTION_MAPPINGS,
  modelAliases: {
    xception: { target: 'legacy_xception', message: "timm renamed 'xception' to 'legacy_xception'" },
  },
});

/**
 * Registry definition of `legacy_xception`.
 *
 * @deprecated Use `XCEPTION_FAMILY.definitions`.
 */
export const LEGACY_XCEPTION_DEFINITION: ModelDefinition = XCEPTION_FAMILY.definitions[0] as ModelDefinition;
