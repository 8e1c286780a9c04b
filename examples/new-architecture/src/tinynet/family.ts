/**
 * The TinyNet family, registered on import: `defineFamily` registers `tinynet_s` and `tinynet_m`
 * (built by `buildTinyNet` from `TINYNET_VARIANTS`) and the mapping `tinynet/pytorch` together.
 */
import { defineFamily, type Family } from '@tfzoo/core';
import { TINYNET_MAPPINGS } from './mapping.js';
import { TINYNET_PRETRAINED } from './pretrained.js';
import { buildTinyNet, TINYNET_OPTION_KEYS, type TinyNetConfig, type TinyNetOptions } from './tinynet.js';
import { TINYNET_VARIANTS } from './variants.js';

/** The registered TinyNet family. */
export const TINYNET_FAMILY: Family<TinyNetConfig, TinyNetOptions> = defineFamily<
  TinyNetConfig,
  TinyNetOptions
>({
  name: 'tinynet',
  variants: TINYNET_VARIANTS,
  build: buildTinyNet,
  options: TINYNET_OPTION_KEYS,
  describe: (_arch, config) => ({
    description: `TinyNet, width ${config.width}: two conv-bn-relu stages and a linear classifier`,
  }),
  reference: 'the PyTorch module in tinynet.ts’s header',
  pretrained: TINYNET_PRETRAINED,
  mappings: TINYNET_MAPPINGS,
});
