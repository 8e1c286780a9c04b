/**
 * Building blocks of the MobileNet family, as functions over symbolic tensors:
 *
 * - the depthwise-separable block (Howard et al., "MobileNets: Efficient Convolutional Neural
 *   Networks for Mobile Vision Applications", 2017, https://arxiv.org/abs/1704.04861);
 * - the inverted residual with linear bottleneck (Sandler et al., "MobileNetV2: Inverted Residuals
 *   and Linear Bottlenecks", 2018, https://arxiv.org/abs/1801.04381), with MobileNetV3's optional
 *   squeeze-and-excitation and hard-swish (Howard et al., "Searching for MobileNetV3", 2019,
 *   https://arxiv.org/abs/1905.02244);
 * - the plain 1×1 conv → BN → activation block.
 *
 * References: torchvision `models/mobilenetv2.py`, `models/mobilenetv3.py`, `ops/misc.py`
 * (`Conv2dNormActivation`, `SqueezeExcitation`); timm `models/_efficientnet_blocks.py`
 * (`DepthwiseSeparableConv`, `InvertedResidual`, `ConvBnAct`, `SqueezeExcite`).
 *
 * Convolutions are TF.js's own `Conv2D` / `DepthwiseConv2D` (whose PyTorch layouts `@tfzoo/core`
 * knows), so weights map by name alone. Padding is PyTorch's symmetric `(k − 1) / 2`: TF's `'same'` at
 * stride 1 (which is exactly that for odd kernels), and an explicit `ZeroPadding2D` plus `'valid'` at
 * stride 2, where TF's `'same'` would pad asymmetrically — except in timm's `tf_*` ports, whose
 * PyTorch convolutions emulate exactly that asymmetric `'same'` (context `padding: 'tf-same'`).
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { invalidArgument, kaimingNormalFanOut, ZooError } from '@tfzoo/core';
import { HardSwish, makeDivisible, ReLU6, SqueezeExcite } from '@tfzoo/layers';

type Tensor = tfl.SymbolicTensor;
type Initializer = ReturnType<typeof tfl.initializers.zeros>;

/** Activations of the family: ReLU (MobileNetV3's "RE"), ReLU6 (V1, V2) and hard swish (V3's "HS"). */
export type MobileNetActivation = 'relu' | 'relu6' | 'hardSwish';

/** Every {@link MobileNetActivation}, for validation. */
export const MOBILENET_ACTIVATIONS: readonly MobileNetActivation[] = ['relu', 'relu6', 'hardSwish'];

/** One block of a MobileNet, as data. */
export interface BlockConfig {
  /**
   * `ds`: depthwise k×k → BN → act → [SE] → 1×1 → BN → [act] (timm `DepthwiseSeparableConv`; an
   * `InvertedResidual` with expansion 1 in torchvision). `ir`: 1×1 expand → BN → act → depthwise →
   * BN → act → [SE] → 1×1 project → BN. `conv`: k×k conv → BN → act (timm `ConvBnAct`).
   */
  kind: 'ds' | 'ir' | 'conv';
  /** Kernel size of the depthwise convolution (of the convolution for `conv`). */
  kernelSize: number;
  /** Stride of the depthwise convolution (of the convolution for `conv`). */
  stride: number;
  /** Output channels. */
  outChannels: number;
  /** Hidden width of an `ir` block (the expansion's output channels). */
  expandedChannels?: number;
  /** Activation of the block. */
  activation: MobileNetActivation;
  /** Squeeze-and-excitation after the depthwise convolution (ReLU, hard-sigmoid gate). */
  se?: boolean;
  /** Bottleneck channels of the squeeze-and-excitation (default {@link seChannels} of the block's width). */
  seChannels?: number;
  /** Activation inside the squeeze-and-excitation (default `relu`; `mobilenetv3_rw` uses the block's). */
  seActivation?: MobileNetActivation;
  /** Activation after the pointwise convolution of a `ds` block (MobileNetV1; default false). */
  pointwiseActivation?: boolean;
  /** Residual connection when the stride is 1 and the channels match (default true). */
  residual?: boolean;
}

