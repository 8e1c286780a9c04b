/**
 * The pieces both ShuffleNets are made of, over symbolic tensors with deterministic names: bias-free
 * 1×1 (optionally grouped) and 3×3 depthwise convolutions with PyTorch's explicit symmetric padding,
 * batch-norm with PyTorch's epsilon and momentum, ReLU, and the two units — ShuffleNet v1's
 * (Zhang et al., 2018, Fig. 2; megvii's `ShuffleV1Block`) and ShuffleNet v2's (Ma et al., 2018,
 * Fig. 3; torchvision's `InvertedResidual`).
 *
 * Names mirror the reference modules with `.` → `_` (`stage2.0.branch1.0` → `stage2_0_branch1_0`,
 * `features.3.branch_main_2.0` → `features_3_branch_main_2_0`); helper layers get derived names
 * (`stage2_0_branch1_0_pad`, `stage2_1_concat`, `features_3_shuffle`).
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { ChannelShuffle, ChannelSlice, GroupConv2D, PaddedAveragePooling2D } from '@tfzoo/layers';

type Tensor = tfl.SymbolicTensor;

/** A tfjs-layers initializer instance. */
export type Initializer = ReturnType<typeof tfl.initializers.zeros>;

/** PyTorch's `BatchNorm2d` epsilon. */
export const TORCH_BN_EPSILON = 1e-5;

/** PyTorch's `BatchNorm2d` momentum 0.1, in Keras' convention (`1 − 0.1`). */
export const TORCH_BN_MOMENTUM = 0.9;

/** PyTorch `nn.BatchNorm2d` over NHWC (epsilon 1e-5, momentum 0.1), γ = 1 and β = `beta` (default 0). */
export function batchNorm(x: Tensor, name: string, beta = 0): Tensor {
  return tfl.layers
    .batchNormalization({
      axis: -1,
      epsilon: TORCH_BN_EPSILON,
      momentum: TORCH_BN_MOMENTUM,
      gammaInitializer: 'ones',
      betaInitializer: beta === 0 ? 'zeros' : tfl.initializers.constant({ value: beta }),
      name,
    })
    .apply(x) as Tensor;
}

/** A ReLU layer named `name`. */
export function relu(x: Tensor, name: string): Tensor {
  return tfl.layers.reLU({ name }).apply(x) as Tensor;
}

/**
 * A bias-free 1×1 convolution, `nn.Conv2d(in, filters, 1, groups=groups, bias=False)`: a plain
 * `Conv2D` for `groups = 1`, `@tfzoo/layers`' `GroupConv2D` otherwise.
 */
export function pointwiseConv(
  x: Tensor,
  filters: number,
  name: string,
  kernelInitializer: Initializer,
  groups = 1,
): Tensor {
  if (groups > 1) {
    return new GroupConv2D({ filters, kernelSize: 1, groups, useBias: false, kernelInitializer, name }).apply(
      x,
    ) as Tensor;
  }
  return tfl.layers
    .conv2d({ filters, kernelSize: 1, useBias: false, kernelInitializer, name })
    .apply(x) as Tensor;
}

/**
 * A bias-free `k×k` convolution with PyTorch's symmetric padding `(k − 1) / 2`: TF's `'same'` at
 * stride 1 (identical there), a `ZeroPadding2D` named `<name>_pad` and `'valid'` at stride 2 (TF's
 * `'same'` would pad asymmetrically).
 */
export function paddedConv(
  x: Tensor,
  filters: number,
  kernelSize: number,
  stride: number,
  name: string,
  kernelInitializer: Initializer,
): Tensor {
  const input =
    stride === 1
      ? x
      : (tfl.layers.zeroPadding2d({ padding: (kernelSize - 1) / 2, name: `${name}_pad` }).apply(x) as Tensor);
  return tfl.layers
    .conv2d({
      filters,
      kernelSize,
      strides: stride,
      padding: stride === 1 ? 'same' : 'valid',
      useBias: false,
      kernelInitializer,
      name,
    })
    .apply(input) as Tensor;
}

