/**
 * Pretrained ImageNet-1k weights of the SE networks, as timm hosts them (`timm/models/resnet.py`
 * and `timm/models/senet.py` default configs): timm's `seresnet50.ra2_in1k` and the legacy SENet
 * `.pth` files on timm's GitHub releases (`v0.1-cadene`: the authors' Caffe weights as converted by
 * Cadene's `pretrainedmodels`; `v0.1-weights`: timm's own uploads). File names carry the first
 * hex digits of the file's sha256. GitHub release downloads send no CORS header: browsers need a mirror.
 */
import { familyMappingId, imagenetPreprocessing, type PretrainedConfig, timmPretrained } from '@tfzoo/core';

const PAPER = 'https://arxiv.org/abs/1709.01507';

function legacy(
  arch: string,
  file: string,
  numParams: number,
  interpolation: 'bilinear' | 'bicubic',
  notes: string,
): PretrainedConfig {
  return timmPretrained({
    arch,
    tag: 'in1k',
    release: file,
    mapping: familyMappingId('senet', 'legacy'),
    classifier: 'last_linear',
    numParams,
    preprocessing: imagenetPreprocessing({ inputSize: 224, interpolation }),
    paperUrl: PAPER,
    notes,
  });
}

const CADENE = "the SENet authors' Caffe weights, converted by Cadene's pretrainedmodels";
const TIMM = "on timm's v0.1-weights release";

/** Every pretrained config of the SE networks. */
export const SENET_PRETRAINED: readonly PretrainedConfig[] = Object.freeze([
  timmPretrained({
    arch: 'seresnet50',
    tag: 'ra2_in1k',
    release: 'v0.1-weights/seresnet50_ra_224-8efdb4bb.pth',
    mapping: familyMappingId('senet', 'timm'),
    classifier: 'fc',
    numParams: 28088024,
    preprocessing: imagenetPreprocessing({ inputSize: 224, interpolation: 'bicubic' }),
    paperUrl: PAPER,
    notes:
      "timm's RandAugment recipe (RA2); timm evaluates it at 288×288 with crop 0.95 as well. The same " +
      'tensors are on the Hugging Face Hub as timm/seresnet50.ra2_in1k model.safetensors (sha256 not recorded here).',
  }),
  legacy('legacy_seresnet18', 'v0.1-weights/seresnet18-4bb0ce65.pth', 11778592, 'bicubic', TIMM),
  legacy('legacy_seresnet34', 'v0.1-weights/seresnet34-a4004e63.pth', 21958868, 'bilinear', TIMM),
  legacy('legacy_seresnet50', 'v0.1-cadene/se_resnet50-ce0d4300.pth', 28088024, 'bilinear', CADENE),
  legacy('legacy_seresnet101', 'v0.1-cadene/se_resnet101-7e38fcc6.pth', 49326872, 'bilinear', CADENE),
  legacy('legacy_seresnet152', 'v0.1-cadene/se_resnet152-d17c99b7.pth', 66821848, 'bilinear', CADENE),
  legacy('legacy_senet154', 'v0.1-weights/legacy_senet154-e9eb9fe6.pth', 115088984, 'bilinear', TIMM),
  legacy(
    'legacy_seresnext50_32x4d',
    'v0.1-weights/legacy_se_resnext50_32x4d-f3651bad.pth',
    27559896,
    'bilinear',
    TIMM,
  ),
]);
