/**
 * Pretrained ImageNet-1k weights of the ShuffleNet family: torchvision's ShuffleNetV2 `.pth` files
 * (`ShuffleNet_V2_X*_Weights.IMAGENET1K_V1` in torchvision 0.14's `models/shufflenetv2.py`: URL,
 * parameter count, accuracy, crop and resize sizes). File names carry the first hex digits of the
 * file's sha256. ShuffleNet v1 has no upstream ImageNet weights.
 */
import {
  familyMappingId,
  imagenetPreprocessing,
  type PretrainedConfig,
  torchvisionPretrained,
} from '@tfzoo/core';

const TV_DOCS = 'https://pytorch.org/vision/stable/models/shufflenetv2.html';
const PAPER = 'https://arxiv.org/abs/1807.11164';
const ERICSUN_RECIPE = 'https://github.com/ericsun99/Shufflenet-v2-Pytorch';
const NEW_RECIPE = 'https://github.com/pytorch/vision/pull/5906';

interface TorchvisionFile {
  arch: string;
  file: string;
  numParams: number;
  top1: number;
  top5: number;
  resizeSize: number;
  recipe: string;
  notes: string;
}

function torchvisionConfig(entry: TorchvisionFile): PretrainedConfig {
  return torchvisionPretrained({
    arch: entry.arch,
    tag: 'imagenet1k_v1',
    file: entry.file,
    mapping: familyMappingId('shufflenet', 'torchvision'),
    classifier: 'fc',
    numParams: entry.numParams,
    preprocessing: imagenetPreprocessing({ inputSize: 224, resizeSize: entry.resizeSize }),
    accuracy: { top1: entry.top1, top5: entry.top5, source: `torchvision ${entry.arch} IMAGENET1K_V1` },
    sourceUrl: TV_DOCS,
    paperUrl: PAPER,
    notes: `${entry.notes}; recipe ${entry.recipe}`,
  });
}

const PORTED =
  'ported by torchvision from ericsun99/Shufflenet-v2-Pytorch, trained from scratch to reproduce the paper';
const RETRAINED = "trained from scratch with torchvision's 2021 recipe";

/** torchvision 0.14's ShuffleNetV2 weight files. */
const TORCHVISION_FILES: readonly TorchvisionFile[] = [
  {
    arch: 'shufflenet_v2_x0_5',
    file: 'shufflenetv2_x0.5-f707e7126e.pth',
    numParams: 1366792,
    top1: 60.552,
    top5: 81.746,
    resizeSize: 256,
    recipe: ERICSUN_RECIPE,
    notes: PORTED,
  },
  {
    arch: 'shufflenet_v2_x1_0',
    file: 'shufflenetv2_x1-5666bf0f80.pth',
    numParams: 2278604,
    top1: 69.362,
    top5: 88.316,
    resizeSize: 256,
    recipe: ERICSUN_RECIPE,
    notes: PORTED,
  },
  {
    arch: 'shufflenet_v2_x1_5',
    file: 'shufflenetv2_x1_5-3c479a10.pth',
    numParams: 3503624,
    top1: 72.996,
    top5: 91.086,
    resizeSize: 232,
    recipe: NEW_RECIPE,
    notes: RETRAINED,
  },
  {
    arch: 'shufflenet_v2_x2_0',
    file: 'shufflenetv2_x2_0-8be3c8ee.pth',
    numParams: 7393996,
    top1: 76.23,
    top5: 93.006,
    resizeSize: 232,
    recipe: NEW_RECIPE,
    notes: RETRAINED,
  },
];

/** Every pretrained ShuffleNet entry (torchvision's ShuffleNetV2 files; v1 has none upstream). */
export const SHUFFLENET_PRETRAINED: readonly PretrainedConfig[] = Object.freeze(
  TORCHVISION_FILES.map(torchvisionConfig),
);