/**
 * A bias-free 3×3 depthwise convolution with padding 1, `nn.Conv2d(C, C, 3, stride, 1, groups=C,
 * bias=False)`, as tfjs's `DepthwiseConv2D` (padding as {@link paddedConv}).
 */
export function depthwiseConv3x3(x: Tensor, stride: number, name: string, initializer: Initializer): Tensor {
  const input =
    stride === 1 ? x : (tfl.layers.zeroPadding2d({ padding: 1, name: `${name}_pad` }).apply(x) as Tensor);
  return tfl.layers
    .depthwiseConv2d({
      kernelSize: 3,
      strides: stride,
      padding: stride === 1 ? 'same' : 'valid',
      useBias: false,
      depthwiseInitializer: initializer,
      name,
    })
    .apply(input) as Tensor;
}

/** Channel concatenation named `name`. */
export function concat(inputs: Tensor[], name: string): Tensor {
  return tfl.layers.concatenate({ axis: -1, name }).apply(inputs) as Tensor;
}

/** Initializers of one unit's convolutions. */
export interface UnitInitializers {
  /** 1×1 convolutions: given the fan-in of one group (`in / groups`). */
  pointwise: (fanIn: number) => Initializer;
  /** 3×3 depthwise convolutions. */
  depthwise: () => Initializer;
}

/** Arguments of {@link shuffleV1Unit}. */
export interface ShuffleV1UnitArgs {
  /** Unit name prefix, e.g. `features_0`. */
  prefix: string;
  /** Input channels. */
  inChannels: number;
  /** Output channels of the unit (for a stride-2 unit: the concatenation's). */
  outChannels: number;
  /** Groups of the 1×1 convolutions. */
  groups: number;
  /** Whether the first 1×1 convolution is grouped (the paper leaves stage 2's first one dense). */
  groupFirst: boolean;
  /** 1 (residual add) or 2 (concatenation with a 3×3 average-pooled shortcut). */
  stride: 1 | 2;
  /** β init of the batch-norms (megvii's 1e-4). */
  bnBeta: number;
  /** Convolution initializers. */
  init: UnitInitializers;
}

/**
 * ShuffleNet v1 unit (the paper's Fig. 2b/2c) in megvii's `ShuffleV1Block` layout:
 * `branch_main_1` = grouped 1×1 (`_0`), BN (`_1`), ReLU (`_2`), 3×3 depthwise (`_3`), BN (`_4`);
 * channel shuffle; `branch_main_2` = grouped 1×1 (`_0`), BN (`_1`). Stride 1:
 * `relu(main + x)`; stride 2: `concat(avgpool3x3(x), relu(main))`, the main branch producing
 * `out − in` channels. The bottleneck has `out / 4` channels.
 *
 * The shuffle is megvii's: `reshape(C/g, g)`, transpose, flatten — the inverse of torchvision's
 * `channel_shuffle(x, g)`, i.e. `ChannelShuffle({ groups: C / g })`. Like every channel permutation
 * between per-channel layers it is as good as the paper's; it matters only for loading megvii-layout
 * checkpoints.
 */
export function shuffleV1Unit(x: Tensor, args: ShuffleV1UnitArgs): Tensor {
  const { prefix, inChannels, outChannels, groups, stride, init } = args;
  const mid = outChannels / 4;
  const mainOut = stride === 2 ? outChannels - inChannels : outChannels;
  const firstGroups = args.groupFirst ? groups : 1;
  let y = pointwiseConv(
    x,
    mid,
    `${prefix}_branch_main_1_0`,
    init.pointwise(inChannels / firstGroups),
    firstGroups,
  );
  y = batchNorm(y, `${prefix}_branch_main_1_1`, args.bnBeta);
  y = relu(y, `${prefix}_branch_main_1_2`);
  y = depthwiseConv3x3(y, stride, `${prefix}_branch_main_1_3`, init.depthwise());
  y = batchNorm(y, `${prefix}_branch_main_1_4`, args.bnBeta);
  if (groups > 1)
    y = new ChannelShuffle({ groups: mid / groups, name: `${prefix}_shuffle` }).apply(y) as Tensor;
  y = pointwiseConv(y, mainOut, `${prefix}_branch_main_2_0`, init.pointwise(mid / groups), groups);
  y = batchNorm(y, `${prefix}_branch_main_2_1`, args.bnBeta);
  if (stride === 1) {
    const sum = tfl.layers.add({ name: `${prefix}_add` }).apply([y, x]) as Tensor;
    return relu(sum, `${prefix}_relu`);
  }
  const shortcut = new PaddedAveragePooling2D({
    poolSize: 3,
    strides: 2,
    padding: 1,
    countIncludePad: true,
    name: `${prefix}_branch_proj`,
  }).apply(x) as Tensor;
  return concat([shortcut, relu(y, `${prefix}_relu`)], `${prefix}_concat`);
}

