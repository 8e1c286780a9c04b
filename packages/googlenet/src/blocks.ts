/**
 * Building blocks of GoogLeNet (Szegedy et al., "Going Deeper with Convolutions", CVPR 2015,
 * https://arxiv.org/abs/1409.4842) as torchvision builds them (`torchvision/models/googlenet.py`):
 * `BasicConv2d` (conv without bias → batch-norm ε 1e-3 → ReLU), the four-branch `Inception`
 * module, the auxiliary classifier `InceptionAux`, and the `transform_input` affine map.
 * Layer names mirror torchvision's module paths (`inception3a.branch2.1.conv` →
 * `inception3a_branch2_1_conv`).
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { torchDefaultBias, truncatedNormalInit } from '@tfzoo/core';
import { adaptiveAveragePooling2d, ChannelAffine, paddedMaxPooling2d } from '@tfzoo/layers';

type Tensor = tfl.SymbolicTensor;
type Initializer = ReturnType<typeof tfl.initializers.zeros>;

/** Widths of one Inception module, torchvision's `Inception(in, ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, pool_proj)`. */
export interface InceptionSpec {
  /** Branch 1: 1×1 convolution. */
  ch1x1: number;
  /** Branch 2: 1×1 reduction before the 3×3 convolution. */
  ch3x3red: number;
  /** Branch 2: 3×3 convolution. */
  ch3x3: number;
  /** Branch 3: 1×1 reduction before the "5×5" convolution. */
  ch5x5red: number;
  /** Branch 3: the "5×5" convolution (3×3 in torchvision, see {@link GoogLeNetInit}). */
  ch5x5: number;
  /** Branch 4: 1×1 projection after the 3×3/1 max pool. */
  poolProj: number;
}

/** How the blocks initialize their weights. */
export interface GoogLeNetInit {
  /** Kernel initializer of convolutions and dense layers. */
  kernel: () => Initializer;
  /** Bias initializer of a dense layer with `fanIn` inputs. */
  denseBias: (fanIn: number) => Initializer;
}

/** torchvision's init: `trunc_normal_(std=0.01, a=-2, b=2)` kernels, PyTorch's default dense biases. */
export const REFERENCE_INIT: GoogLeNetInit = {
  kernel: () => truncatedNormalInit(0.01),
  denseBias: (fanIn) => torchDefaultBias(fanIn),
};

/** All-zero kernels and biases: fast to build when a checkpoint is loaded right after. */
export const ZERO_INIT: GoogLeNetInit = {
  kernel: () => tfl.initializers.zeros(),
  denseBias: () => tfl.initializers.zeros(),
};

/** Options of {@link basicConv2d}. */
export interface BasicConvOptions {
  /** Square kernel size. */
  kernelSize: number;
  /** Stride (default 1). */
  stride?: number;
  /** Symmetric zero padding, PyTorch's `padding` (default 0). */
  padding?: number;
}

/**
 * torchvision's `BasicConv2d`: convolution without bias (`<name>_conv`), batch-norm with ε 1e-3 and
 * PyTorch's momentum 0.1 (`<name>_bn`), ReLU (`<name>_relu`). Padding that equals TF's 'same'
 * (stride 1, `padding = (k − 1) / 2`) uses it; other padding is an explicit `<name>_conv_pad`.
 */
export function basicConv2d(
  x: Tensor,
  filters: number,
  name: string,
  options: BasicConvOptions,
  init: GoogLeNetInit,
): Tensor {
  const { kernelSize, stride = 1, padding = 0 } = options;
  const same = stride === 1 && padding * 2 === kernelSize - 1;
  if (!same && padding > 0) {
    x = tfl.layers.zeroPadding2d({ padding, name: `${name}_conv_pad` }).apply(x) as Tensor;
  }
  x = tfl.layers
    .conv2d({
      filters,
      kernelSize,
      strides: stride,
      padding: same ? 'same' : 'valid',
      useBias: false,
      name: `${name}_conv`,
      kernelInitializer: init.kernel(),
    })
    .apply(x) as Tensor;
  x = tfl.layers
    .batchNormalization({ axis: -1, epsilon: 1e-3, momentum: 0.9, name: `${name}_bn` })
    .apply(x) as Tensor;
  return tfl.layers.reLU({ name: `${name}_relu` }).apply(x) as Tensor;
}

