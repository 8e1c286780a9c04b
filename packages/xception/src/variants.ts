/**
 * The Xception entry of the tfzoo registry (registered on import): `legacy_xception` (timm's name)
 * and `xception`, timm's deprecated alias of it.
 */
import type * as tfl from '@tensorflow/tfjs-layers';
import { defineModel, type ModelDefinition, registerAlias, registerModel } from '@tfzoo/core';
import { XCEPTION_TIMM_MAPPING_ID } from './mapping.js';
import { LEGACY_XCEPTION_TF_IN1K } from './pretrained.js';
import { buildXception, LEGACY_XCEPTION_CONFIG, type XceptionOptions } from './xception.js';

/** Xception (Chollet, 2017) in timm's `legacy_xception` layout: 299×299 input, 22.9M parameters. */
export function legacyXception(options?: XceptionOptions): tfl.LayersModel {
  return buildXception(LEGACY_XCEPTION_CONFIG, options);
}

/** Registry definition of `legacy_xception`. */
export const LEGACY_XCEPTION_DEFINITION: ModelDefinition = defineModel({
  name: 'legacy_xception',
  family: 'xception',
  options: [],
  build: (options) => legacyXception(options as XceptionOptions),
  description: 'Xception (entry, middle, exit flows of separable convolutions), 299×299, timm legacy layout',
  paper: {
    title: 'Xception: Deep Learning with Depthwise Separable Convolutions (Chollet, 2017)',
    url: 'https://arxiv.org/abs/1610.02357',
  },
  reference: 'timm.models.xception (legacy_xception)',
  pretrained: [LEGACY_XCEPTION_TF_IN1K],
  defaultMapping: XCEPTION_TIMM_MAPPING_ID,
});

registerModel(LEGACY_XCEPTION_DEFINITION);
registerAlias('xception', 'legacy_xception', "timm renamed 'xception' to 'legacy_xception'");
