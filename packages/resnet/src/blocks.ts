/**
 * The pieces every residual network is made of, over symbolic tensors with deterministic names:
 * convolution with PyTorch's explicit symmetric padding, batch-norm with PyTorch's epsilon and
 * momentum, ReLU, and the two residual blocks of torchvision's `models/resnet.py` (`BasicBlock`,
 * `Bottleneck` with the stride on the 3×3, "ResNet v1.5") with timm's optional squeeze-and-excitation
 * (`timm/models/resnet.py`, `attn_layer='se'`) and drop path.
 *
 * Names mirror the reference modules with `.` → `_` (`layer1.0.conv1` → `layer1_0_conv1`,
 * `layer2.0.downsample.0` → `layer2_0_downsample_0`); helper layers get derived names
 * (`layer2_0_conv2_pad`, `layer2_0_add`).
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { kaimingNormalFanOut } from '@tfzoo/core';
import { DropPath, GroupConv2D, makeDivisible, SqueezeExcite } from '@tfzoo/layers';

type Tensor = tfl.SymbolicTensor;

/** PyTorch's `BatchNorm2d` epsilon. */
export const TORCH_BN_EPSILON = 1e-5;

/** PyTorch's `BatchNorm2d` momentum 0.1, in Keras' convention (`1 − 0.1`). */
export const TORCH_BN_MOMENTUM = 0.9;

/** A convolution as PyTorch's `nn.Conv2d(…, bias=False)` declares it. */
export interface ConvSpec {
  /** Output channels. */
  filters: number;
  /** Square kernel size. */
  kernelSize: number;
  /** Stride (default 1). */
  stride?: number;
  /** Symmetric zero padding on each side, PyTorch's `padding` (default 0). */
  padding?: number;
  /** Channel groups (default 1). */
  groups?: number;
  /** Layer name (the reference module path with `.` → `_`). */
  name: string;
  /** Start the kernel at zero instead of drawing the He fan-out init (see `skipInit` of the builders). */
  skipInit?: boolean;
}

/**
 * A bias-free convolution with PyTorch's explicit symmetric padding and He fan-out init.
 *
 * Stride 1 with `padding = (kernelSize − 1) / 2` runs as TF's `'same'` (identical there); any other
 * padding gets a `ZeroPadding2D` named `<name>_pad` before a `'valid'` convolution, never TF's
 * asymmetric stride-2 `'same'`. Grouped convolutions use `@tfzoo/layers`' `GroupConv2D`, which takes
 * the padding itself.
 */
export function conv2d(x: Tensor, spec: ConvSpec): Tensor {
  const stride = spec.stride ?? 1;
  const padding = spec.padding ?? 0;
  const groups = spec.groups ?? 1;
  const kernelInitializer = spec.skipInit ? 'zeros' : kaimingNormalFanOut();
  if (groups > 1) {
    return new GroupConv2D({
      filters: spec.filters,
      kernelSize: spec.kernelSize,
      strides: stride,
      padding,
      groups,
      useBias: false,
      kernelInitializer,
      name: spec.name,
    }).apply(x) as Tensor;
  }
  const same = stride === 1 && spec.kernelSize % 2 === 1 && padding === (spec.kernelSize - 1) / 2;
  let input = x;
  if (!same && padding > 0) {
    input = tfl.layers.zeroPadding2d({ padding, name: `${spec.name}_pad` }).apply(x) as Tensor;
  }
  return tfl.layers
    .conv2d({
      filters: spec.filters,
      kernelSize: spec.kernelSize,
      strides: stride,
      padding: same && padding > 0 ? 'same' : 'valid',
      useBias: false,
      kernelInitializer,
      name: spec.name,
    })
    .apply(input) as Tensor;
}

/**
 * PyTorch `nn.BatchNorm2d` over NHWC (epsilon 1e-5, momentum 0.1), γ = 1 and β = 0 — or γ = 0 when
 * `zeroGamma` (the zero-init of the last batch-norm of a residual branch).
 */
export function batchNorm(x: Tensor, name: string, zeroGamma = false): Tensor {
  return tfl.layers
    .batchNormalization({
      axis: -1,
      epsilon: TORCH_BN_EPSILON,
      momentum: TORCH_BN_MOMENTUM,
      gammaInitializer: zeroGamma ? 'zeros' : 'ones',
      name,
    })
    .apply(x) as Tensor;
}

/** A ReLU layer named `name`. */
export function relu(x: Tensor, name: string): Tensor {
  return tfl.layers.reLU({ name }).apply(x) as Tensor;
}

/** `conv2d` then `batchNorm` (named `convName` and `bnName`). */
export function convBn(x: Tensor, spec: ConvSpec, bnName: string, zeroGamma = false): Tensor {
  return batchNorm(conv2d(x, spec), bnName, zeroGamma);
}

/** Squeeze-and-excitation as timm's `SEModule` defaults: `rd = make_divisible(C · ratio, divisor, round_limit=0)`. */
export interface SqueezeExciteConfig {
  /** Bottleneck ratio (timm's `rd_ratio`, 1/16 for SE-ResNet). */
  ratio: number;
  /** Divisor of the bottleneck width (timm's `rd_divisor`, 8). */
  divisor: number;
}

/** Bottleneck width of timm's `SEModule` for `channels` channels. */
export function timmSeChannels(channels: number, config: SqueezeExciteConfig): number {
  return makeDivisible(channels * config.ratio, config.divisor, undefined, 0);
}

/**
 * A squeeze-and-excitation layer (ReLU, sigmoid, biased 1×1 convolutions) with `reducedChannels`
 * bottleneck channels and He fan-out kernels, as timm's `SEModule` and legacy SENet's `SEModule`.
 */
