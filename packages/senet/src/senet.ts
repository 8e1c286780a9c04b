/**
 * Squeeze-and-excitation networks in the original SENet layout.
 *
 * Paper: J. Hu, L. Shen, S. Albanie, G. Sun, E. Wu, "Squeeze-and-Excitation Networks", CVPR 2018 /
 * TPAMI 2020, https://arxiv.org/abs/1709.01507. Reference implementation: timm
 * `timm/models/senet.py` (from Cadene's `pretrainedmodels`, port of the authors' Caffe models):
 * `layer0` stem (7×7 convolution, or three 3×3 for SENet-154), a ceil-mode 3×3/2 max pool `pool0`
 * without padding, four stages of SE blocks, global average pooling, dropout and `last_linear`.
 */
import * as tfl from '@tensorflow/tfjs-layers';
import {
  attachFeatureInfo,
  type BuildOptions,
  globalPool,
  invalidArgument,
  resolveBuildOptions,
} from '@tfzoo/core';
import { PaddedMaxPooling2D } from '@tfzoo/layers';
import {
  buildResNet,
  convBn,
  linearHead,
  RESNET_OPTION_KEYS,
  type ResNetConfig,
  type ResNetOptions,
  relu,
  resolveOutIndices,
} from '@tfzoo/resnet';
import { LEGACY_EXPANSION, type LegacyBlockType, legacyBlock } from './blocks.js';

type Tensor = tfl.SymbolicTensor;

/** A legacy SENet architecture as data (timm's `legacy_*` `model_args`). */
export interface LegacySENetConfig {
  /** Architecture id, the default model name (`legacy_seresnet50`). */
  name: string;
  /** Block type (see {@link LegacyBlockType}). */
  block: LegacyBlockType;
  /** Number of blocks in `layer1` … `layer4`. */
  layers: readonly [number, number, number, number];
  /** Groups of the 3×3 convolutions (1 for SE-ResNet, 32 for SE-ResNeXt, 64 for SENet-154). */
  groups: number;
  /** SE reduction ratio (16 for every published model). */
  reduction: number;
  /** Output channels of the stem (64; 128 for SENet-154). */
  inplanes?: number;
  /** Three 3×3 convolutions in the stem instead of one 7×7 (SENet-154). */
  input3x3?: boolean;
  /** Kernel size of the projection shortcuts of `layer2`–`layer4` (1; 3 for SENet-154). */
  downsampleKernelSize?: number;
  /** Padding of the projection shortcuts of `layer2`–`layer4` (0; 1 for SENet-154). */
  downsamplePadding?: number;
  /** Width per group of `resnext` blocks (4). */
  baseWidth?: number;
  /** Stage widths `planes` of `layer1` … `layer4` (default `[64, 128, 256, 512]`). */
  channels?: readonly [number, number, number, number];
}

/** Build options of the legacy SENets: the common `BuildOptions` plus feature taps. */
export interface LegacySENetOptions extends BuildOptions {
  /** Return a multi-output feature extractor (timm's `features_only`): no head, one output per `outIndices`. */
  featuresOnly?: boolean;
  /**
   * Feature levels with `featuresOnly`, ascending: 0 = `layer0` (stride 2), 1–4 = `layer1`–`layer4`
   * (strides 4, 8, 16, 32, as timm's `feature_info`). Default `[1, 2, 3, 4]`.
   */
  outIndices?: readonly number[];
  /** Skip the random initialization (kernels start at zero) for models loaded right after building. */
  skipInit?: boolean;
}

/** The legacy SENet builders' option keys beyond `BuildOptions`: every other key is refused. */
export const LEGACY_SENET_OPTION_KEYS = Object.freeze([
  'featuresOnly',
  'outIndices',
] as const satisfies readonly (keyof LegacySENetOptions)[]);

/** timm's default dropout before `last_linear` in the legacy SENets (`drop_rate=0.2`). */
export const LEGACY_SENET_DROP_RATE = 0.2;

const STAGE_PLANES = [64, 128, 256, 512] as const;

function validate(config: LegacySENetConfig): void {
  if (!Object.hasOwn(LEGACY_EXPANSION, config.block)) {
    throw invalidArgument('block', config.block, "'basic', 'bottleneck', 'resnext' or 'senet'");
  }
  const layers = config.layers;
  if (!Array.isArray(layers) || layers.length !== 4 || !layers.every((n) => Number.isInteger(n) && n > 0)) {
    throw invalidArgument('layers', layers, 'four positive integers (blocks of layer1 … layer4)');
  }
  const channels = config.channels;
  if (
    channels !== undefined &&
    (!Array.isArray(channels) ||
      channels.length !== 4 ||
      !channels.every((n) => Number.isInteger(n) && n > 0))
  ) {
    throw invalidArgument('channels', channels, 'four positive integers (widths of layer1 … layer4)');
  }
  for (const [what, value] of [
    ['groups', config.groups],
    ['reduction', config.reduction],
  ] as const) {
    if (!Number.isInteger(value) || value < 1) throw invalidArgument(what, value, 'a positive integer');
  }
}

/**
 * The stem `layer0`: `conv1` 7×7/2 (padding 3), `bn1`, `relu1`; or with `input3x3` three 3×3
 * convolutions (64/2, 64, inplanes) each with batch norm and ReLU.
 */
