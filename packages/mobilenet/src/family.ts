/**
 * The MobileNet family (registered on import): `variants.ts` (ids as data, built through
 * `buildMobileNetVariant`), `pretrained.ts` and `mapping.ts` (`mobilenet/torchvision`, `mobilenet/timm`).
 */
import { defineFamily, type Family, type FamilyVariantInfo, type ModelDefinition } from '@tfzoo/core';
import { MOBILENET_MAPPINGS } from './mapping.js';
import {
  MOBILENET_OPTION_KEYS,
  MOBILENET_V1_OPTION_KEYS,
  type MobileNetOptions,
  type MobileNetV1Options,
} from './mobilenet.js';
import { MOBILENET_PAPERS, MOBILENET_PRETRAINED } from './pretrained.js';
import { buildMobileNetVariant, MOBILENET_VARIANTS, type MobileNetVariant } from './variants.js';

const V1_PAPER = {
  title:
    'MobileNets: Efficient Convolutional Neural Networks for Mobile Vision Applications (Howard et al., 2017)',
  url: MOBILENET_PAPERS.v1,
};
const V2_PAPER = {
  title: 'MobileNetV2: Inverted Residuals and Linear Bottlenecks (Sandler et al., 2018)',
  url: MOBILENET_PAPERS.v2,
};
const V3_PAPER = { title: 'Searching for MobileNetV3 (Howard et al., 2019)', url: MOBILENET_PAPERS.v3 };

/** A timm MobileNetV3 id: timm's description, the V3 paper, timm's layout. */
function timmV3Info(arch: string, what: string, millions: number): FamilyVariantInfo {
  return {
    description: `timm's ${arch}: ${what}; ${millions.toFixed(2)}M parameters`,
    paper: V3_PAPER,
    reference: `timm.models.mobilenetv3 (${arch})`,
    mappings: ['timm'],
  };
}

const VARIANT_INFO: Readonly<Record<string, FamilyVariantInfo>> = {
  mobilenet_v1: {
    description:
      'MobileNetV1: 13 depthwise-separable blocks, width 0.25–1.0, ReLU6 or ReLU; 4.23M parameters at 1.0',
    options: MOBILENET_V1_OPTION_KEYS,
    paper: V1_PAPER,
    reference: 'timm.models.mobilenetv3 (_gen_mobilenet_v1)',
    mappings: ['timm'],
  },
  mobilenetv1_100: {
    description: "timm's mobilenetv1_100: MobileNetV1 at width 1.0 with ReLU6; 4.23M parameters",
    options: MOBILENET_V1_OPTION_KEYS,
    paper: V1_PAPER,
    reference: 'timm.models.mobilenetv3 (mobilenetv1_100)',
    mappings: ['timm'],
  },
  mobilenet_v2: {
    description: 'MobileNetV2: inverted residuals with linear bottlenecks, ReLU6; 3.50M parameters',
    paper: V2_PAPER,
    reference: 'torchvision.models.mobilenetv2',
    defaultTag: 'imagenet1k_v2',
    mappings: ['torchvision'],
  },
  mobilenetv2_100: {
    description: "timm's mobilenetv2_100: MobileNetV2 at width 1.0 in timm's layout; 3.50M parameters",
    paper: V2_PAPER,
    reference: 'timm.models.efficientnet (mobilenetv2_100)',
    mappings: ['timm'],
  },
  mobilenet_v3_large: {
    description:
      'MobileNetV3-Large: inverted residuals with SE (hard-sigmoid) and hard-swish; 5.48M parameters',
    paper: V3_PAPER,
    reference: 'torchvision.models.mobilenetv3',
    defaultTag: 'imagenet1k_v2',
    mappings: ['torchvision'],
  },
  mobilenet_v3_small: {
    description:
      'MobileNetV3-Small: inverted residuals with SE (hard-sigmoid) and hard-swish; 2.54M parameters',
    paper: V3_PAPER,
    reference: 'torchvision.models.mobilenetv3',
    mappings: ['torchvision'],
  },
  mobilenetv3_large_075: timmV3Info('mobilenetv3_large_075', 'MobileNetV3-Large at width 0.75', 3.99),
  mobilenetv3_large_100: timmV3Info('mobilenetv3_large_100', "MobileNetV3-Large in timm's layout", 5.48),
  mobilenetv3_large_150d: timmV3Info(
    'mobilenetv3_large_150d',
    'MobileNetV3-Large at width 1.5 and depth 1.2 (input 256)',
    14.62,
  ),
  mobilenetv3_small_050: timmV3Info('mobilenetv3_small_050', 'MobileNetV3-Small at width 0.5', 1.59),
  mobilenetv3_small_075: timmV3Info('mobilenetv3_small_075', 'MobileNetV3-Small at width 0.75', 2.04),
  mobilenetv3_small_100: timmV3Info('mobilenetv3_small_100', "MobileNetV3-Small in timm's layout", 2.54),
  mobilenetv3_rw: timmV3Info(
    'mobilenetv3_rw',
    "Ross Wightman's early MobileNetV3-Large (SE with the block's activation, bias-free head)",
    5.48,
  ),
  tf_mobilenetv3_large_075: timmV3Info(
    'tf_mobilenetv3_large_075',
    "MobileNetV3-Large at width 0.75, TensorFlow's weights (TF 'same' padding)",
    3.99,
  ),
  tf_mobilenetv3_large_100: timmV3Info(
    'tf_mobilenetv3_large_100',
    "MobileNetV3-Large, TensorFlow's weights (TF 'same' padding)",
    5.48,
  ),
  tf_mobilenetv3_large_minimal_100: timmV3Info(
    'tf_mobilenetv3_large_minimal_100',
    "MobileNetV3-Large minimal (ReLU, 3×3, no SE), TensorFlow's weights",
    3.92,
  ),
  tf_mobilenetv3_small_075: timmV3Info(
    'tf_mobilenetv3_small_075',
    "MobileNetV3-Small at width 0.75, TensorFlow's weights (TF 'same' padding)",
    2.04,
  ),
  tf_mobilenetv3_small_100: timmV3Info(
    'tf_mobilenetv3_small_100',
    "MobileNetV3-Small, TensorFlow's weights (TF 'same' padding)",
    2.54,
  ),
  tf_mobilenetv3_small_minimal_100: timmV3Info(
    'tf_mobilenetv3_small_minimal_100',
    "MobileNetV3-Small minimal (ReLU, 3×3, no SE), TensorFlow's weights",
    2.04,
  ),
};

