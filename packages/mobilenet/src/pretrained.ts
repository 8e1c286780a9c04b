/**
 * Pretrained ImageNet-1k weights of the MobileNet family, loaded from where they are hosted:
 *
 * - torchvision's `.pth` files (`MobileNet_V2_Weights`, `MobileNet_V3_Large_Weights`,
 *   `MobileNet_V3_Small_Weights`; tags `imagenet1k_v1` / `imagenet1k_v2`, the latter trained with
 *   torchvision's 2021 recipe). Facts (URLs, parameter counts, accuracies, transforms) are
 *   torchvision 0.14's `models/mobilenetv2.py` and `models/mobilenetv3.py`; file names carry the
 *   first hex digits of each file's sha256.
 * - timm's safetensors on the Hugging Face Hub (`timm/<arch>.<tag>`, timm's names): `mobilenetv1_100`,
 *   `mobilenetv2_100`, and every MobileNetV3 of timm's `mobilenetv3.py` with ImageNet-1k weights
 *   (`mobilenetv3_large_100`, `_150d`, `mobilenetv3_small_050/075/100`, `mobilenetv3_rw`, the
 *   `tf_mobilenetv3_*` ports; `mobilenetv3_large_075` has none). Preprocessing is timm's
 *   `pretrained_cfg` for each tag (timm @ aa4b5850, `default_cfgs`): input size, `crop_pct` (resize
 *   `floor(size / crop_pct)`), interpolation, mean and std; full sha256 only where DESIGN §3 records
 *   one. Files are pinned to `main` until a commit id is recorded.
 */
import {
  familyMappingId,
  imagenetPreprocessing,
  type PretrainedConfig,
  timmPretrained,
  torchvisionPretrained,
} from '@tfzoo/core';

const TV_SOURCE = 'https://github.com/pytorch/vision/blob/main/torchvision/models/';
const TV_RECIPE_V2_2021 = 'https://github.com/pytorch/vision/issues/3995#new-recipe-with-reg-tuning';

/** The papers of the family. */
export const MOBILENET_PAPERS = Object.freeze({
  v1: 'https://arxiv.org/abs/1704.04861',
  v2: 'https://arxiv.org/abs/1801.04381',
  v3: 'https://arxiv.org/abs/1905.02244',
});

interface TorchvisionFile {
  arch: 'mobilenet_v2' | 'mobilenet_v3_large' | 'mobilenet_v3_small';
  version: 1 | 2;
  file: string;
  numParams: number;
  top1: number;
  top5: number;
  resizeSize: number;
  recipe: string;
}

function torchvisionConfig(entry: TorchvisionFile): PretrainedConfig {
  const v2 = entry.arch === 'mobilenet_v2';
  return torchvisionPretrained({
    arch: entry.arch,
    tag: `imagenet1k_v${entry.version}`,
    file: entry.file,
    mapping: familyMappingId('mobilenet', 'torchvision'),
    classifier: v2 ? 'classifier.1' : 'classifier.3',
    numParams: entry.numParams,
    preprocessing: imagenetPreprocessing({ inputSize: 224, resizeSize: entry.resizeSize }),
    accuracy: {
      top1: entry.top1,
      top5: entry.top5,
      source: `torchvision 0.14 models/${v2 ? 'mobilenetv2' : 'mobilenetv3'}.py`,
    },
    sourceUrl: `${TV_SOURCE}${v2 ? 'mobilenetv2' : 'mobilenetv3'}.py`,
    paperUrl: v2 ? MOBILENET_PAPERS.v2 : MOBILENET_PAPERS.v3,
    notes: `torchvision's IMAGENET1K_V${entry.version} weights; recipe ${entry.recipe}`,
  });
}

interface TimmFile {
  arch: string;
  tag: string;
  sha256?: string;
  numParams: number;
  mean: readonly [number, number, number];
  std: readonly [number, number, number];
  /** timm's `input_size` (square; default 224). */
  inputSize?: number;
  /** timm's `crop_pct` (default 0.875). */
  cropPct?: number;
  /** timm's `interpolation` (default bicubic). */
  interpolation?: 'bilinear' | 'bicubic';
  paperUrl: string;
}

function timmConfig(entry: TimmFile): PretrainedConfig {
  const inputSize = entry.inputSize ?? 224;
  return timmPretrained({
    arch: entry.arch,
    tag: entry.tag,
    ...(entry.sha256 ? { sha256: entry.sha256 } : {}),
    mapping: familyMappingId('mobilenet', 'timm'),
    classifier: 'classifier',
    numParams: entry.numParams,
    // timm pretrained_cfg: the center crop keeps crop_pct of the resized image (0.875: 224 from 256).
    preprocessing: imagenetPreprocessing({
      inputSize,
      resizeSize: Math.floor(inputSize / (entry.cropPct ?? 0.875)),
      interpolation: entry.interpolation ?? 'bicubic',
      mean: entry.mean,
      std: entry.std,
    }),
    paperUrl: entry.paperUrl,
    notes: "timm's weights and names (`_efficientnet_builder` layout); see the model card for the recipe",
  });
}

