/**
 * MobileNet v1, v2 and v3: one configurable builder; every variant is a {@link MobileNetConfig}.
 *
 * Papers:
 * - A. G. Howard et al., "MobileNets: Efficient Convolutional Neural Networks for Mobile Vision
 *   Applications", 2017. https://arxiv.org/abs/1704.04861
 * - M. Sandler, A. Howard, M. Zhu, A. Zhmoginov, L.-C. Chen, "MobileNetV2: Inverted Residuals and
 *   Linear Bottlenecks", CVPR 2018. https://arxiv.org/abs/1801.04381
 * - A. Howard et al., "Searching for MobileNetV3", ICCV 2019. https://arxiv.org/abs/1905.02244
 *
 * Reference implementations: torchvision `models/mobilenetv2.py` and `models/mobilenetv3.py`
 * (layouts `torchvision-v2` / `torchvision-v3`: names, `_make_divisible` width rounding, batch-norm
 * epsilon 1e-3 and momentum 0.01 for V3, Kaiming fan-out convolutions, `N(0, 0.01)` linear layers);
 * timm `models/mobilenetv3.py` and `models/efficientnet.py` built by `_efficientnet_builder.py`
 * (layout `timm`: `mobilenetv1_100`, `mobilenetv2_100`, `mobilenetv3_large_100`, batch-norm epsilon
 * 1e-5, `_init_weight_goog` initialization, and for V3 a biased 1×1 `conv_head` after pooling
 * instead of torchvision's `classifier.0` linear layer).
 */
import * as tfl from '@tensorflow/tfjs-layers';
import {
  BUILD_OPTION_KEYS,
  type BuildOptions,
  buildFeatures,
  checkOptionKeys,
  classifierOutput,
  globalPool,
  invalidArgument,
  kaimingNormalFanOut,
  maybeDropout,
  normalInit,
  resolveBuildOptions,
} from '@tfzoo/core';
import { makeDivisible } from '@tfzoo/layers';
import {
  applyActivation,
  type BlockConfig,
  type BlockContext,
  convUnit,
  MOBILENET_ACTIVATIONS,
  MOBILENET_LAYOUTS,
  type MobileNetActivation,
  type MobileNetLayout,
  mobileNetBlock,
  namingFor,
} from './blocks.js';

type Tensor = tfl.SymbolicTensor;

/** The architecture of a MobileNet, as data. */
export interface MobileNetConfig {
  /** Architecture id, the default model name (e.g. `mobilenet_v3_large`). */
  name: string;
  /** Whose module names the layers carry, and whose initialization the model reproduces. */
  layout: MobileNetLayout;
  /** Output channels of the 3×3 stride-2 stem convolution. */
  stemChannels: number;
  /** Activation of the stem. */
  stemActivation: MobileNetActivation;
  /** Blocks grouped in stages (timm's `blocks.S.I`; torchvision numbers them `features.1…`). */
  stages: readonly (readonly BlockConfig[])[];
  /** A 1×1 conv → BN → activation after the blocks, part of the features (V2's 1280 channels). */
  head?: { channels: number; activation: MobileNetActivation };
  /**
   * A layer after global pooling that widens the pooled vector before the classifier (V3):
   * `dense` is torchvision's `classifier.0` linear layer, `conv` timm's biased 1×1 `conv_head`.
   */
  preLogits?: {
    units: number;
    activation: MobileNetActivation;
    kind: 'dense' | 'conv';
    /** Whether the `conv` kind has a bias (default true; `mobilenetv3_rw`'s has none). */
    bias?: boolean;
  };
  /**
   * Padding of the convolutions: `symmetric` (default) is PyTorch's `(k − 1) / 2` on every side;
   * `tf-same` is TensorFlow's `'same'`, which pads a strided convolution asymmetrically (timm's
   * `tf_*` ports, `pad_type='same'`).
   */
  padding?: MobileNetPadding;
  /** Batch-norm epsilon (PyTorch's `eps`). */
  bnEpsilon: number;
  /** Batch-norm momentum in PyTorch's convention. */
  bnMomentum: number;
  /** Default dropout rate before the classifier. */
  dropRate: number;
}

/** How a MobileNet's convolutions pad (see {@link MobileNetConfig.padding}). */
export type MobileNetPadding = 'symmetric' | 'tf-same';