/** Numerics and initialization shared by every block of a model. */
export interface BlockContext {
  /** Batch-norm epsilon (PyTorch's `eps`). */
  bnEpsilon: number;
  /** Batch-norm momentum in PyTorch's convention (`running = (1 − m)·running + m·batch`). */
  bnMomentum: number;
  /** Whose default initialization to reproduce. */
  init: 'torchvision' | 'timm';
  /**
   * `symmetric`: PyTorch's `(k − 1) / 2` on every side. `tf-same`: TensorFlow's `'same'` (timm's
   * `tf_*` ports), asymmetric at stride 2. Default `symmetric`.
   */
  padding?: 'symmetric' | 'tf-same';
}

/** Standard deviation of a unit normal truncated to [−2, 2] (tfjs's `varianceScaling` normal). */
const TRUNCATED_NORMAL_STD = 0.8796256610342398;

/**
 * He-normal initialization of a depthwise kernel. torchvision: `kaiming_normal_(mode='fan_out')` on
 * the PyTorch weight `[C, 1, kh, kw]`, whose fan-out is `C·kh·kw` — tfjs's *fan-in* of the kernel
 * `[kh, kw, C, 1]`. timm (`_init_weight_goog`): fan-out `kh·kw·C / groups = kh·kw`, tfjs's fan-out.
 */
function depthwiseInitializer(init: BlockContext['init']): Initializer {
  if (init === 'timm') return kaimingNormalFanOut();
  return tfl.initializers.varianceScaling({
    scale: 2 / TRUNCATED_NORMAL_STD ** 2,
    mode: 'fanIn',
    distribution: 'normal',
  });
}

/** Applies an activation layer named `name`. */
export function applyActivation(x: Tensor, activation: MobileNetActivation, name: string): Tensor {
  if (activation === 'relu') return tfl.layers.reLU({ name }).apply(x) as Tensor;
  if (activation === 'relu6') return new ReLU6({ name }).apply(x) as Tensor;
  if (activation === 'hardSwish') return new HardSwish({ name }).apply(x) as Tensor;
  throw invalidArgument('activation', activation, `one of ${MOBILENET_ACTIVATIONS.join(', ')}`);
}

/** Zero padding before a strided convolution, so that it pads like PyTorch: `(k − 1) / 2` per side. */
function explicitPadding(x: Tensor, kernelSize: number, stride: number, name: string): Tensor {
  if (stride === 1 || kernelSize === 1) return x;
  const amount = Math.floor((kernelSize - 1) / 2);
  return tfl.layers.zeroPadding2d({ padding: amount, name }).apply(x) as Tensor;
}

/** Arguments of {@link convUnit}. */
export interface ConvUnitArgs {
  /** Output channels (ignored for a depthwise convolution, which keeps the channel count). */
  filters: number;
  /** Kernel size. */
  kernelSize: number;
  /** Stride. */
  stride: number;
  /** A depthwise convolution (groups = channels) instead of a full one. */
  depthwise?: boolean;
  /** Activation after the batch norm, or none. */
  activation: MobileNetActivation | null;
  /** Layer names. */
  names: ConvUnitNames;
}