/** Arguments of {@link shuffleV2Unit}. */
export interface ShuffleV2UnitArgs {
  /** Unit name prefix, e.g. `stage2_0`. */
  prefix: string;
  /** Input channels. */
  inChannels: number;
  /** Output channels (even; each branch makes half). */
  outChannels: number;
  /** 1 (channel split) or 2 (both branches see the whole input). */
  stride: 1 | 2;
  /** Convolution initializers. */
  init: UnitInitializers;
}

/**
 * ShuffleNet v2 unit (the paper's Fig. 3c/3d), torchvision's `InvertedResidual`. `branch2` =
 * 1×1 (`_0`), BN (`_1`), ReLU (`_2`), 3×3 depthwise (`_3`), BN (`_4`), 1×1 (`_5`), BN (`_6`), ReLU
 * (`_7`). Stride 1: split the channels in halves, `concat(x1, branch2(x2))`; stride 2:
 * `concat(branch1(x), branch2(x))` with `branch1` = 3×3 depthwise (`_0`), BN (`_1`), 1×1 (`_2`),
 * BN (`_3`), ReLU (`_4`). Then `channel_shuffle(·, 2)`.
 */
export function shuffleV2Unit(x: Tensor, args: ShuffleV2UnitArgs): Tensor {
  const { prefix, inChannels, outChannels, stride, init } = args;
  const branch = outChannels / 2;
  let left: Tensor;
  let right: Tensor;
  if (stride === 1) {
    left = new ChannelSlice({ start: 0, size: branch, name: `${prefix}_split1` }).apply(x) as Tensor;
    right = new ChannelSlice({ start: branch, size: branch, name: `${prefix}_split2` }).apply(x) as Tensor;
  } else {
    left = depthwiseConv3x3(x, stride, `${prefix}_branch1_0`, init.depthwise());
    left = batchNorm(left, `${prefix}_branch1_1`);
    left = pointwiseConv(left, branch, `${prefix}_branch1_2`, init.pointwise(inChannels));
    left = batchNorm(left, `${prefix}_branch1_3`);
    left = relu(left, `${prefix}_branch1_4`);
    right = x;
  }
  let y = pointwiseConv(
    right,
    branch,
    `${prefix}_branch2_0`,
    init.pointwise(stride === 1 ? branch : inChannels),
  );
  y = batchNorm(y, `${prefix}_branch2_1`);
  y = relu(y, `${prefix}_branch2_2`);
  y = depthwiseConv3x3(y, stride, `${prefix}_branch2_3`, init.depthwise());
  y = batchNorm(y, `${prefix}_branch2_4`);
  y = pointwiseConv(y, branch, `${prefix}_branch2_5`, init.pointwise(branch));
  y = batchNorm(y, `${prefix}_branch2_6`);
  y = relu(y, `${prefix}_branch2_7`);
  const joined = concat([left, y], `${prefix}_concat`);
  return new ChannelShuffle({ groups: 2, name: `${prefix}_shuffle` }).apply(joined) as Tensor;
}

/**
 * The channel-split layer, now in `@tfzoo/layers`.
 *
 * @deprecated Import `ChannelSlice` from `@tfzoo/layers`.
 */
export { ChannelSlice, type ChannelSliceArgs } from '@tfzoo/layers';
