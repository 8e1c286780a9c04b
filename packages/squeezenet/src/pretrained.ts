/**
 * Pretrained ImageNet-1k weights of SqueezeNet: torchvision's `.pth` files
 * (`SqueezeNet1_0_Weights.IMAGENET1K_V1`, `SqueezeNet1_1_Weights.IMAGENET1K_V1`).
 *
 * Facts (URLs, parameter counts, accuracies, transforms) are torchvision 0.14's
 * `models/squeezenet.py`; the file names carry the first hex digits of each file's sha256.
 */
import {
  familyMappingId,
  imagenetPreprocessing,
  type PretrainedConfig,
  torchvisionPretrained,
} from '@tfzoo/core';

const RECIPE = 'https://github.com/pytorch/vision/pull/49#issuecomment-277560717';

function torchvisionConfig(
  arch: string,
  file: string,
  numParams: number,
  top1: number,
  top5: number,
): PretrainedConfig {
  return torchvisionPretrained({
    arch,
    tag: 'imagenet1k_v1',
    file,
    mapping: familyMappingId('squeezenet', 'torchvision'),
    classifier: 'classifier.1',
    numParams,
    preprocessing: imagenetPreprocessing({ inputSize: 224, resizeSize: 256 }),
    accuracy: { top1, top5, source: 'torchvision 0.14 models/squeezenet.py' },
    sourceUrl: 'https://github.com/pytorch/vision/blob/main/torchvision/models/squeezenet.py',
    paperUrl: 'https://arxiv.org/abs/1602.07360',
    notes: `torchvision's IMAGENET1K_V1 weights; recipe ${RECIPE}`,
  });
}

/** torchvision's SqueezeNet 1.0 weights (`squeezenet1_0-b66bff10.pth`). */
export const SQUEEZENET1_0_PRETRAINED: readonly PretrainedConfig[] = Object.freeze([
  torchvisionConfig('squeezenet1_0', 'squeezenet1_0-b66bff10.pth', 1248424, 58.092, 80.42),
]);

/** torchvision's SqueezeNet 1.1 weights (`squeezenet1_1-b8a52dc0.pth`). */
export const SQUEEZENET1_1_PRETRAINED: readonly PretrainedConfig[] = Object.freeze([
  torchvisionConfig('squeezenet1_1', 'squeezenet1_1-b8a52dc0.pth', 1235496, 58.178, 80.624),
]);

/** Every pretrained SqueezeNet entry. */
export const SQUEEZENET_PRETRAINED: readonly PretrainedConfig[] = Object.freeze([
  ...SQUEEZENET1_0_PRETRAINED,
  ...SQUEEZENET1_1_PRETRAINED,
]);