/** A bias-free convolution → batch norm → optional activation (torchvision `Conv2dNormActivation`). */
export function convUnit(x: Tensor, args: ConvUnitArgs, context: BlockContext): Tensor {
  const { kernelSize, stride, names } = args;
  const tfSame = context.padding === 'tf-same';
  const padding = stride === 1 || tfSame ? 'same' : 'valid';
  let y = tfSame ? x : explicitPadding(x, kernelSize, stride, names.pad);
  const conv = args.depthwise
    ? tfl.layers.depthwiseConv2d({
        kernelSize,
        strides: stride,
        padding,
        depthMultiplier: 1,
        useBias: false,
        depthwiseInitializer: depthwiseInitializer(context.init),
        name: names.conv,
      })
    : tfl.layers.conv2d({
        filters: args.filters,
        kernelSize,
        strides: stride,
        padding,
        useBias: false,
        kernelInitializer: kaimingNormalFanOut(),
        name: names.conv,
      });
  y = conv.apply(y) as Tensor;
  y = tfl.layers
    .batchNormalization({
      axis: -1,
      epsilon: context.bnEpsilon,
      momentum: 1 - context.bnMomentum,
      name: names.bn,
    })
    .apply(y) as Tensor;
  return args.activation ? applyActivation(y, args.activation, names.act) : y;
}

/**
 * Bottleneck width of the squeeze-and-excitation layer: torchvision's
 * `_make_divisible(expanded // 4, 8)`, equal to timm's `make_divisible(expanded · 0.25)`.
 */
export function seChannels(channels: number): number {
  return makeDivisible(Math.floor(channels / 4), 8);
}

function squeezeExcite(x: Tensor, channels: number, block: BlockConfig, name: string): Tensor {
  return new SqueezeExcite({
    reducedChannels: block.seChannels ?? seChannels(channels),
    activation: block.seActivation ?? 'relu',
    gate: 'hardSigmoid',
    // Both references initialize the two 1×1 convolutions He-normal with fan-out, biases zero.
    kernelInitializer: kaimingNormalFanOut(),
    biasInitializer: 'zeros',
    name,
  }).apply(x) as Tensor;
}

/**
 * Applies one block to `x` (with `inChannels` channels), naming its layers with `names`.
 *
 * @throws {@link @tfzoo/core!ZooError} when an `ir` block has no `expandedChannels`.
 */
export function mobileNetBlock(
  x: Tensor,
  inChannels: number,
  block: BlockConfig,
  names: BlockNames,
  context: BlockContext,
): Tensor {
  const { kernelSize, stride, activation } = block;
  if (block.kind === 'conv') {
    return convUnit(
      x,
      { filters: block.outChannels, kernelSize, stride, activation, names: names.expand! },
      context,
    );
  }
  let y = x;
  let channels = inChannels;
  if (block.kind === 'ir') {
    const expanded = block.expandedChannels;
    if (!(typeof expanded === 'number' && Number.isInteger(expanded) && expanded > 0)) {
      throw invalidArgument('expandedChannels of an ir block', expanded, 'a positive integer');
    }
    y = convUnit(
      y,
      { filters: expanded, kernelSize: 1, stride: 1, activation, names: names.expand! },
      context,
    );
    channels = expanded;
  }
  y = convUnit(
    y,
    { filters: channels, kernelSize, stride, depthwise: true, activation, names: names.depthwise! },
    context,
  );
  if (block.se) y = squeezeExcite(y, channels, block, names.se!);
  const pointwiseActivation = block.kind === 'ds' && block.pointwiseActivation ? activation : null;
  y = convUnit(
    y,
    {
      filters: block.outChannels,
      kernelSize: 1,
      stride: 1,
      activation: pointwiseActivation,
      names: names.project!,
    },
    context,
  );
  const residual = (block.residual ?? true) && stride === 1 && inChannels === block.outChannels;
  return residual ? (tfl.layers.add({ name: names.add }).apply([x, y]) as Tensor) : y;
}

