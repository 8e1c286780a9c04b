/**
 * The MobileNet entries of the tfzoo registry (registered on import): torchvision's ids
 * (`mobilenet_v2`, `mobilenet_v3_large`, `mobilenet_v3_small`), the paper's `mobilenet_v1`, and
 * timm's ids for timm's layout (`mobilenetv1_100`, `mobilenetv2_100`, `mobilenetv3_large_100`).
 */
import type * as tfl from '@tensorflow/tfjs-layers';
import { defineModel, invalidArgument, type ModelDefinition, registerModel } from '@tfzoo/core';
import { MOBILENET_TIMM_MAPPING_ID, MOBILENET_TORCHVISION_MAPPING_ID } from './mapping.js';
import {
  MOBILENET_OPTION_KEYS,
  MOBILENET_V1_OPTION_KEYS,
  type MobileNetOptions,
  type MobileNetV1Options,
  mobilenetV1,
  mobilenetV2,
  mobilenetV3Large,
  mobilenetV3Small,
} from './mobilenet.js';
import {
  MOBILENET_PAPERS,
  MOBILENET_V2_PRETRAINED,
  MOBILENET_V3_LARGE_PRETRAINED,
  MOBILENET_V3_SMALL_PRETRAINED,
  MOBILENETV1_100_PRETRAINED,
  MOBILENETV2_100_PRETRAINED,
  MOBILENETV3_LARGE_100_PRETRAINED,
} from './pretrained.js';

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

/**
 * The builder of a timm id (`mobilenetv2_100`, …): timm's layout at width 1.0, as the id says. Other
 * widths are `mobilenetV2({ reference: 'timm', widthMultiplier })`.
 */
function timmBuilder<T extends MobileNetOptions | MobileNetV1Options>(
  arch: string,
  build: (options: T) => tfl.LayersModel,
  builderName: string,
): (options?: T) => tfl.LayersModel {
  return (options = {} as T) => {
    if (options.widthMultiplier !== undefined && options.widthMultiplier !== 1) {
      throw invalidArgument(
        `widthMultiplier of ${arch}`,
        options.widthMultiplier,
        `1 (timm's width-1.0 architecture; use ${builderName}({ widthMultiplier }) for other widths)`,
      );
    }
    const reference = (options as MobileNetOptions).reference;
    if (reference !== undefined && reference !== 'timm') {
      throw invalidArgument(
        `reference of ${arch}`,
        reference,
        "'timm' (the torchvision layout has its own id)",
      );
    }
    return build({
      ...options,
      ...(builderName === 'mobilenetV1' ? {} : { reference: 'timm' }),
      name: options.name ?? arch,
    });
  };
}

/** Registry definition of `mobilenet_v1`. */
export const mobilenetV1Definition: ModelDefinition = defineModel({
  name: 'mobilenet_v1',
  family: 'mobilenet',
  options: MOBILENET_V1_OPTION_KEYS,
  build: mobilenetV1,
  description:
    'MobileNetV1: 13 depthwise-separable blocks, width 0.25–1.0, ReLU6 or ReLU; 4.23M parameters at 1.0',
  paper: V1_PAPER,
  reference: 'timm.models.mobilenetv3 (_gen_mobilenet_v1)',
  defaultMapping: MOBILENET_TIMM_MAPPING_ID,
});

/** Registry definition of `mobilenetv1_100` (timm's MobileNetV1 at width 1.0, with timm's weights). */
export const mobilenetv1_100Definition: ModelDefinition = defineModel({
  name: 'mobilenetv1_100',
  family: 'mobilenet',
  options: MOBILENET_V1_OPTION_KEYS,
  build: timmBuilder('mobilenetv1_100', mobilenetV1, 'mobilenetV1'),
  description: "timm's mobilenetv1_100: MobileNetV1 at width 1.0 with ReLU6; 4.23M parameters",
  paper: V1_PAPER,
  reference: 'timm.models.mobilenetv3 (mobilenetv1_100)',
  pretrained: MOBILENETV1_100_PRETRAINED,
  defaultMapping: MOBILENET_TIMM_MAPPING_ID,
});

