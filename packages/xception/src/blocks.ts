/**
 * The pieces of Xception in the layout of timm's `legacy_xception` (`timm/models/xception.py`,
 * ported from Cadene's `pretrainedmodels`, itself ported from Keras): separable convolutions
 * (`SeparableConv2d`: a 3×3 depthwise `conv1` then a 1×1 `pointwise`, both bias-free), batch-norm
 * with PyTorch's epsilon and momentum, and the residual `Block` (`rep` sequence of ReLU →
 * separable conv → BN, optional 3×3 stride-2 max pool; `skip` 1×1 conv + `skipbn` shortcut when the
 * shape changes).
 *
 * Names mirror the reference modules with `.` → `_` (`block1.rep.0.conv1` → `block1_rep_0_conv1`,
 * `block2.skipbn` → `block2_skipbn`); helper layers get derived names (`block4_add`).
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { kaimingNormalFanOut, normalInit } from '@tfzoo/core';
import { PaddedMaxPooling2D } from '@tfzoo/layers';

type Tensor = tfl.SymbolicTensor;

/** A tfjs-layers initializer instance. */
export type Initializer = ReturnType<typeof tfl.initializers.zeros>;

/** PyTorch's `BatchNorm2d` epsilon. */
export const TORCH_BN_EPSILON = 1e-5;

/** PyTorch's `BatchNorm2d` momentum 0.1, in Keras' convention (`1 − 0.1`). */
export const TORCH_BN_MOMENTUM = 0.9;

/** PyTorch `nn.BatchNorm2d` over NHWC (epsilon 1e-5, momentum 0.1), γ = 1, β = 0. */
export function batchNorm(x: Tensor, name: string): Tensor {
  return tfl.layers
    .batchNormalization({ axis: -1, epsilon: TORCH_BN_EPSILON, momentum: TORCH_BN_MOMENTUM, name })
    .apply(x) as Tensor;
}

/** A ReLU layer named `name`. */
export function relu(x: Tensor, name: string): Tensor {
  return tfl.layers.reLU({ name }).apply(x) as Tensor;
}

/** Kernel initializers: timm's `kaiming_normal_(mode='fan_out')`, or zeros with `skipInit`. */
export interface XceptionInit {
  /** Dense convolutions (He normal, fan-out `kh·kw·out`). */
  conv: () => Initializer;
  /** Depthwise 3×3 convolutions over `channels` channels (PyTorch's fan-out of `[C,1,3,3]` is `9·C`). */
  depthwise: (channels: number) => Initializer;
}

/** timm's init of `legacy_xception` (every `nn.Conv2d`: `kaiming_normal_(mode='fan_out', nonlinearity='relu')`). */
export function xceptionInit(skipInit: boolean): XceptionInit {
  if (skipInit) return { conv: () => tfl.initializers.zeros(), depthwise: () => tfl.initializers.zeros() };
  return {
    conv: () => kaimingNormalFanOut(),
    depthwise: (channels) => normalInit(Math.sqrt(2 / (9 * channels))),
  };
}

/** A bias-free convolution with `'valid'` padding (PyTorch `padding=0`), named `name`. */
export function conv(
  x: Tensor,
  filters: number,
  kernelSize: number,
  stride: number,
  name: string,
  init: XceptionInit,
): Tensor {
  return tfl.layers
    .conv2d({
      filters,
      kernelSize,
      strides: stride,
      padding: 'valid',
      useBias: false,
      kernelInitializer: init.conv(),
      name,
    })
    .apply(x) as Tensor;
}

/**
 * timm's `SeparableConv2d(in, out, 3, 1, 1)`: a 3×3 depthwise convolution `<name>_conv1` (stride 1,
 * padding 1 — TF's `'same'`, identical at stride 1) and a 1×1 `<name>_pointwise`, both bias-free.
 */
export function separableConv(
  x: Tensor,
  inChannels: number,
  filters: number,
  name: string,
  init: XceptionInit,
): Tensor {
  const depthwise = tfl.layers
    .depthwiseConv2d({
      kernelSize: 3,
      padding: 'same',
      useBias: false,
      depthwiseInitializer: init.depthwise(inChannels),
      name: `${name}_conv1`,
    })
    .apply(x) as Tensor;
  return conv(depthwise, filters, 1, 1, `${name}_pointwise`, init);
}

/** One residual block of Xception as data (timm's `Block(in, out, reps, strides, start_with_relu, grow_first)`). */
export interface XceptionBlockConfig {
  /** Output channels. */
  outChannels: number;
  /** Separable convolutions in the block. */
  reps: number;
  /** 2: end with a 3×3 stride-2 max pool (and a strided `skip`); 1: keep the size. */
  stride: 1 | 2;
  /** Whether the block starts with a ReLU (false only for `block1`, which follows `act2`). */
  startWithRelu: boolean;
  /** Widen on the first separable conv (true) or the last (false, `block12`). */
  growFirst: boolean;
}

/**
 * timm's legacy Xception `Block`, named `prefix` (`block4`): `rep` = [ReLU, SeparableConv2d, BN] ×
 * reps (the first ReLU dropped unless `startWithRelu`, so the `rep.N` indices shift by one), then a
 * 3×3 stride-2 max pool with padding 1 when `stride` is 2; plus the shortcut — `skip` (1×1,
 * strided) and `skipbn` when the shape changes, else the identity.
 */
export function xceptionBlock(
  x: Tensor,
  prefix: string,
  inChannels: number,
  config: XceptionBlockConfig,
  init: XceptionInit,
): Tensor {
  const { outChannels, reps, stride, startWithRelu, growFirst } = config;
  const offset = startWithRelu ? 0 : -1;
  let y = x;
  for (let i = 0; i < reps; i++) {
    const cin = growFirst ? (i === 0 ? inChannels : outChannels) : inChannels;
    const cout = growFirst ? outChannels : i < reps - 1 ? inChannels : outChannels;
    const base = 3 * i + offset;
    if (i > 0 || startWithRelu) y = relu(y, `${prefix}_rep_${base}`);
    y = separableConv(y, cin, cout, `${prefix}_rep_${base + 1}`, init);
    y = batchNorm(y, `${prefix}_rep_${base + 2}`);
  }
  if (stride !== 1) {
    y = new PaddedMaxPooling2D({
      poolSize: 3,
      strides: stride,
      padding: 1,
      name: `${prefix}_rep_${3 * reps + offset}`,
    }).apply(y) as Tensor;
  }
  let shortcut = x;
  if (outChannels !== inChannels || stride !== 1) {
    shortcut = conv(x, outChannels, 1, stride, `${prefix}_skip`, init);
    shortcut = batchNorm(shortcut, `${prefix}_skipbn`);
  }
  return tfl.layers.add({ name: `${prefix}_add` }).apply([y, shortcut]) as Tensor;
}