/** Width options shared by the MobileNet builders. */
export interface MobileNetWidthOptions {
  /**
   * Width multiplier α applied to every channel count, rounded to a multiple of 8 as torchvision's
   * `_make_divisible` and timm's `round_channels` do (default 1; 0.25–1.0 are the paper's).
   */
  widthMultiplier?: number;
}

/** Which reference's layout a V2/V3 model follows. */
export type MobileNetReference = 'torchvision' | 'timm';

/** Options of {@link mobilenetV1}. */
export interface MobileNetV1Options extends BuildOptions, MobileNetWidthOptions {
  /** Activation: `relu6` (default; timm and Keras) or the paper's `relu`. */
  activation?: 'relu' | 'relu6';
}

/** Options of {@link mobilenetV2}, {@link mobilenetV3Large} and {@link mobilenetV3Small}. */
export interface MobileNetOptions extends BuildOptions, MobileNetWidthOptions {
  /**
   * `torchvision` (default): torchvision's module names, batch-norm settings, head and
   * initialization. `timm`: timm's (`mobilenetv2_100`, `mobilenetv3_large_100`).
   */
  reference?: MobileNetReference;
}

function checkWidth(value: unknown): number {
  const width = value ?? 1;
  if (typeof width !== 'number' || !Number.isFinite(width) || width <= 0) {
    throw invalidArgument('widthMultiplier', width, 'a positive number (0.25–1.0 in the paper)');
  }
  return width;
}

function checkReference(value: unknown): MobileNetReference {
  const reference = value ?? 'torchvision';
  if (reference !== 'torchvision' && reference !== 'timm') {
    throw invalidArgument('reference', reference, "'torchvision' or 'timm'");
  }
  return reference;
}

/** timm's width suffix: `100` for 1.0, `050` for 0.5, `140` for 1.4. */
function timmWidth(width: number): string {
  return String(Math.round(width * 100)).padStart(3, '0');
}

/** torchvision's `_make_divisible(channels · width, 8)` = timm's `round_channels`. */
function scaled(channels: number, width: number): number {
  return makeDivisible(channels * width, 8);
}

/**
 * MobileNetV1 as timm builds `mobilenetv1_100` (`_gen_mobilenet_v1`): a 32-channel stem and 13
 * depthwise-separable blocks with an activation after each pointwise convolution and no residuals,
 * global average pooling and a linear classifier on 1024·α features.
 */
export function mobilenetV1Config(
  options: MobileNetWidthOptions & { activation?: 'relu' | 'relu6'; name?: string } = {},
): MobileNetConfig {
  const width = checkWidth(options.widthMultiplier);
  const activation = options.activation ?? 'relu6';
  if (activation !== 'relu' && activation !== 'relu6') {
    throw invalidArgument('activation', activation, "'relu6' or 'relu'");
  }
  // timm arch_def: dsa_r1_k3_s1_c64, dsa_r2_k3_s2_c128, dsa_r2_k3_s2_c256, dsa_r6_k3_s2_c512, dsa_r2_k3_s2_c1024.
  const stages: [number, number, number][] = [
    [1, 1, 64],
    [2, 2, 128],
    [2, 2, 256],
    [6, 2, 512],
    [2, 2, 1024],
  ];
  return {
    name: options.name ?? 'mobilenet_v1',
    layout: 'timm',
    stemChannels: scaled(32, width),
    stemActivation: activation,
    stages: stages.map(([repeats, stride, channels]) =>
      Array.from({ length: repeats }, (_, i) => ({
        kind: 'ds' as const,
        kernelSize: 3,
        stride: i === 0 ? stride : 1,
        outChannels: scaled(channels, width),
        activation,
        pointwiseActivation: true,
        residual: false,
      })),
    ),
    bnEpsilon: 1e-5,
    bnMomentum: 0.1,
    dropRate: 0,
  };
}

/**
 * MobileNetV2 (torchvision `MobileNetV2`, timm `_gen_mobilenet_v2`): stem 32·α, the paper's
 * inverted-residual table (t, c, n, s), a 1×1 head of `max(1280, 1280·α)` channels, ReLU6.
 */
