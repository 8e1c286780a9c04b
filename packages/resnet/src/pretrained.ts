/**
 * Pretrained ImageNet-1k weights of the ResNet family, loaded from where they are hosted:
 *
 * - `<arch>.tv_in1k` — timm's copies of torchvision's original (V1) weights as safetensors on the
 *   Hugging Face Hub (`timm/<arch>.tv_in1k`, torchvision's tensor names).
 * - `<arch>.imagenet1k_v1` / `<arch>.imagenet1k_v2` — torchvision's own `.pth` files
 *   (`ResNet50_Weights.IMAGENET1K_V1` / `IMAGENET1K_V2`, the latter trained with torchvision's 2021
 *   recipe; timm calls them `tv_in1k` / `tv2_in1k`).
 *
 * Facts (URLs, parameter counts, accuracies, crop and resize sizes) are torchvision 0.14's
 * `models/resnet.py`; file names carry the first hex digits of the file's sha256. Full sha256 are
 * given only where known (DESIGN §3). Hub files are pinned to `main` until a commit id is recorded.
 *
 * - `resnet18.fmnist` — tfzoo's own ResNet-18 for Fashion-MNIST (Xiao, Rasul & Vollgraf, 2017,
 *   https://arxiv.org/abs/1708.07747): a narrow ResNet-18 with the small-image stem, trained from
 *   scratch by the three reproducible `tfzoo train` runs in this package's README. The file ships inside
 *   the package (`weights/`), so it loads offline; the same file is published on the project's
 *   release (`TFZOO_RELEASE_URL` of `@tfzoo/core`) for download.
 */
import {
  FASHION_MNIST_LABELS,
  FASHION_MNIST_PREPROCESSING,
  familyMappingId,
  imagenetPreprocessing,
  type PretrainedConfig,
  shippedWeights,
  timmPretrained,
  torchvisionPretrained,
} from '@tfzoo/core';

const TV_RECIPE_V1 = 'https://github.com/pytorch/vision/tree/main/references/classification#resnet';
const TV_DOCS = 'https://pytorch.org/vision/stable/models/resnet.html';
const PAPERS: Readonly<Record<string, string>> = {
  resnet: 'https://arxiv.org/abs/1512.03385',
  resnext: 'https://arxiv.org/abs/1611.05431',
  wide: 'https://arxiv.org/abs/1605.07146',
};

function paperFor(arch: string): string {
  if (arch.startsWith('resnext')) return PAPERS.resnext as string;
  if (arch.startsWith('wide')) return PAPERS.wide as string;
  return PAPERS.resnet as string;
}

interface TorchvisionFile {
  arch: string;
  version: 1 | 2;
  file: string;
  numParams: number;
  top1: number;
  top5: number;
  recipe: string;
  resizeSize: number;
}

const MAPPING = familyMappingId('resnet', 'torchvision');

function torchvisionConfig(entry: TorchvisionFile): PretrainedConfig {
  return torchvisionPretrained({
    arch: entry.arch,
    tag: `imagenet1k_v${entry.version}`,
    file: entry.file,
    mapping: MAPPING,
    classifier: 'fc',
    numParams: entry.numParams,
    preprocessing: imagenetPreprocessing({ inputSize: 224, resizeSize: entry.resizeSize }),
    accuracy: {
      top1: entry.top1,
      top5: entry.top5,
      source: `torchvision ${entry.arch} IMAGENET1K_V${entry.version}`,
    },
    sourceUrl: TV_DOCS,
    paperUrl: paperFor(entry.arch),
    notes: `torchvision's ${entry.version === 1 ? 'original' : '2021 "new recipe"'} weights; recipe ${entry.recipe}`,
  });
}

function hubConfig(tv: TorchvisionFile, sha256?: string): PretrainedConfig {
  return timmPretrained({
    arch: tv.arch,
    tag: 'tv_in1k',
    ...(sha256 === undefined ? {} : { sha256 }),
    mapping: MAPPING,
    classifier: 'fc',
    numParams: tv.numParams,
    preprocessing: imagenetPreprocessing({ inputSize: 224, resizeSize: tv.resizeSize }),
    accuracy: { top1: tv.top1, top5: tv.top5, source: `torchvision ${tv.arch} IMAGENET1K_V${tv.version}` },
    license: 'BSD-3-Clause',
    paperUrl: paperFor(tv.arch),
    notes: `torchvision's original weights (${tv.file}) as safetensors, hosted by timm on the Hugging Face Hub`,
  });
}

const NEW_RECIPE = 'https://github.com/pytorch/vision/issues/3995#new-recipe';
const FIXRES = 'https://github.com/pytorch/vision/issues/3995#new-recipe-with-fixres';
const RESNEXT_RECIPE = 'https://github.com/pytorch/vision/tree/main/references/classification#resnext';
const WIDE_RECIPE = 'https://github.com/pytorch/vision/pull/912#issue-445437439';