/** A PyTorch `nn.MaxPool2d(kernel, stride, padding, ceil_mode=True)` named `name`. */
export function ceilMaxPool(x: Tensor, poolSize: number, stride: number, name: string, padding = 0): Tensor {
  return paddedMaxPooling2d({ poolSize, strides: stride, padding, ceilMode: true, name }).apply(x) as Tensor;
}

/**
 * torchvision's `Inception` module: four branches concatenated on channels (`name`):
 * 1×1; 1×1 → 3×3; 1×1 → `branch3KernelSize` (torchvision's "5×5" branch is 3×3, a known
 * deviation from the paper kept for its weights, pytorch/vision#906); 3×3/1 ceil-mode max pool → 1×1.
 */
export function inception(
  x: Tensor,
  spec: InceptionSpec,
  name: string,
  branch3KernelSize: number,
  init: GoogLeNetInit,
): Tensor {
  const branch1 = basicConv2d(x, spec.ch1x1, `${name}_branch1`, { kernelSize: 1 }, init);
  let branch2 = basicConv2d(x, spec.ch3x3red, `${name}_branch2_0`, { kernelSize: 1 }, init);
  branch2 = basicConv2d(branch2, spec.ch3x3, `${name}_branch2_1`, { kernelSize: 3, padding: 1 }, init);
  let branch3 = basicConv2d(x, spec.ch5x5red, `${name}_branch3_0`, { kernelSize: 1 }, init);
  branch3 = basicConv2d(
    branch3,
    spec.ch5x5,
    `${name}_branch3_1`,
    { kernelSize: branch3KernelSize, padding: (branch3KernelSize - 1) / 2 },
    init,
  );
  let branch4 = ceilMaxPool(x, 3, 1, `${name}_branch4_0`, 1);
  branch4 = basicConv2d(branch4, spec.poolProj, `${name}_branch4_1`, { kernelSize: 1 }, init);
  return tfl.layers.concatenate({ axis: -1, name }).apply([branch1, branch2, branch3, branch4]) as Tensor;
}

/** Widths of torchvision's `InceptionAux`. */
export interface AuxSpec {
  /** Channels of the 1×1 convolution after the 4×4 adaptive pool (128). */
  conv: number;
  /** Width of the hidden dense layer (1024). */
  fc: number;
}

/**
 * torchvision's `InceptionAux`: adaptive average pool to 4×4 (`<name>_pool`), `BasicConv2d` 1×1
 * (`<name>_conv`), flatten, `fc1` with ReLU, dropout (`<name>_dropout`), `fc2` (logits).
 */
export function inceptionAux(
  x: Tensor,
  spec: AuxSpec,
  numClasses: number,
  dropRate: number,
  name: string,
  init: GoogLeNetInit,
): Tensor {
  x = adaptiveAveragePooling2d({ outputSize: 4, name: `${name}_pool` }).apply(x) as Tensor;
  x = basicConv2d(x, spec.conv, `${name}_conv`, { kernelSize: 1 }, init);
  x = tfl.layers.flatten({ name: `${name}_flatten` }).apply(x) as Tensor;
  x = tfl.layers
    .dense({
      units: spec.fc,
      activation: 'relu',
      name: `${name}_fc1`,
      kernelInitializer: init.kernel(),
      biasInitializer: init.denseBias(16 * spec.conv),
    })
    .apply(x) as Tensor;
  if (dropRate > 0) x = tfl.layers.dropout({ rate: dropRate, name: `${name}_dropout` }).apply(x) as Tensor;
  return tfl.layers
    .dense({
      units: numClasses,
      name: `${name}_fc2`,
      kernelInitializer: init.kernel(),
      biasInitializer: init.denseBias(spec.fc),
    })
    .apply(x) as Tensor;
}

/**
 * torchvision's `GoogLeNet._transform_input`: `x_c · std_c / 0.5 + (mean_c − 0.5) / 0.5` with the
 * ImageNet mean and std, as a {@link ChannelAffine} layer named `transform_input`.
 */
export function transformInput(x: Tensor, mean: readonly number[], std: readonly number[]): Tensor {
  return new ChannelAffine({
    scale: std.map((s) => s / 0.5),
    shift: mean.map((m) => (m - 0.5) / 0.5),
    name: 'transform_input',
  }).apply(x) as Tensor;
}

/**
 * The per-channel affine layer, now in `@tfzoo/layers`.
 *
 * @deprecated Import `ChannelAffine` from `@tfzoo/layers`.
 */
export { ChannelAffine, type ChannelAffineArgs } from '@tfzoo/layers';