const IMAGENET_MEAN = [0.485, 0.456, 0.406] as const;
const IMAGENET_STD = [0.229, 0.224, 0.225] as const;
/** timm's `IMAGENET_INCEPTION_MEAN` / `_STD`. */
const INCEPTION = [0.5, 0.5, 0.5] as const;

/** torchvision's MobileNetV2 weights (`mobilenet_v2-b0353104.pth`, `mobilenet_v2-7ebf99e0.pth`). */
export const MOBILENET_V2_PRETRAINED: readonly PretrainedConfig[] = Object.freeze([
  torchvisionConfig({
    arch: 'mobilenet_v2',
    version: 1,
    file: 'mobilenet_v2-b0353104.pth',
    numParams: 3504872,
    top1: 71.878,
    top5: 90.286,
    resizeSize: 256,
    recipe: 'https://github.com/pytorch/vision/tree/main/references/classification#mobilenetv2',
  }),
  torchvisionConfig({
    arch: 'mobilenet_v2',
    version: 2,
    file: 'mobilenet_v2-7ebf99e0.pth',
    numParams: 3504872,
    top1: 72.154,
    top5: 90.822,
    resizeSize: 232,
    recipe: TV_RECIPE_V2_2021,
  }),
]);

const V3_RECIPE =
  'https://github.com/pytorch/vision/tree/main/references/classification#mobilenetv3-large--small';

/** torchvision's MobileNetV3-Large weights (`mobilenet_v3_large-8738ca79.pth`, `-5c1a4163.pth`). */
export const MOBILENET_V3_LARGE_PRETRAINED: readonly PretrainedConfig[] = Object.freeze([
  torchvisionConfig({
    arch: 'mobilenet_v3_large',
    version: 1,
    file: 'mobilenet_v3_large-8738ca79.pth',
    numParams: 5483032,
    top1: 74.042,
    top5: 91.34,
    resizeSize: 256,
    recipe: V3_RECIPE,
  }),
  torchvisionConfig({
    arch: 'mobilenet_v3_large',
    version: 2,
    file: 'mobilenet_v3_large-5c1a4163.pth',
    numParams: 5483032,
    top1: 75.274,
    top5: 92.566,
    resizeSize: 232,
    recipe: TV_RECIPE_V2_2021,
  }),
]);

/** torchvision's MobileNetV3-Small weights (`mobilenet_v3_small-047dcff4.pth`). */
export const MOBILENET_V3_SMALL_PRETRAINED: readonly PretrainedConfig[] = Object.freeze([
  torchvisionConfig({
    arch: 'mobilenet_v3_small',
    version: 1,
    file: 'mobilenet_v3_small-047dcff4.pth',
    numParams: 2542856,
    top1: 67.668,
    top5: 87.402,
    resizeSize: 256,
    recipe: V3_RECIPE,
  }),
]);

/** timm's `mobilenetv1_100.ra4_e3600_r224_in1k` (mean and std 0.5; sha256 not recorded yet). */
export const MOBILENETV1_100_PRETRAINED: readonly PretrainedConfig[] = Object.freeze([
  timmConfig({
    arch: 'mobilenetv1_100',
    tag: 'ra4_e3600_r224_in1k',
    numParams: 4231976,
    mean: [0.5, 0.5, 0.5],
    std: [0.5, 0.5, 0.5],
    paperUrl: MOBILENET_PAPERS.v1,
  }),
]);

/** timm's `mobilenetv2_100.ra_in1k`. */
export const MOBILENETV2_100_PRETRAINED: readonly PretrainedConfig[] = Object.freeze([
  timmConfig({
    arch: 'mobilenetv2_100',
    tag: 'ra_in1k',
    sha256: '55ea4fb3a96010b933710ebf44fc965b070d5cd054d3f35e44f2d1320b4a714e',
    numParams: 3504872,
    mean: IMAGENET_MEAN,
    std: IMAGENET_STD,
    paperUrl: MOBILENET_PAPERS.v2,
  }),
]);

/**
 * timm's `mobilenetv3_large_100`: `ra_in1k` (timm's default), `ra4_e3600_r224_in1k` (crop 0.95,
 * Inception mean and std) and `miil_in21k_ft_in1k` (ImageNet-21k pretraining by Alibaba MIIL, fine-tuned
 * on ImageNet-1k; mean 0, std 1, bilinear).
 */