/** The registered MobileNet family. */
export const MOBILENET_FAMILY: Family<MobileNetVariant, MobileNetOptions & MobileNetV1Options> = defineFamily<
  MobileNetVariant,
  MobileNetOptions & MobileNetV1Options
>({
  name: 'mobilenet',
  variants: MOBILENET_VARIANTS,
  build: buildMobileNetVariant,
  options: MOBILENET_OPTION_KEYS,
  describe: (arch) => VARIANT_INFO[arch] as FamilyVariantInfo,
  pretrained: MOBILENET_PRETRAINED,
  mappings: MOBILENET_MAPPINGS,
});

function definition(arch: string): ModelDefinition {
  return MOBILENET_FAMILY.definitions.find((entry) => entry.name === arch) as ModelDefinition;
}

/** @deprecated Use `MOBILENET_FAMILY.definitions`. */
export const mobilenetV1Definition: ModelDefinition = definition('mobilenet_v1');
/** @deprecated Use `MOBILENET_FAMILY.definitions`. */
export const mobilenetv1_100Definition: ModelDefinition = definition('mobilenetv1_100');
/** @deprecated Use `MOBILENET_FAMILY.definitions`. */
export const mobilenetV2Definition: ModelDefinition = definition('mobilenet_v2');
/** @deprecated Use `MOBILENET_FAMILY.definitions`. */
export const mobilenetv2_100Definition: ModelDefinition = definition('mobilenetv2_100');
/** @deprecated Use `MOBILENET_FAMILY.definitions`. */
export const mobilenetV3LargeDefinition: ModelDefinition = definition('mobilenet_v3_large');
/** @deprecated Use `MOBILENET_FAMILY.definitions`. */
export const mobilenetV3SmallDefinition: ModelDefinition = definition('mobilenet_v3_small');
/** @deprecated Use `MOBILENET_FAMILY.definitions`. */
export const mobilenetv3_large_100Definition: ModelDefinition = definition('mobilenetv3_large_100');
