/**
 * Building blocks of AlexNet (Krizhevsky, Sutskever & Hinton, "ImageNet Classification with Deep
 * Convolutional Neural Networks", NeurIPS 2012) in torchvision's module layout
 * (`torchvision/models/alexnet.py`): a `features` sequence of convolution stages and a
 * `classifier` sequence of dense layers, named by their `nn.Sequential` index (`features.3` →
 * `features_3`).
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { invalidArgument } from '@tfzoo/core';
import { groupConv2d, localResponseNormalization } from '@tfzoo/layers';

type Tensor = tfl.SymbolicTensor;
type Initializer = ReturnType<typeof tfl.initializers.zeros>;

/** One convolution stage of the `features` sequence: conv → ReLU → [LRN] → [max pool]. */
export interface AlexNetStage {
  /** Output channels. */
  filters: number;
  /** Square kernel size. */
  kernelSize: number;
  /** Stride (default 1). */
  stride?: number;
  /** Symmetric zero padding (PyTorch's `padding`). */
  padding: number;
  /** Channel groups (2 for the paper's two-GPU convolutions; default 1). */
  groups?: number;
  /** Local response normalization after the ReLU. */
  lrn?: boolean;
  /** A 3×3/2 max pool at the end of the stage. */
  pool?: boolean;
}

/** Local response normalization hyper-parameters in PyTorch's convention (`alpha` is divided by `size`). */
export interface LrnParams {
  /** Channels in the window. */
  size: number;
  /** Scale of the sum of squares, PyTorch convention: the paper's α times `size`. */
  alpha: number;
  /** Exponent. */
  beta: number;
  /** Additive constant. */
  k: number;
}

/** Initializers for one stage or dense layer. */
export interface LayerInit {
  /** Kernel initializer. */
  kernel: Initializer;
  /** Bias initializer. */
  bias: Initializer;
}

/**
 * Applies the `features` stages, numbering layers as torchvision's `nn.Sequential` would
 * (conv, ReLU fused into the conv, LRN, pool each take one index). Strided convolutions get
 * explicit symmetric zero padding (`features_<i>_pad`); grouped ones run as `GroupConv2D`.
 */
export function alexnetFeatures(
  input: Tensor,
  stages: readonly AlexNetStage[],
  lrn: LrnParams | undefined,
  init: (stage: AlexNetStage, index: number, fanIn: number) => LayerInit,
): Tensor {
  let x = input;
  let index = 0;
  for (const [stageIndex, stage] of stages.entries()) {
    const name = `features_${index}`;
    const stride = stage.stride ?? 1;
    const groups = stage.groups ?? 1;
    const inChannels = x.shape[3] as number;
    const { kernel, bias } = init(stage, stageIndex, (inChannels / groups) * stage.kernelSize ** 2);
    if (groups > 1) {
      x = groupConv2d({
        filters: stage.filters,
        kernelSize: stage.kernelSize,
        strides: stride,
        padding: stage.padding,
        groups,
        name,
        kernelInitializer: kernel,
        biasInitializer: bias,
      }).apply(x) as Tensor;
      x = tfl.layers.reLU({ name: `features_${index + 1}` }).apply(x) as Tensor;
    } else {
      const same = stride === 1 && stage.padding * 2 === stage.kernelSize - 1;
      if (!same && stage.padding > 0) {
        x = tfl.layers.zeroPadding2d({ padding: stage.padding, name: `${name}_pad` }).apply(x) as Tensor;
      }
      x = tfl.layers
        .conv2d({
          filters: stage.filters,
          kernelSize: stage.kernelSize,
          strides: stride,
          padding: same ? 'same' : 'valid',
          activation: 'relu',
          name,
          kernelInitializer: kernel,
          biasInitializer: bias,
        })
        .apply(x) as Tensor;
    }
    index += 2;
    if (stage.lrn) {
      if (!lrn) throw invalidArgument('lrn', lrn, 'LRN parameters for a stage with lrn: true');
      x = localResponseNormalization({ ...lrn, name: `features_${index}` }).apply(x) as Tensor;
      index += 1;
    }
    if (stage.pool) {
      x = tfl.layers
        .maxPooling2d({ poolSize: 3, strides: 2, padding: 'valid', name: `features_${index}` })
        .apply(x) as Tensor;
      index += 1;
    }
  }
  return x;
}

/**
 * The three dense layers with ReLU and dropout. `dropoutFirst` is torchvision's order
 * (dropout → dense → ReLU: `classifier.1`, `.4`, `.6`); otherwise the paper's / Caffe's
 * (dense → ReLU → dropout: `classifier.0`, `.3`, `.6`).
 */
export function alexnetClassifier(
  flattened: Tensor,
  width: number,
  numClasses: number,
  dropRate: number,
  dropoutFirst: boolean,
  init: (index: number, fanIn: number) => LayerInit,
): Tensor {
  const dense = (x: Tensor, units: number, index: number, relu: boolean): Tensor => {
    const { kernel, bias } = init(index, x.shape[1] as number);
    return tfl.layers
      .dense({
        units,
        name: `classifier_${index}`,
        kernelInitializer: kernel,
        biasInitializer: bias,
        ...(relu ? { activation: 'relu' as const } : {}),
      })
      .apply(x) as Tensor;
  };
  const dropout = (x: Tensor, index: number): Tensor =>
    dropRate > 0
      ? (tfl.layers.dropout({ rate: dropRate, name: `classifier_${index}` }).apply(x) as Tensor)
      : x;
  let x = flattened;
  if (dropoutFirst) {
    x = dense(dropout(x, 0), width, 1, true);
    x = dense(dropout(x, 3), width, 4, true);
  } else {
    x = dropout(dense(x, width, 0, true), 2);
    x = dropout(dense(x, width, 3, true), 5);
  }
  return dense(x, numClasses, 6, false);
}