export function mobilenetV2Config(
  options: MobileNetWidthOptions & { reference?: MobileNetReference; name?: string } = {},
): MobileNetConfig {
  const width = checkWidth(options.widthMultiplier);
  const reference = checkReference(options.reference);
  // [expansion t, channels c, repeats n, stride s], torchvision's inverted_residual_setting.
  const table: [number, number, number, number][] = [
    [1, 16, 1, 1],
    [6, 24, 2, 2],
    [6, 32, 3, 2],
    [6, 64, 4, 2],
    [6, 96, 3, 1],
    [6, 160, 3, 2],
    [6, 320, 1, 1],
  ];
  let inChannels = scaled(32, width);
  const stemChannels = inChannels;
  const stages = table.map(([t, c, n, s]) => {
    const out = scaled(c, width);
    return Array.from({ length: n }, (_, i): BlockConfig => {
      const block: BlockConfig = {
        kind: t === 1 ? 'ds' : 'ir',
        kernelSize: 3,
        stride: i === 0 ? s : 1,
        outChannels: out,
        activation: 'relu6',
        ...(t === 1 ? {} : { expandedChannels: Math.round(inChannels * t) }),
      };
      inChannels = out;
      return block;
    });
  });
  return {
    name: options.name ?? (reference === 'timm' ? `mobilenetv2_${timmWidth(width)}` : 'mobilenet_v2'),
    layout: reference === 'timm' ? 'timm' : 'torchvision-v2',
    stemChannels,
    stemActivation: 'relu6',
    stages,
    head: { channels: scaled(1280, Math.max(1, width)), activation: 'relu6' },
    bnEpsilon: 1e-5,
    bnMomentum: 0.1,
    dropRate: reference === 'timm' ? 0 : 0.2,
  };
}

/** One row of MobileNetV3's tables: input, kernel, expanded, output, SE, activation, stride. */
type V3Row = [number, number, number, number, boolean, 'RE' | 'HS', number];

/** Table 1 (large) and Table 2 (small) of the MobileNetV3 paper, as torchvision writes them, grouped in timm's stages. */
const V3_TABLES: Readonly<Record<'large' | 'small', { stages: V3Row[][]; lastChannel: number }>> = {
  large: {
    stages: [
      [[16, 3, 16, 16, false, 'RE', 1]],
      [
        [16, 3, 64, 24, false, 'RE', 2],
        [24, 3, 72, 24, false, 'RE', 1],
      ],
      [
        [24, 5, 72, 40, true, 'RE', 2],
        [40, 5, 120, 40, true, 'RE', 1],
        [40, 5, 120, 40, true, 'RE', 1],
      ],
      [
        [40, 3, 240, 80, false, 'HS', 2],
        [80, 3, 200, 80, false, 'HS', 1],
        [80, 3, 184, 80, false, 'HS', 1],
        [80, 3, 184, 80, false, 'HS', 1],
      ],
      [
        [80, 3, 480, 112, true, 'HS', 1],
        [112, 3, 672, 112, true, 'HS', 1],
      ],
      [
        [112, 5, 672, 160, true, 'HS', 2],
        [160, 5, 960, 160, true, 'HS', 1],
        [160, 5, 960, 160, true, 'HS', 1],
      ],
    ],
    lastChannel: 1280,
  },
  small: {
    stages: [
      [[16, 3, 16, 16, true, 'RE', 2]],
      [
        [16, 3, 72, 24, false, 'RE', 2],
        [24, 3, 88, 24, false, 'RE', 1],
      ],
      [
        [24, 5, 96, 40, true, 'HS', 2],
        [40, 5, 240, 40, true, 'HS', 1],
        [40, 5, 240, 40, true, 'HS', 1],
      ],
      [
        [40, 5, 120, 48, true, 'HS', 1],
        [48, 5, 144, 48, true, 'HS', 1],
      ],
      [
        [48, 5, 288, 96, true, 'HS', 2],
        [96, 5, 576, 96, true, 'HS', 1],
        [96, 5, 576, 96, true, 'HS', 1],
      ],
    ],
    lastChannel: 1024,
  },
};

/**
 * MobileNetV3 large or small. torchvision's (`_mobilenet_v3_conf`): a hard-swish stem of 16·α
 * channels, the paper's bottleneck table (a block whose expansion equals its input is
 * depthwise-separable), a final 1×1 conv to 6× the last width, pooling, a hard-swish layer of 1280·α
 * (large) or 1024·α (small) units, and the classifier; batch-norm epsilon 1e-3, momentum 0.01,
 * `classifier.0` linear. `reference: 'timm'` is {@link timmMobileNetV3Config} at that width (timm's
 * `mobilenetv3_{large,small}_*`: epsilon 1e-5, momentum 0.1, biased `conv_head`, timm's rounding).
 */
