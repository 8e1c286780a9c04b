/**
 * Reference names → tfzoo weights for the legacy SENets (timm's `timm/models/senet.py`, Cadene's
 * `pretrainedmodels`): `layer0.conv{1-3}` / `layer0.bn{1-3}`, `layer{1-4}.{i}.conv{1-3}` /
 * `bn{1-3}`, `layer{i}.0.downsample.{0,1}`, `layer{i}.{j}.se_module.fc{1,2}`, `last_linear`.
 *
 * Plain convolutions, batch norms and `last_linear` follow core's mechanical `.`→`_` rule;
 * explicit targets (from `@tfzoo/resnet`) cover each block's (possibly grouped) `conv2` and its
 * `se_module`, one `SqueezeExcite` layer holding both 1×1 convolutions. timm's `seresnet*` /
 * `seresnext*` use timm's ResNet names and load with `@tfzoo/resnet`'s mapping, registered here as `senet/timm`.
 */
import type { WeightMapping } from '@tfzoo/core';
import { blockTargets, RESNET_MAPPINGS } from '@tfzoo/resnet';

/** The SE networks' weight mappings by source; registered as `senet/timm` and `senet/legacy`. */
export const SENET_MAPPINGS: Readonly<Record<'timm' | 'legacy', WeightMapping>> = Object.freeze({
  timm: RESNET_MAPPINGS.torchvision,
  legacy: {
    description:
      "timm's legacy_seresnet* / legacy_seresnext* / legacy_senet154 state dicts (Cadene's SENet layout)",
    tensors: blockTargets('se_module'),
    compoundNames: ['last_linear', 'se_module'],
  },
});

/**
 * The earlier id of the legacy SENet mapping, kept as an alias.
 *
 * @deprecated Use `SENET_FAMILY.mappingIds.legacy` (`senet/legacy`).
 */
export const LEGACY_SENET_MAPPING_ID = 'legacy-senet';

/**
 * The legacy SENet mapping under its earlier name.
 *
 * @deprecated Use `SENET_MAPPINGS.legacy`.
 */
export const LEGACY_SENET_MAPPING: WeightMapping = SENET_MAPPINGS.legacy;