// Layer naming: the reference layouts' module paths (formerly naming.ts).
/*
 * Layer names of the MobileNet family in the reference implementations' module paths (`.` → `_`),
 * so that a state dict maps onto a model mechanically (DESIGN §2):
 *
 * - `torchvision-v2` — torchvision `models/mobilenetv2.py`: `features.0` (stem
 *   `Conv2dNormActivation`), `features.N.conv.M` inside each `InvertedResidual`, the last
 *   `features.N` 1×1 conv, `classifier.1`.
 * - `torchvision-v3` — torchvision `models/mobilenetv3.py`: `features.N.block.M` (expand, depthwise,
 *   squeeze-excitation, project, numbered in order), `classifier.0` / `classifier.3`.
 * - `timm` — timm's `_efficientnet_builder` / `_efficientnet_blocks` (`EfficientNet` and
 *   `MobileNetV3` classes): `conv_stem`, `bn1`, `blocks.S.I.{conv_dw,bn1,se,conv_pw,bn2}` for
 *   depthwise-separable blocks, `blocks.S.I.{conv_pw,bn1,conv_dw,bn2,se,conv_pwl,bn3}` for inverted
 *   residuals, `blocks.S.I.{conv,bn1}` for conv blocks, `conv_head`, `bn2`, `classifier`.
 */

/** Which reference's module names a model's layers carry. */
export type MobileNetLayout = 'torchvision-v2' | 'torchvision-v3' | 'timm';

/** Every {@link MobileNetLayout}, for validation. */
export const MOBILENET_LAYOUTS: readonly MobileNetLayout[] = ['torchvision-v2', 'torchvision-v3', 'timm'];

/** Names of one convolution → batch norm → activation unit (and its explicit padding). */
export interface ConvUnitNames {
  /** The convolution. */
  conv: string;
  /** Its batch norm. */
  bn: string;
  /** The activation after the batch norm. */
  act: string;
  /** The zero padding before a strided convolution. */
  pad: string;
}

/** Names of the layers of one block. */
export interface BlockNames {
  /** The 1×1 expansion (inverted residuals) or the single convolution (conv blocks). */
  expand?: ConvUnitNames;
  /** The depthwise convolution. */
  depthwise?: ConvUnitNames;
  /** The squeeze-and-excitation layer. */
  se?: string;
  /** The 1×1 projection. */
  project?: ConvUnitNames;
  /** The residual addition. */
  add: string;
}

/** The kind of a block (see `BlockConfig` in `mobilenet.ts`). */
export type BlockKind = 'ds' | 'ir' | 'conv';

/** Where a block sits: its stage, its index in the stage, and its index over all blocks. */
export interface BlockPosition {
  /** Stage index (timm's `blocks.S`). */
  stage: number;
  /** Index within the stage (timm's `blocks.S.I`). */
  index: number;
  /** Index over all blocks (torchvision's `features.{global + 1}`). */
  global: number;
}

/** The names a layout gives every layer of a MobileNet. */
export interface MobileNetNaming {
  /** The stem convolution unit. */
  stem: ConvUnitNames;
  /** The layers of a block. */
  block(kind: BlockKind, position: BlockPosition, hasSe: boolean): BlockNames;
  /** The 1×1 head convolution unit after the blocks (`blockCount` blocks precede it). */
  head(blockCount: number): ConvUnitNames;
  /** The layer after pooling that widens the pooled vector (MobileNetV3), and its activation. */
  preLogits: { layer: string; act: string };
  /** The dropout before the classifier. */
  dropout: string;
  /** The classifier. */
  classifier: string;
}

const layerName = (modulePath: string) => modulePath.replaceAll('.', '_');

/** A torchvision `Conv2dNormActivation` at `path`: `path.0` conv, `path.1` norm, `path.2` act. */
function sequentialUnit(path: string): ConvUnitNames {
  return {
    conv: layerName(`${path}.0`),
    bn: layerName(`${path}.1`),
    act: layerName(`${path}.2`),
    pad: layerName(`${path}.0.pad`),
  };
}

/** A timm unit: `path.conv` and `path.bn` (timm's `BatchNormAct2d` holds the activation). */
function timmUnit(path: string, conv: string, bn: string): ConvUnitNames {
  return {
    conv: layerName(`${path}${conv}`),
    bn: layerName(`${path}${bn}`),
    act: layerName(`${path}${bn}.act`),
    pad: layerName(`${path}${conv}.pad`),
  };
}