export function mobilenetV3Config(
  size: 'large' | 'small',
  options: MobileNetWidthOptions & { reference?: MobileNetReference; name?: string } = {},
): MobileNetConfig {
  const table = V3_TABLES[size];
  if (!table) throw invalidArgument('size', size, "'large' or 'small'");
  const width = checkWidth(options.widthMultiplier);
  const reference = checkReference(options.reference);
  if (reference === 'timm') {
    return timmMobileNetV3Config({
      size,
      widthMultiplier: width,
      ...(options.name === undefined ? {} : { name: options.name }),
    });
  }
  const activationOf = (code: 'RE' | 'HS'): MobileNetActivation => (code === 'HS' ? 'hardSwish' : 'relu');
  const stages: BlockConfig[][] = table.stages.map((rows) =>
    rows.map(([input, kernelSize, expanded, out, se, act, stride]) => {
      const inChannels = scaled(input, width);
      const expandedChannels = scaled(expanded, width);
      return {
        kind: expandedChannels === inChannels ? 'ds' : 'ir',
        kernelSize,
        stride,
        outChannels: scaled(out, width),
        activation: activationOf(act),
        se,
        ...(expandedChannels === inChannels ? {} : { expandedChannels }),
      };
    }),
  );
  const lastOut = stages.at(-1)!.at(-1)!.outChannels;
  stages.push([
    { kind: 'conv', kernelSize: 1, stride: 1, outChannels: 6 * lastOut, activation: 'hardSwish' },
  ]);
  return {
    name: options.name ?? `mobilenet_v3_${size}`,
    layout: 'torchvision-v3',
    stemChannels: scaled(16, width),
    stemActivation: 'hardSwish',
    stages,
    preLogits: { units: scaled(table.lastChannel, width), activation: 'hardSwish', kind: 'dense' },
    bnEpsilon: 1e-3,
    bnMomentum: 0.01,
    dropRate: 0.2,
  };
}

