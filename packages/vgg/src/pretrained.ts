/**
 * Pretrained VGG weights: torchvision's ImageNet-1k checkpoints (`torchvision/models/vgg.py`,
 * `VGG*_Weights.IMAGENET1K_V1`), as torchvision hosts them (`.pth`, tag `tv_pth_in1k`) and as timm
 * re-hosts them on the Hugging Face Hub (`timm/vgg*.tv_in1k`, safetensors with timm's names, tag
 * `tv_in1k`). Both hold the same weights; parameter counts and accuracies are torchvision's.
 */
import { familyMappingId, type PretrainedConfig, timmPretrained, torchvisionPretrained } from '@tfzoo/core';

/** Published facts about one VGG variant's torchvision weights. */
interface VggWeightsFacts {
  /** torchvision's file name on download.pytorch.org. */
  file: string;
  /** The sha256 prefix in that file name. */
  sha256Prefix: string;
  /** Full sha256 of the torchvision file, when known. */
  sha256?: string;
  /** Full sha256 of timm's `model.safetensors`, when known. */
  timmSha256?: string;
  /** torchvision's `num_params`. */
  numParams: number;
  /** torchvision's ImageNet-1k acc@1 / acc@5. */
  top1: number;
  top5: number;
}

const FACTS: Readonly<Record<string, VggWeightsFacts>> = {
  vgg11: {
    file: 'vgg11-8a719046.pth',
    sha256Prefix: '8a719046',
    numParams: 132863336,
    top1: 69.02,
    top5: 88.628,
  },
  vgg11_bn: {
    file: 'vgg11_bn-6002323d.pth',
    sha256Prefix: '6002323d',
    numParams: 132868840,
    top1: 70.37,
    top5: 89.81,
  },
  vgg13: {
    file: 'vgg13-19584684.pth',
    sha256Prefix: '19584684',
    numParams: 133047848,
    top1: 69.928,
    top5: 89.246,
  },
  vgg13_bn: {
    file: 'vgg13_bn-abd245e5.pth',
    sha256Prefix: 'abd245e5',
    numParams: 133053736,
    top1: 71.586,
    top5: 90.374,
  },
  vgg16: {
    file: 'vgg16-397923af.pth',
    sha256Prefix: '397923af',
    sha256: '397923af8e79cdbb6a7127f12361acd7a2f83e06b05044ddf496e83de57a5bf0',
    timmSha256: '57b026918159a6bf9faf8405c3a551903768e7138989d9c6224a14227203fad8',
    numParams: 138357544,
    top1: 71.592,
    top5: 90.382,
  },
  vgg16_bn: {
    file: 'vgg16_bn-6c64b313.pth',
    sha256Prefix: '6c64b313',
    timmSha256: '88bbedbc8e780413736db38ac4efd41b06fc0e93fd5b8879b584bba63a950129',
    numParams: 138365992,
    top1: 73.36,
    top5: 91.516,
  },
  vgg19: {
    file: 'vgg19-dcbb9e9d.pth',
    sha256Prefix: 'dcbb9e9d',
    numParams: 143667240,
    top1: 72.376,
    top5: 90.876,
  },
  vgg19_bn: {
    file: 'vgg19_bn-c79401a0.pth',
    sha256Prefix: 'c79401a0',
    numParams: 143678248,
    top1: 74.218,
    top5: 91.842,
  },
};

const PAPER_URL = 'https://arxiv.org/abs/1409.1556';
const RECIPE = 'https://github.com/pytorch/vision/tree/main/references/classification#alexnet-and-vgg';

function variantPretrained(arch: string, facts: VggWeightsFacts): PretrainedConfig[] {
  const common = {
    arch,
    numParams: facts.numParams,
    accuracy: { top1: facts.top1, top5: facts.top5, source: `torchvision ${arch} IMAGENET1K_V1 (_metrics)` },
    license: 'BSD-3-Clause',
    paperUrl: PAPER_URL,
  } as const;
  return [
    timmPretrained({
      ...common,
      tag: 'tv_in1k',
      ...(facts.timmSha256 ? { sha256: facts.timmSha256 } : {}),
      mapping: familyMappingId('vgg', 'timm'),
      classifier: 'head.fc',
      notes: `torchvision's weights as timm re-hosts them (timm names; classifier stored as convolutions). Recipe: ${RECIPE}`,
    }),
    torchvisionPretrained({
      ...common,
      tag: 'tv_pth_in1k',
      file: facts.file,
      ...(facts.sha256 ? { sha256: facts.sha256 } : {}),
      mapping: familyMappingId('vgg', 'torchvision'),
      classifier: 'classifier.6',
      sourceUrl: 'https://github.com/pytorch/vision/blob/v0.14.0/torchvision/models/vgg.py',
      notes: `torchvision's own file. Recipe: ${RECIPE}`,
    }),
  ];
}

/**
 * Every pretrained VGG entry, two per variant: `tv_in1k` (timm's safetensors on the Hub, mapping
 * `vgg/timm`) and `tv_pth_in1k` (torchvision's `.pth`, mapping `vgg/torchvision`).
 */
export const VGG_PRETRAINED: readonly PretrainedConfig[] = Object.freeze(
  Object.entries(FACTS).flatMap(([arch, facts]) => variantPretrained(arch, facts)),
);

/**
 * The pretrained configs of one VGG architecture.
 *
 * @deprecated Use {@link VGG_PRETRAINED} (filter by `arch`).
 */
export function vggPretrained(arch: string): PretrainedConfig[] {
  return VGG_PRETRAINED.filter((config) => config.arch === arch);
}