/** torchvision 0.14's ResNet weight files (`models/resnet.py`). */
const TORCHVISION_FILES: readonly TorchvisionFile[] = [
  f('resnet18', 1, 'resnet18-f37072fd.pth', 11689512, 69.758, 89.078, TV_RECIPE_V1),
  f('resnet34', 1, 'resnet34-b627a593.pth', 21797672, 73.314, 91.42, TV_RECIPE_V1),
  f('resnet50', 1, 'resnet50-0676ba61.pth', 25557032, 76.13, 92.862, TV_RECIPE_V1),
  f(
    'resnet50',
    2,
    'resnet50-11ad3fa6.pth',
    25557032,
    80.858,
    95.434,
    'https://github.com/pytorch/vision/issues/3995#issuecomment-1013906621',
  ),
  f('resnet101', 1, 'resnet101-63fe2227.pth', 44549160, 77.374, 93.546, TV_RECIPE_V1),
  f('resnet101', 2, 'resnet101-cd907fc2.pth', 44549160, 81.886, 95.78, NEW_RECIPE),
  f('resnet152', 1, 'resnet152-394f9c45.pth', 60192808, 78.312, 94.046, TV_RECIPE_V1),
  f('resnet152', 2, 'resnet152-f82ba261.pth', 60192808, 82.284, 96.002, NEW_RECIPE),
  f('resnext50_32x4d', 1, 'resnext50_32x4d-7cdf4587.pth', 25028904, 77.618, 93.698, RESNEXT_RECIPE),
  f('resnext50_32x4d', 2, 'resnext50_32x4d-1a0047aa.pth', 25028904, 81.198, 95.34, NEW_RECIPE),
  f('resnext101_32x8d', 1, 'resnext101_32x8d-8ba56ff5.pth', 88791336, 79.312, 94.526, RESNEXT_RECIPE),
  f('resnext101_32x8d', 2, 'resnext101_32x8d-110c445d.pth', 88791336, 82.834, 96.228, FIXRES),
  {
    ...f(
      'resnext101_64x4d',
      1,
      'resnext101_64x4d-173b62eb.pth',
      83455272,
      83.246,
      96.454,
      'https://github.com/pytorch/vision/pull/5935',
    ),
    resizeSize: 232,
  },
  f('wide_resnet50_2', 1, 'wide_resnet50_2-95faca4d.pth', 68883240, 78.468, 94.086, WIDE_RECIPE),
  f('wide_resnet50_2', 2, 'wide_resnet50_2-9ba9bcbe.pth', 68883240, 81.602, 95.758, FIXRES),
  f('wide_resnet101_2', 1, 'wide_resnet101_2-32ee1156.pth', 126886696, 78.848, 94.284, WIDE_RECIPE),
  f('wide_resnet101_2', 2, 'wide_resnet101_2-d733dc28.pth', 126886696, 82.51, 96.02, NEW_RECIPE),
];

function f(
  arch: string,
  version: 1 | 2,
  file: string,
  numParams: number,
  top1: number,
  top5: number,
  recipe: string,
): TorchvisionFile {
  return { arch, version, file, numParams, top1, top5, recipe, resizeSize: version === 1 ? 256 : 232 };
}

/** Full sha256 of timm's Hub safetensors known offline (DESIGN §3). */
const HUB_SHA256: Readonly<Record<string, string>> = {
  resnet18: '694f673df6520a3158624e8a89af086f59923ee4cd7436fe5bc3bc71d295ad81',
  resnet50: '5d061a3c593d795bfe682d9b152bafbcf550579873492def3515b46db1189888',
};

const HUB_ARCHS = ['resnet18', 'resnet34', 'resnet50', 'resnet101', 'resnet152'] as const;

/** File name of the Fashion-MNIST ResNet-18 weights. */
export const RESNET18_FMNIST_FILE = 'resnet18-fmnist.safetensors';

/**
 * URL of the shipped weights inside this package: a `file:` URL in Node, the asset's URL in a
 * browser bundle (bundlers rewrite `new URL('<literal>', import.meta.url)`).
 */
export const RESNET18_FMNIST_URL: string = new URL('../weights/resnet18-fmnist.safetensors', import.meta.url)
  .href;

/**
 * `resnet18.fmnist`: ResNet-18 for 28×28×1 (stem 3×3/1 without max pool, stage widths 16, 32, 64,
 * 128; 0.70 M parameters, 28.6 M multiply-adds) trained by tfzoo on Fashion-MNIST.
 */
export const RESNET18_FMNIST: PretrainedConfig = {
  id: 'resnet18.fmnist',
  arch: 'resnet18',
  tag: 'fmnist',
  source: shippedWeights(
    new URL(RESNET18_FMNIST_URL),
    '943fea43e57dd19880f3351fb75fe07af0bd9f5b7482c7ac09d60146bad1dae0',
  ),
  mapping: 'default',
  buildOptions: {
    inputShape: [28, 28, 1],
    stem: 'small',
    stemWidth: 16,
    channels: [16, 32, 64, 128],
  },
  numClasses: 10,
  classifier: 'fc',
  labels: FASHION_MNIST_LABELS,
  numParams: 701178,
  preprocessing: FASHION_MNIST_PREPROCESSING,
  measuredAccuracy: {
    top1: 93.92,
    top5: 99.97,
    dataset: 'fashion-mnist-test',
    source: 'tfzoo eval resnet18.fmnist --data fashion-mnist (10,000 test images)',
  },
  license: 'Apache-2.0',
  sourceUrl: 'https://github.com/zalandoresearch/fashion-mnist',
  paperUrl: 'https://arxiv.org/abs/1512.03385',
  notes:
    'Trained by tfzoo (weights under the project license; Fashion-MNIST data © Zalando SE, MIT); recipe and commands in the @tfzoo/resnet README.',
};

/**
 * Every pretrained config of the ResNet family: `tv_in1k` (Hub) first, then torchvision's files,
 * then tfzoo's own Fashion-MNIST ResNet-18.
 */
export const RESNET_PRETRAINED: readonly PretrainedConfig[] = Object.freeze([
  ...HUB_ARCHS.map((arch) =>
    hubConfig(
      TORCHVISION_FILES.find((file) => file.arch === arch && file.version === 1) as TorchvisionFile,
      HUB_SHA256[arch],
    ),
  ),
  ...TORCHVISION_FILES.map(torchvisionConfig),
  RESNET18_FMNIST,
]);