function stem(input: Tensor, config: LegacySENetConfig, skipInit: boolean): Tensor {
  const inplanes = config.inplanes ?? 64;
  const specs = config.input3x3
    ? [
        { filters: 64, kernelSize: 3, stride: 2, padding: 1 },
        { filters: 64, kernelSize: 3, stride: 1, padding: 1 },
        { filters: inplanes, kernelSize: 3, stride: 1, padding: 1 },
      ]
    : [{ filters: inplanes, kernelSize: 7, stride: 2, padding: 3 }];
  let x = input;
  specs.forEach((spec, index) => {
    const n = index + 1;
    x = convBn(x, { ...spec, name: `layer0_conv${n}`, skipInit }, `layer0_bn${n}`);
    x = relu(x, `layer0_relu${n}`);
  });
  return x;
}

/**
 * Builds a legacy SENet from its configuration, as timm's `SENet` class does. Initialization
 * follows timm: He normal (fan-out) for every convolution, batch-norm γ = 1 and β = 0,
 * PyTorch's default `nn.Linear` for `last_linear`. Default dropout before the classifier 0.2.
 *
 * @example
 * ```ts
 * const model = buildLegacySENet(LEGACY_SENET_CONFIGS.legacy_seresnet50, { numClasses: 10 });
 * ```
 */
export function buildLegacySENet(
  config: LegacySENetConfig,
  options: LegacySENetOptions = {},
): tfl.LayersModel {
  validate(config);
  const resolved = resolveBuildOptions(options, {
    name: config.name,
    dropRate: LEGACY_SENET_DROP_RATE,
    options: LEGACY_SENET_OPTION_KEYS,
    handlesFeatures: true,
  });
  const featuresOnly = options.featuresOnly ?? false;
  if (typeof featuresOnly !== 'boolean') throw invalidArgument('featuresOnly', featuresOnly, 'a boolean');
  const skipInit = options.skipInit ?? false;
  if (typeof skipInit !== 'boolean') throw invalidArgument('skipInit', skipInit, 'a boolean');
  const outIndices = featuresOnly ? resolveOutIndices(options.outIndices, 5) : [];
  const lastStage = featuresOnly ? (outIndices[outIndices.length - 1] as number) : 4;

  const input = tfl.input({ shape: resolved.inputShape, name: 'input' });
  let x = stem(input, config, skipInit);
  const taps: Tensor[] = [x];
  // Caffe compatibility: ceil mode instead of padding 1 (timm's comment on `pool0`).
  x = new PaddedMaxPooling2D({ poolSize: 3, strides: 2, ceilMode: true, name: 'pool0' }).apply(x) as Tensor;
  let inChannels = config.inplanes ?? 64;
  const expansion = LEGACY_EXPANSION[config.block];
  for (let stage = 0; stage < lastStage; stage++) {
    const planes = (config.channels ?? STAGE_PLANES)[stage] as number;
    for (let i = 0; i < (config.layers[stage] as number); i++) {
      x = legacyBlock(x, {
        type: config.block,
        prefix: `layer${stage + 1}_${i}`,
        inChannels,
        planes,
        stride: i === 0 && stage > 0 ? 2 : 1,
        groups: config.groups,
        reduction: config.reduction,
        baseWidth: config.baseWidth ?? 4,
        downsampleKernelSize: stage === 0 ? 1 : (config.downsampleKernelSize ?? 1),
        downsamplePadding: stage === 0 ? 0 : (config.downsamplePadding ?? 0),
        skipInit,
      });
      inChannels = planes * expansion;
    }
    taps.push(x);
  }
  if (featuresOnly) {
    const model = tfl.model({
      inputs: input,
      outputs: outIndices.map((i) => taps[i] as Tensor),
      name: resolved.name,
    });
    const inputHeight = resolved.inputShape[0];
    attachFeatureInfo(
      model,
      outIndices.map((index) => {
        const [, height, , channels] = (taps[index] as Tensor).shape as number[];
        return {
          index,
          layerName: (taps[index] as Tensor).sourceLayer.name,
          channels: channels!,
          reduction: inputHeight / height!,
        };
      }),
    );
    return model;
  }
  const output = resolved.includeTop
    ? linearHead(x, inChannels, resolved, 'last_linear', skipInit)
    : globalPool(x, resolved.pooling);
  return tfl.model({ inputs: input, outputs: output, name: resolved.name });
}

/**
 * One SE network variant: timm's SE-ResNet layout (a `ResNetConfig` of `@tfzoo/resnet` with `se`,
 * built by its `buildResNet`) or the original SENet layout ({@link LegacySENetConfig}, which has a `reduction`).
 */
export type SENetConfig = ResNetConfig | LegacySENetConfig;

/** Build options of {@link buildSENet}: those of `buildResNet` or {@link buildLegacySENet}, by layout. */
export type SENetOptions = ResNetOptions & LegacySENetOptions;

/**
 * Every option key beyond `BuildOptions` some SE network takes (each variant refuses the keys its
 * layout does not take: the legacy layout takes {@link LEGACY_SENET_OPTION_KEYS} only).
 */
export const SENET_OPTION_KEYS: readonly string[] = Object.freeze([
  ...new Set<string>([...RESNET_OPTION_KEYS, ...LEGACY_SENET_OPTION_KEYS]),
]);

/** True for a config in the original SENet layout. */
export function isLegacySENetConfig(config: SENetConfig): config is LegacySENetConfig {
  return typeof (config as LegacySENetConfig).reduction === 'number';
}

/**
 * The SE networks' one builder: `buildResNet` for timm's SE-ResNets, {@link buildLegacySENet} for
 * the original SENet layout.
 */
export function buildSENet(config: SENetConfig, options: SENetOptions = {}): tfl.LayersModel {
  return isLegacySENetConfig(config) ? buildLegacySENet(config, options) : buildResNet(config, options);
}