export function squeezeExcite(x: Tensor, reducedChannels: number, name: string, skipInit = false): Tensor {
  return new SqueezeExcite({
    reducedChannels,
    activation: 'relu',
    gate: 'sigmoid',
    kernelInitializer: skipInit ? 'zeros' : kaimingNormalFanOut(),
    name,
  }).apply(x) as Tensor;
}

/** A `DropPath` layer named `name` when `rate > 0`, else the input unchanged (timm adds none at rate 0). */
export function maybeDropPath(x: Tensor, rate: number, name: string): Tensor {
  return rate > 0 ? (new DropPath({ rate, name }).apply(x) as Tensor) : x;
}

/** The residual sum and its ReLU: `relu(branch + shortcut)`, named `<prefix>_add` and `<prefix>_relu`. */
export function residualOutput(branch: Tensor, shortcut: Tensor, prefix: string, reluName = 'relu'): Tensor {
  const sum = tfl.layers.add({ name: `${prefix}_add` }).apply([branch, shortcut]) as Tensor;
  return relu(sum, `${prefix}_${reluName}`);
}

/** Arguments of one residual block. */
export interface BlockArgs {
  /** Block name prefix, e.g. `layer2_0`. */
  prefix: string;
  /** Input channels. */
  inChannels: number;
  /** The stage's `planes` (output channels are `planes · expansion`). */
  planes: number;
  /** Stride of the block (on the 3×3 convolution, torchvision's v1.5 placement). */
  stride: number;
  /** Groups of the 3×3 convolution (ResNeXt cardinality; 1 for ResNet). */
  groups: number;
  /** Width per group (torchvision's `width_per_group`, 64 for ResNet, 4 for ResNeXt-50 32×4d). */
  baseWidth: number;
  /** Squeeze-and-excitation after the last batch-norm (timm's `attn_layer='se'`), or none. */
  se?: SqueezeExciteConfig;
  /** Drop-path rate of this block. */
  dropPath: number;
  /** Zero-init γ of the branch's last batch-norm. */
  zeroInitResidual: boolean;
  /** Start every kernel at zero instead of the random reference init. */
  skipInit: boolean;
}

function shortcut(x: Tensor, args: BlockArgs, outChannels: number): Tensor {
  if (args.stride === 1 && args.inChannels === outChannels) return x;
  return convBn(
    x,
    {
      filters: outChannels,
      kernelSize: 1,
      stride: args.stride,
      name: `${args.prefix}_downsample_0`,
      skipInit: args.skipInit,
    },
    `${args.prefix}_downsample_1`,
  );
}

function attentionAndDrop(y: Tensor, args: BlockArgs, outChannels: number): Tensor {
  if (args.se) {
    y = squeezeExcite(y, timmSeChannels(outChannels, args.se), `${args.prefix}_se`, args.skipInit);
  }
  return maybeDropPath(y, args.dropPath, `${args.prefix}_drop_path`);
}

/**
 * torchvision's `BasicBlock` (two 3×3 convolutions, expansion 1), with timm's optional SE and drop
 * path: `relu(drop_path(se(bn2(conv2(relu(bn1(conv1(x))))))) + shortcut(x))`.
 */
export function basicBlock(x: Tensor, args: BlockArgs): Tensor {
  const { prefix, planes } = args;
  let y = convBn(
    x,
    {
      filters: planes,
      kernelSize: 3,
      stride: args.stride,
      padding: 1,
      name: `${prefix}_conv1`,
      skipInit: args.skipInit,
    },
    `${prefix}_bn1`,
  );
  y = relu(y, `${prefix}_relu1`);
  y = convBn(
    y,
    { filters: planes, kernelSize: 3, padding: 1, name: `${prefix}_conv2`, skipInit: args.skipInit },
    `${prefix}_bn2`,
    args.zeroInitResidual,
  );
  y = attentionAndDrop(y, args, planes);
  return residualOutput(y, shortcut(x, args, planes), prefix, 'relu2');
}

/** Expansion of the bottleneck block (output channels = 4 · planes). */
export const BOTTLENECK_EXPANSION = 4;

/**
 * torchvision's `Bottleneck` (1×1 → 3×3 with the stride and the groups → 1×1, expansion 4;
 * width `floor(planes · baseWidth / 64) · groups`), with timm's optional SE and drop path.
 */
export function bottleneckBlock(x: Tensor, args: BlockArgs): Tensor {
  const { prefix, planes, groups } = args;
  const width = Math.floor(planes * (args.baseWidth / 64)) * groups;
  const outChannels = planes * BOTTLENECK_EXPANSION;
  let y = convBn(
    x,
    { filters: width, kernelSize: 1, name: `${prefix}_conv1`, skipInit: args.skipInit },
    `${prefix}_bn1`,
  );
  y = relu(y, `${prefix}_relu1`);
  y = convBn(
    y,
    {
      filters: width,
      kernelSize: 3,
      stride: args.stride,
      padding: 1,
      groups,
      name: `${prefix}_conv2`,
      skipInit: args.skipInit,
    },
    `${prefix}_bn2`,
  );
  y = relu(y, `${prefix}_relu2`);
  y = convBn(
    y,
    { filters: outChannels, kernelSize: 1, name: `${prefix}_conv3`, skipInit: args.skipInit },
    `${prefix}_bn3`,
    args.zeroInitResidual,
  );
  y = attentionAndDrop(y, args, outChannels);
  return residualOutput(y, shortcut(x, args, outChannels), prefix, 'relu3');
}
