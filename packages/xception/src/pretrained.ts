/**
 * Pretrained ImageNet-1k weights of Xception: timm's `legacy_xception.tf_in1k`, the Keras
 * application's weights ported by Cadene (`pretrainedmodels`), hosted as a `.pth` on a GitHub release
 * of timm. Facts are timm's `default_cfgs` (`timm/models/xception.py`): URL, 299×299 input,
 * `crop_pct` 0.8975, bicubic, mean and std 0.5. The file name carries the first 9 hex digits of
 * its sha256.
 *
 * GitHub release downloads send no CORS header, so browsers need a mirror (`source.mirrors` or a
 * user-hosted copy); Node downloads directly.
 */
import { familyMappingId, type PretrainedConfig, timmPretrained } from '@tfzoo/core';

/** Parameter count of `legacy_xception` (timm; Chollet's Table 3: 22,855,952). */
export const LEGACY_XCEPTION_NUM_PARAMS = 22855952;

/**
 * `legacy_xception.tf_in1k`.
 *
 * @deprecated Use {@link XCEPTION_PRETRAINED}.
 */
export const LEGACY_XCEPTION_TF_IN1K: PretrainedConfig = timmPretrained({
  arch: 'legacy_xception',
  tag: 'tf_in1k',
  release: 'v0.1-cadene/xception-43020ad28.pth',
  mapping: familyMappingId('xception', 'timm'),
  classifier: 'fc',
  numParams: LEGACY_XCEPTION_NUM_PARAMS,
  preprocessing: {
    inputSize: [299, 299, 3],
    resizeSize: 333,
    cropFraction: 0.8975,
    interpolation: 'bicubic',
    mean: [0.5, 0.5, 0.5],
    std: [0.5, 0.5, 0.5],
    channelOrder: 'RGB',
    inputRange: [0, 1],
  },
  accuracy: {
    top1: 78.892,
    top5: 94.292,
    source: "timm/models/xception.py header (Cadene's evaluation of the ported Keras weights)",
  },
  sourceUrl: 'https://github.com/huggingface/pytorch-image-models/blob/main/timm/models/xception.py',
  paperUrl: 'https://arxiv.org/abs/1610.02357',
  notes:
    'Keras Xception weights ported to PyTorch by Cadene (pretrainedmodels); resize 333 (floor(299 / 0.8975)), center crop 299. ' +
    'Hosted on a GitHub release, which sends no CORS header: browsers need a mirror.',
});

/** Every pretrained Xception entry: timm's `legacy_xception.tf_in1k`. */
export const XCEPTION_PRETRAINED: readonly PretrainedConfig[] = Object.freeze([LEGACY_XCEPTION_TF_IN1K]);