function unsupported(layout: MobileNetLayout, what: string): ZooError {
  return new ZooError('INVALID_ARGUMENT', `the ${layout} layout has no module for ${what}`, {
    received: what,
    expected: `a configuration ${layout} can name (use the timm layout)`,
  });
}

const torchvisionV2: MobileNetNaming = {
  stem: sequentialUnit('features.0'),
  block(kind, position, hasSe) {
    const path = `features.${position.global + 1}`;
    if (hasSe) throw unsupported('torchvision-v2', 'squeeze-and-excitation');
    if (kind === 'conv') return { expand: sequentialUnit(path), add: layerName(`${path}.add`) };
    // InvertedResidual.conv: [expand Conv2dNormActivation], depthwise Conv2dNormActivation, Conv2d, BatchNorm2d.
    const offset = kind === 'ir' ? 1 : 0;
    const project = {
      conv: layerName(`${path}.conv.${offset + 1}`),
      bn: layerName(`${path}.conv.${offset + 2}`),
      act: layerName(`${path}.conv.${offset + 2}.act`),
      pad: layerName(`${path}.conv.${offset + 1}.pad`),
    };
    return {
      ...(kind === 'ir' ? { expand: sequentialUnit(`${path}.conv.0`) } : {}),
      depthwise: sequentialUnit(`${path}.conv.${offset}`),
      project,
      add: layerName(`${path}.add`),
    };
  },
  head: (blockCount) => sequentialUnit(`features.${blockCount + 1}`),
  preLogits: { layer: 'pre_logits', act: 'pre_logits_act' },
  dropout: 'classifier_0',
  classifier: 'classifier_1',
};

const torchvisionV3: MobileNetNaming = {
  stem: sequentialUnit('features.0'),
  block(kind, position, hasSe) {
    const path = `features.${position.global + 1}`;
    if (kind === 'conv') return { expand: sequentialUnit(path), add: layerName(`${path}.add`) };
    // InvertedResidual.block: [expand], depthwise, [SqueezeExcitation], project — numbered in order.
    let next = 0;
    const names: BlockNames = { add: layerName(`${path}.add`) };
    if (kind === 'ir') names.expand = sequentialUnit(`${path}.block.${next++}`);
    names.depthwise = sequentialUnit(`${path}.block.${next++}`);
    if (hasSe) names.se = layerName(`${path}.block.${next++}`);
    names.project = sequentialUnit(`${path}.block.${next}`);
    return names;
  },
  head: (blockCount) => sequentialUnit(`features.${blockCount + 1}`),
  preLogits: { layer: 'classifier_0', act: 'classifier_1' },
  dropout: 'classifier_2',
  classifier: 'classifier_3',
};

const timm: MobileNetNaming = {
  stem: timmUnit('', 'conv_stem', 'bn1'),
  block(kind, position, hasSe) {
    const path = `blocks.${position.stage}.${position.index}.`;
    const names: BlockNames = { add: layerName(`${path}add`) };
    if (kind === 'conv') {
      names.expand = timmUnit(path, 'conv', 'bn1');
    } else if (kind === 'ds') {
      names.depthwise = timmUnit(path, 'conv_dw', 'bn1');
      names.project = timmUnit(path, 'conv_pw', 'bn2');
    } else {
      names.expand = timmUnit(path, 'conv_pw', 'bn1');
      names.depthwise = timmUnit(path, 'conv_dw', 'bn2');
      names.project = timmUnit(path, 'conv_pwl', 'bn3');
    }
    if (hasSe) names.se = layerName(`${path}se`);
    return names;
  },
  head: () => timmUnit('', 'conv_head', 'bn2'),
  preLogits: { layer: 'conv_head', act: 'conv_head_act' },
  dropout: 'dropout',
  classifier: 'classifier',
};

/** The naming scheme of a layout. */
export function namingFor(layout: MobileNetLayout): MobileNetNaming {
  if (layout === 'torchvision-v2') return torchvisionV2;
  if (layout === 'torchvision-v3') return torchvisionV3;
  return timm;
}