/** Registry definition of `mobilenet_v2`. */
export const mobilenetV2Definition: ModelDefinition = defineModel({
  name: 'mobilenet_v2',
  family: 'mobilenet',
  options: MOBILENET_OPTION_KEYS,
  build: mobilenetV2,
  description: 'MobileNetV2: inverted residuals with linear bottlenecks, ReLU6; 3.50M parameters',
  paper: V2_PAPER,
  reference: 'torchvision.models.mobilenetv2',
  pretrained: MOBILENET_V2_PRETRAINED,
  defaultTag: 'imagenet1k_v2',
  defaultMapping: MOBILENET_TORCHVISION_MAPPING_ID,
});

/** Registry definition of `mobilenetv2_100` (timm's layout and weights). */
export const mobilenetv2_100Definition: ModelDefinition = defineModel({
  name: 'mobilenetv2_100',
  family: 'mobilenet',
  options: MOBILENET_OPTION_KEYS,
  build: timmBuilder('mobilenetv2_100', mobilenetV2, 'mobilenetV2'),
  description: "timm's mobilenetv2_100: MobileNetV2 at width 1.0 in timm's layout; 3.50M parameters",
  paper: V2_PAPER,
  reference: 'timm.models.efficientnet (mobilenetv2_100)',
  pretrained: MOBILENETV2_100_PRETRAINED,
  defaultMapping: MOBILENET_TIMM_MAPPING_ID,
});

/** Registry definition of `mobilenet_v3_large`. */
export const mobilenetV3LargeDefinition: ModelDefinition = defineModel({
  name: 'mobilenet_v3_large',
  family: 'mobilenet',
  options: MOBILENET_OPTION_KEYS,
  build: mobilenetV3Large,
  description:
    'MobileNetV3-Large: inverted residuals with SE (hard-sigmoid) and hard-swish; 5.48M parameters',
  paper: V3_PAPER,
  reference: 'torchvision.models.mobilenetv3',
  pretrained: MOBILENET_V3_LARGE_PRETRAINED,
  defaultTag: 'imagenet1k_v2',
  defaultMapping: MOBILENET_TORCHVISION_MAPPING_ID,
});

/** Registry definition of `mobilenet_v3_small`. */
export const mobilenetV3SmallDefinition: ModelDefinition = defineModel({
  name: 'mobilenet_v3_small',
  family: 'mobilenet',
  options: MOBILENET_OPTION_KEYS,
  build: mobilenetV3Small,
  description:
    'MobileNetV3-Small: inverted residuals with SE (hard-sigmoid) and hard-swish; 2.54M parameters',
  paper: V3_PAPER,
  reference: 'torchvision.models.mobilenetv3',
  pretrained: MOBILENET_V3_SMALL_PRETRAINED,
  defaultMapping: MOBILENET_TORCHVISION_MAPPING_ID,
});

/** Registry definition of `mobilenetv3_large_100` (timm's layout: biased `conv_head`, BN ε 1e-5). */
export const mobilenetv3_large_100Definition: ModelDefinition = defineModel({
  name: 'mobilenetv3_large_100',
  family: 'mobilenet',
  options: MOBILENET_OPTION_KEYS,
  build: timmBuilder('mobilenetv3_large_100', mobilenetV3Large, 'mobilenetV3Large'),
  description: "timm's mobilenetv3_large_100: MobileNetV3-Large in timm's layout; 5.48M parameters",
  paper: V3_PAPER,
  reference: 'timm.models.mobilenetv3 (mobilenetv3_large_100)',
  pretrained: MOBILENETV3_LARGE_100_PRETRAINED,
  defaultMapping: MOBILENET_TIMM_MAPPING_ID,
});

registerModel(
  mobilenetV1Definition,
  mobilenetv1_100Definition,
  mobilenetV2Definition,
  mobilenetv2_100Definition,
  mobilenetV3LargeDefinition,
  mobilenetV3SmallDefinition,
  mobilenetv3_large_100Definition,
);