/** Python's `round`: halves to even (timm's `rd_round_fn` default and `_scale_stage_depth`). */
function roundHalfEven(value: number): number {
  const floor = Math.floor(value);
  const diff = value - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/**
 * One row of a timm MobileNetV3 architecture table (timm's `arch_def` block strings): block kind,
 * repeats, kernel, stride, expansion ratio of the input channels, output channels (before the width
 * multiplier), and flags: `se` (squeeze-and-excitation on a quarter of the block's width), `re` (ReLU
 * instead of the model's activation), `noskip` (no residual).
 */
type TimmRow = [
  kind: 'ds' | 'ir' | 'conv',
  repeats: number,
  kernel: number,
  stride: number,
  expansion: number,
  channels: number,
  ...flags: ('se' | 're' | 'noskip')[],
];

/** timm's `_gen_mobilenet_v3` / `_gen_mobilenet_v3_rw` tables, stage by stage. */
const TIMM_V3_TABLES: Readonly<
  Record<'large' | 'small' | 'large_minimal' | 'small_minimal' | 'rw', TimmRow[][]>
> = {
  large: [
    [['ds', 1, 3, 1, 1, 16, 're']],
    [
      ['ir', 1, 3, 2, 4, 24, 're'],
      ['ir', 1, 3, 1, 3, 24, 're'],
    ],
    [['ir', 3, 5, 2, 3, 40, 'se', 're']],
    [
      ['ir', 1, 3, 2, 6, 80],
      ['ir', 1, 3, 1, 2.5, 80],
      ['ir', 2, 3, 1, 2.3, 80],
    ],
    [['ir', 2, 3, 1, 6, 112, 'se']],
    [['ir', 3, 5, 2, 6, 160, 'se']],
    [['conv', 1, 1, 1, 1, 960]],
  ],
  large_minimal: [
    [['ds', 1, 3, 1, 1, 16]],
    [
      ['ir', 1, 3, 2, 4, 24],
      ['ir', 1, 3, 1, 3, 24],
    ],
    [['ir', 3, 3, 2, 3, 40]],
    [
      ['ir', 1, 3, 2, 6, 80],
      ['ir', 1, 3, 1, 2.5, 80],
      ['ir', 2, 3, 1, 2.3, 80],
    ],
    [['ir', 2, 3, 1, 6, 112]],
    [['ir', 3, 3, 2, 6, 160]],
    [['conv', 1, 1, 1, 1, 960]],
  ],
  small: [
    [['ds', 1, 3, 2, 1, 16, 'se', 're']],
    [
      ['ir', 1, 3, 2, 4.5, 24, 're'],
      ['ir', 1, 3, 1, 3.67, 24, 're'],
    ],
    [
      ['ir', 1, 5, 2, 4, 40, 'se'],
      ['ir', 2, 5, 1, 6, 40, 'se'],
    ],
    [['ir', 2, 5, 1, 3, 48, 'se']],
    [['ir', 3, 5, 2, 6, 96, 'se']],
    [['conv', 1, 1, 1, 1, 576]],
  ],
  small_minimal: [
    [['ds', 1, 3, 2, 1, 16]],
    [
      ['ir', 1, 3, 2, 4.5, 24],
      ['ir', 1, 3, 1, 3.67, 24],
    ],
    [
      ['ir', 1, 3, 2, 4, 40],
      ['ir', 2, 3, 1, 6, 40],
    ],
    [['ir', 2, 3, 1, 3, 48]],
    [['ir', 3, 3, 2, 6, 96]],
    [['conv', 1, 1, 1, 1, 576]],
  ],
  rw: [
    [['ds', 1, 3, 1, 1, 16, 're', 'noskip']],
    [
      ['ir', 1, 3, 2, 4, 24, 're'],
      ['ir', 1, 3, 1, 3, 24, 're'],
    ],
    [['ir', 3, 5, 2, 3, 40, 'se', 're']],
    [
      ['ir', 1, 3, 2, 6, 80],
      ['ir', 1, 3, 1, 2.5, 80],
      ['ir', 2, 3, 1, 2.3, 80],
    ],
    [['ir', 2, 3, 1, 6, 112, 'se']],
    [['ir', 3, 5, 2, 6, 160, 'se']],
    [['conv', 1, 1, 1, 1, 960]],
  ],
};

/** Which of timm's MobileNetV3 definitions, and how it is scaled. */
export interface TimmMobileNetV3Spec {
  /** `large` or `small` (timm's `mobilenetv3_large_*` / `mobilenetv3_small_*`). */
  size: 'large' | 'small';
  /** Channel multiplier (timm's `channel_multiplier`; default 1). */
  widthMultiplier?: number;
  /** Depth multiplier of every stage's block count (timm's `depth_multiplier`, `_150d`'s 1.2; default 1). */
  depthMultiplier?: number;
  /** timm's `minimal` definition: ReLU everywhere, 3×3 kernels, no squeeze-and-excitation. */
  minimal?: boolean;
  /**
   * Ported TensorFlow weights (`tf_mobilenetv3_*`): TF's asymmetric `'same'` padding and batch-norm
   * epsilon 1e-3.
   */
  tf?: boolean;
  /**
   * Ross Wightman's early definition (`mobilenetv3_rw`, large only): no residual in the first block,
   * squeeze-and-excitation with the block's activation and `round(C / 4)` channels, a bias-free
   * `conv_head`, batch-norm epsilon 1e-3.
   */
  rw?: boolean;
  /** Model name (default timm's id, e.g. `mobilenetv3_small_075`). */
  name?: string;
}

/** Stage block counts scaled as timm's `_scale_stage_depth` does ('ceil', distributed from the last row). */
function scaleStageDepth(repeats: readonly number[], multiplier: number): number[] {
  let total = repeats.reduce((a, b) => a + b, 0);
  let scaledTotal = Math.ceil(total * multiplier);
  const out: number[] = [];
  for (const r of [...repeats].reverse()) {
    const rs = Math.max(1, roundHalfEven((r / total) * scaledTotal));
    out.push(rs);
    total -= r;
    scaledTotal -= rs;
  }
  return out.reverse();
}

/** timm's default id of a {@link TimmMobileNetV3Spec}. */
function timmV3Name(spec: TimmMobileNetV3Spec, width: number): string {
  if (spec.rw) return 'mobilenetv3_rw';
  const depth = (spec.depthMultiplier ?? 1) === 1 ? '' : 'd';
  return `${spec.tf ? 'tf_' : ''}mobilenetv3_${spec.size}${spec.minimal ? '_minimal' : ''}_${timmWidth(width)}${depth}`;
}

/**
 * MobileNetV3 exactly as timm builds it (`_gen_mobilenet_v3`, `_gen_mobilenet_v3_rw` and the
 * EfficientNet builder): channels `round_channels(c · α)`, an inverted residual's width
 * `make_divisible(in · e)` from its (already scaled) input, squeeze-and-excitation on
 * `make_divisible(width / 4)` channels with ReLU and a hard-sigmoid gate, a 16-channel stem left
 * unscaled below α = 0.75 (`fix_stem`), and a biased 1×1 `conv_head` of 1280 (large) or 1024 (small)
 * channels whatever the width. Covers every `mobilenetv3_*` and `tf_mobilenetv3_*` id of timm.
 */
export function timmMobileNetV3Config(spec: TimmMobileNetV3Spec): MobileNetConfig {
  if (spec.size !== 'large' && spec.size !== 'small') {
    throw invalidArgument('size', spec.size, "'large' or 'small'");
  }
  if (spec.rw && (spec.size !== 'large' || spec.minimal)) {
    throw invalidArgument('rw', spec.rw, "true only for size 'large' without minimal (mobilenetv3_rw)");
  }
  const width = checkWidth(spec.widthMultiplier);
  const depth = spec.depthMultiplier ?? 1;
  if (typeof depth !== 'number' || !Number.isFinite(depth) || depth <= 0) {
    throw invalidArgument('depthMultiplier', depth, 'a positive number');
  }
  const key: keyof typeof TIMM_V3_TABLES = spec.rw
    ? 'rw'
    : spec.minimal
      ? (`${spec.size}_minimal` as const)
      : spec.size;
  const table = TIMM_V3_TABLES[key];
  const activation: MobileNetActivation = spec.minimal ? 'relu' : 'hardSwish';
  const stemChannels = width < 0.75 ? 16 : scaled(16, width);
  let inChannels = stemChannels;
  const stages = table.map((rows) => {
    const counts = scaleStageDepth(
      rows.map((row) => row[1]),
      depth,
    );
    let first = true;
    return rows.flatMap(([kind, , kernelSize, stride, expansion, channels, ...flags], r) =>
      Array.from({ length: counts[r] as number }, (): BlockConfig => {
        const outChannels = scaled(channels, width);
        const blockActivation = flags.includes('re') ? 'relu' : activation;
        const expandedChannels = kind === 'ir' ? makeDivisible(inChannels * expansion, 8) : undefined;
        const seWidth = expandedChannels ?? inChannels;
        const se = flags.includes('se');
        const block: BlockConfig = {
          kind,
          kernelSize,
          // timm's builder keeps the stride of a stage's first block only.
          stride: first ? stride : 1,
          outChannels,
          activation: blockActivation,
          ...(expandedChannels === undefined ? {} : { expandedChannels }),
          ...(se
            ? spec.rw
              ? { se: true, seChannels: roundHalfEven(seWidth / 4), seActivation: blockActivation }
              : { se: true, seChannels: makeDivisible(seWidth * 0.25, 8) }
            : {}),
          ...(flags.includes('noskip') ? { residual: false } : {}),
        };
        inChannels = outChannels;
        first = false;
        return block;
      }),
    );
  });
  const tfEpsilon = spec.tf || spec.rw;
  return {
    name: spec.name ?? timmV3Name(spec, width),
    layout: 'timm',
    stemChannels,
    stemActivation: activation,
    stages,
    preLogits: {
      units: spec.size === 'large' ? 1280 : 1024,
      activation,
      kind: 'conv',
      ...(spec.rw ? { bias: false } : {}),
    },
    ...(spec.tf ? { padding: 'tf-same' as const } : {}),
    bnEpsilon: tfEpsilon ? 1e-3 : 1e-5,
    bnMomentum: 0.1,
    dropRate: 0,
  };
}

function checkConfig(config: MobileNetConfig): void {
  if (!config || typeof config !== 'object' || !Array.isArray(config.stages) || config.stages.length === 0) {
    throw invalidArgument('config', config, 'a MobileNetConfig such as mobilenetV2Config()');
  }
  if (!MOBILENET_LAYOUTS.includes(config.layout)) {
    throw invalidArgument('config.layout', config.layout, `one of ${MOBILENET_LAYOUTS.join(', ')}`);
  }
  if (config.padding !== undefined && config.padding !== 'symmetric' && config.padding !== 'tf-same') {
    throw invalidArgument('config.padding', config.padding, "'symmetric' or 'tf-same'");
  }
  for (const [s, stage] of config.stages.entries()) {
    for (const [i, block] of stage.entries()) {
      const where = `config.stages[${s}][${i}]`;
      if (!['ds', 'ir', 'conv'].includes(block.kind)) {
        throw invalidArgument(`${where}.kind`, block.kind, "'ds', 'ir' or 'conv'");
      }
      if (!MOBILENET_ACTIVATIONS.includes(block.activation)) {
        throw invalidArgument(`${where}.activation`, block.activation, MOBILENET_ACTIVATIONS.join(', '));
      }
      for (const key of ['kernelSize', 'stride', 'outChannels'] as const) {
        const value = block[key];
        if (!(Number.isInteger(value) && value > 0))
          throw invalidArgument(`${where}.${key}`, value, 'a positive integer');
      }
      if (block.kernelSize % 2 === 0) {
        throw invalidArgument(
          `${where}.kernelSize`,
          block.kernelSize,
          'an odd kernel size (PyTorch pads (k − 1) / 2)',
        );
      }
    }
  }
}

/**
 * Builds a MobileNet from its configuration: the one configurable builder behind
 * {@link mobilenetV1}, {@link mobilenetV2}, {@link mobilenetV3Large} and {@link mobilenetV3Small}.
 *
 * @throws {@link @tfzoo/core!ZooError} naming the value when the configuration or an option is malformed.
 */
export function buildMobileNet(config: MobileNetConfig, options: BuildOptions = {}): tfl.LayersModel {
  const features = buildFeatures(options, (rest) => buildMobileNet(config, rest));
  if (features) return features;
  checkConfig(config);
  const resolved = resolveBuildOptions(options, { name: config.name, dropRate: config.dropRate });
  const naming = namingFor(config.layout);
  const context: BlockContext = {
    bnEpsilon: config.bnEpsilon,
    bnMomentum: config.bnMomentum,
    init: config.layout === 'timm' ? 'timm' : 'torchvision',
    padding: config.padding ?? 'symmetric',
  };
  const input = tfl.input({ shape: resolved.inputShape, name: 'input' });
  let x = convUnit(
    input,
    {
      filters: config.stemChannels,
      kernelSize: 3,
      stride: 2,
      activation: config.stemActivation,
      names: naming.stem,
    },
    context,
  );
  let channels = config.stemChannels;
  let global = 0;
  config.stages.forEach((stage, s) => {
    stage.forEach((block, index) => {
      const names = naming.block(block.kind, { stage: s, index, global }, block.se === true);
      x = mobileNetBlock(x, channels, block, names, context);
      channels = block.outChannels;
      global += 1;
    });
  });
  if (config.head) {
    const { channels: filters, activation } = config.head;
    x = convUnit(x, { filters, kernelSize: 1, stride: 1, activation, names: naming.head(global) }, context);
    channels = filters;
  }
  if (!resolved.includeTop) {
    return tfl.model({ inputs: input, outputs: globalPool(x, resolved.pooling), name: resolved.name });
  }
  x = tfl.layers.globalAveragePooling2d({ name: 'global_pool' }).apply(x) as Tensor;
  const timmInit = context.init === 'timm';
  if (config.preLogits) {
    const { units, activation, kind, bias = true } = config.preLogits;
    if (kind === 'conv') {
      x = tfl.layers
        .reshape({ targetShape: [1, 1, channels], name: 'global_pool_reshape' })
        .apply(x) as Tensor;
      x = tfl.layers
        .conv2d({
          filters: units,
          kernelSize: 1,
          kernelInitializer: kaimingNormalFanOut(),
          useBias: bias,
          ...(bias ? { biasInitializer: 'zeros' as const } : {}),
          name: naming.preLogits.layer,
        })
        .apply(x) as Tensor;
      x = applyActivation(x, activation, naming.preLogits.act);
      x = tfl.layers.flatten({ name: 'flatten' }).apply(x) as Tensor;
    } else {
      x = tfl.layers
        .dense({
          units,
          kernelInitializer: normalInit(0.01),
          biasInitializer: 'zeros',
          name: naming.preLogits.layer,
        })
        .apply(x) as Tensor;
      x = applyActivation(x, activation, naming.preLogits.act);
    }
  }
  x = maybeDropout(x, resolved.dropRate, naming.dropout);
  x = tfl.layers
    .dense({
      units: resolved.numClasses,
      // timm `_init_weight_goog`: U(±1/√fan_out); torchvision: N(0, 0.01).
      kernelInitializer: timmInit
        ? tfl.initializers.varianceScaling({ scale: 1 / 3, mode: 'fanOut', distribution: 'uniform' })
        : normalInit(0.01),
      biasInitializer: 'zeros',
      name: naming.classifier,
    })
    .apply(x) as Tensor;
  return tfl.model({ inputs: input, outputs: classifierOutput(x, resolved), name: resolved.name });
}

/** {@link mobilenetV1}'s option keys beyond `BuildOptions`: every other key is refused. */
export const MOBILENET_V1_OPTION_KEYS = Object.freeze([
  'widthMultiplier',
  'activation',
] as const satisfies readonly (keyof MobileNetV1Options)[]);

/** The V2/V3 builders' option keys beyond `BuildOptions`: every other key is refused. */
export const MOBILENET_OPTION_KEYS = Object.freeze([
  'widthMultiplier',
  'reference',
] as const satisfies readonly (keyof MobileNetOptions)[]);

/** Refuses unknown keys, then splits architecture options from build options. */
function split<T extends object>(
  options: T | undefined,
  keys: readonly string[],
  defaultName: string,
): [Record<string, unknown>, BuildOptions] {
  const name = (options as BuildOptions | undefined)?.name;
  checkOptionKeys(options, [...BUILD_OPTION_KEYS, ...keys], typeof name === 'string' ? name : defaultName);
  const architecture: Record<string, unknown> = {};
  const build: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options ?? {})) {
    (keys.includes(key) ? architecture : build)[key] = value;
  }
  return [architecture, build as BuildOptions];
}