export const MOBILENETV3_LARGE_100_PRETRAINED: readonly PretrainedConfig[] = Object.freeze([
  timmConfig({
    arch: 'mobilenetv3_large_100',
    tag: 'ra_in1k',
    sha256: 'f425af34cc1cead2b5d6211f789a1f30b94835dc32f9c0fcc5a916e4fd2dde85',
    numParams: 5483032,
    mean: IMAGENET_MEAN,
    std: IMAGENET_STD,
    paperUrl: MOBILENET_PAPERS.v3,
  }),
  timmConfig({
    arch: 'mobilenetv3_large_100',
    tag: 'ra4_e3600_r224_in1k',
    numParams: 5483032,
    mean: INCEPTION,
    std: INCEPTION,
    cropPct: 0.95,
    paperUrl: MOBILENET_PAPERS.v3,
  }),
  timmConfig({
    arch: 'mobilenetv3_large_100',
    tag: 'miil_in21k_ft_in1k',
    numParams: 5483032,
    mean: [0, 0, 0],
    std: [1, 1, 1],
    interpolation: 'bilinear',
    paperUrl: MOBILENET_PAPERS.v3,
  }),
]);

/** timm's `mobilenetv3_large_150d.ra4_e3600_r256_in1k` (input 256, crop 0.95, Inception mean and std, bilinear). */
export const MOBILENETV3_LARGE_150D_PRETRAINED: readonly PretrainedConfig[] = Object.freeze([
  timmConfig({
    arch: 'mobilenetv3_large_150d',
    tag: 'ra4_e3600_r256_in1k',
    numParams: 14622320,
    mean: INCEPTION,
    std: INCEPTION,
    inputSize: 256,
    cropPct: 0.95,
    interpolation: 'bilinear',
    paperUrl: MOBILENET_PAPERS.v3,
  }),
]);

/** timm's `mobilenetv3_small_{050,075,100}.lamb_in1k` (bicubic, ImageNet mean and std). */
export const MOBILENETV3_SMALL_PRETRAINED: readonly PretrainedConfig[] = Object.freeze(
  (
    [
      ['mobilenetv3_small_050', 1593224],
      ['mobilenetv3_small_075', 2041872],
      ['mobilenetv3_small_100', 2542856],
    ] as const
  ).map(([arch, numParams]) =>
    timmConfig({
      arch,
      tag: 'lamb_in1k',
      numParams,
      mean: IMAGENET_MEAN,
      std: IMAGENET_STD,
      paperUrl: MOBILENET_PAPERS.v3,
    }),
  ),
);

/** timm's `mobilenetv3_rw.rmsp_in1k` (bicubic, ImageNet mean and std). */
export const MOBILENETV3_RW_PRETRAINED: readonly PretrainedConfig[] = Object.freeze([
  timmConfig({
    arch: 'mobilenetv3_rw',
    tag: 'rmsp_in1k',
    numParams: 5479918,
    mean: IMAGENET_MEAN,
    std: IMAGENET_STD,
    paperUrl: MOBILENET_PAPERS.v3,
  }),
]);

/**
 * timm's ports of TensorFlow's MobileNetV3 checkpoints, `tf_mobilenetv3_*.in1k` (bilinear, Inception
 * mean and std, crop 0.875).
 */
export const TF_MOBILENETV3_PRETRAINED: readonly PretrainedConfig[] = Object.freeze(
  (
    [
      ['tf_mobilenetv3_large_075', 3993528],
      ['tf_mobilenetv3_large_100', 5483032],
      ['tf_mobilenetv3_large_minimal_100', 3924288],
      ['tf_mobilenetv3_small_075', 2041872],
      ['tf_mobilenetv3_small_100', 2542856],
      ['tf_mobilenetv3_small_minimal_100', 2044736],
    ] as const
  ).map(([arch, numParams]) =>
    timmConfig({
      arch,
      tag: 'in1k',
      numParams,
      mean: INCEPTION,
      std: INCEPTION,
      interpolation: 'bilinear',
      paperUrl: MOBILENET_PAPERS.v3,
    }),
  ),
);

/** Every pretrained MobileNet entry (torchvision's V2/V3 files, then timm's V1/V2/V3 and the TF ports). */
export const MOBILENET_PRETRAINED: readonly PretrainedConfig[] = Object.freeze([
  ...MOBILENET_V2_PRETRAINED,
  ...MOBILENET_V3_LARGE_PRETRAINED,
  ...MOBILENET_V3_SMALL_PRETRAINED,
  ...MOBILENETV1_100_PRETRAINED,
  ...MOBILENETV2_100_PRETRAINED,
  ...MOBILENETV3_LARGE_100_PRETRAINED,
  ...MOBILENETV3_LARGE_150D_PRETRAINED,
  ...MOBILENETV3_SMALL_PRETRAINED,
  ...MOBILENETV3_RW_PRETRAINED,
  ...TF_MOBILENETV3_PRETRAINED,
]);
