/**
 * Pretrained ImageNet-1k weights of SqueezeNet: torchvision's `.pth` files
 * (`SqueezeNet1_0_Weights.IMAGENET1K_V1`, `SqueezeNet1_1_Weights.IMAGENET1K_V1`).
 *
 * Facts (URLs, parameter counts, accuracies, transforms) are torchvision 0.14's
 * `models/squeezenet.py`; the file names carry the first hex digits of each file's sha256.
 */
import { IMAGENET_CLASSES, imagenetPreprocessing, type PretrainedConfig } from '@tfzoo/core';
import { SQUEEZENET_MAPPING_ID } from './mapping.js';

const TORCHVISION = 'https://download.pytorch.org/models/';
const RECIPE = 'https://github.com/pytorch/vision/pull/49#issuecomment-277560717';
const SOURCE = 'https://github.com/pytorch/vision/blob/main/torchvision/models/squeezenet.py';
const PAPER = 'https://arxiv.org/abs/1602.07360';

interface TorchvisionFile {
  arch: 'squeezenet1_0' | 'squeezenet1_1';
  file: string;
  numParams: number;
  top1: number;
  top5: number;
}

function torchvisionConfig(entry: TorchvisionFile): PretrainedConfig {
  const prefix = /-([0-9a-f]+)\.pth$/.exec(entry.file)?.[1] as string;
  return Object.freeze({
    id: `${entry.arch}.imagenet1k_v1`,
    arch: entry.arch,
    tag: 'imagenet1k_v1',
    source: { url: `${TORCHVISION}${entry.file}`, format: 'pth', sha256Prefix: prefix },
    mapping: SQUEEZENET_MAPPING_ID,
    numClasses: 1000,
    classifier: 'classifier.1',
    labels: IMAGENET_CLASSES,
    numParams: entry.numParams,
    preprocessing: imagenetPreprocessing({ inputSize: 224, resizeSize: 256 }),
    accuracy: {
      top1: entry.top1,
      top5: entry.top5,
      dataset: 'imagenet-1k-val',
      source: 'torchvision 0.14 models/squeezenet.py',
    },
    license: 'BSD-3-Clause',
    sourceUrl: SOURCE,
    paperUrl: PAPER,
    notes: `torchvision's IMAGENET1K_V1 weights; recipe ${RECIPE}`,
  } satisfies PretrainedConfig);
}

/** torchvision's SqueezeNet 1.0 weights (`squeezenet1_0-b66bff10.pth`). */
export const SQUEEZENET1_0_PRETRAINED: readonly PretrainedConfig[] = Object.freeze([
  torchvisionConfig({
    arch: 'squeezenet1_0',
    file: 'squeezenet1_0-b66bff10.pth',
    numParams: 1248424,
    top1: 58.092,
    top5: 80.42,
  }),
]);

/** torchvision's SqueezeNet 1.1 weights (`squeezenet1_1-b8a52dc0.pth`). */
export const SQUEEZENET1_1_PRETRAINED: readonly PretrainedConfig[] = Object.freeze([
  torchvisionConfig({
    arch: 'squeezenet1_1',
    file: 'squeezenet1_1-b8a52dc0.pth',
    numParams: 1235496,
    top1: 58.178,
    top5: 80.624,
  }),
]);