/**
 * MobileNetV1 (Howard et al., 2017) in timm's `mobilenetv1_100` layout: 4.23M parameters at width
 * 1.0 and 1000 classes. Defaults: width 1.0, ReLU6, no dropout, `[224, 224, 3]`, logits out.
 *
 * @example
 * ```ts
 * const model = mobilenetV1({ widthMultiplier: 0.5, activation: 'relu', numClasses: 10 });
 * ```
 */
export function mobilenetV1(options: MobileNetV1Options = {}): tfl.LayersModel {
  const [architecture, build] = split(options, MOBILENET_V1_OPTION_KEYS, 'mobilenet_v1');
  return buildMobileNet(mobilenetV1Config(architecture), build);
}

/**
 * MobileNetV2 (Sandler et al., 2018): 3.50M parameters at width 1.0 and 1000 classes. Defaults:
 * torchvision's layout (dropout 0.2), width 1.0, `[224, 224, 3]`, logits out; `reference: 'timm'`
 * gives timm's `mobilenetv2_100` names (no dropout).
 */
export function mobilenetV2(options: MobileNetOptions = {}): tfl.LayersModel {
  const [architecture, build] = split(options, MOBILENET_OPTION_KEYS, 'mobilenet_v2');
  return buildMobileNet(mobilenetV2Config(architecture), build);
}

/**
 * MobileNetV3-Large (Howard et al., 2019): 5.48M parameters at width 1.0 and 1000 classes.
 * Defaults: torchvision's layout and batch norm (ε 1e-3), dropout 0.2, width 1.0; `reference:
 * 'timm'` gives timm's `mobilenetv3_large_100` (ε 1e-5, biased `conv_head`, no dropout).
 */
export function mobilenetV3Large(options: MobileNetOptions = {}): tfl.LayersModel {
  const [architecture, build] = split(options, MOBILENET_OPTION_KEYS, 'mobilenet_v3_large');
  return buildMobileNet(mobilenetV3Config('large', architecture), build);
}

/**
 * MobileNetV3-Small (Howard et al., 2019): 2.54M parameters at width 1.0 and 1000 classes.
 * Defaults as {@link mobilenetV3Large}.
 */
export function mobilenetV3Small(options: MobileNetOptions = {}): tfl.LayersModel {
  const [architecture, build] = split(options, MOBILENET_OPTION_KEYS, 'mobilenet_v3_small');
  return buildMobileNet(mobilenetV3Config('small', architecture), build);
}
