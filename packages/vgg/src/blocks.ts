/**
 * Building blocks of VGG (Simonyan & Zisserman, "Very Deep Convolutional Networks for Large-Scale
 * Image Recognition", ICLR 2015, https://arxiv.org/abs/1409.1556) as torchvision builds them
 * (`torchvision/models/vgg.py`: `make_layers` and the `VGG.classifier`). Layer names mirror
 * torchvision's module names (`features.3` → `features_3`, `classifier.6` → `classifier_6`).
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { kaimingNormalFanOut, maybeDropout, normalInit } from '@tfzoo/core';

type Tensor = tfl.SymbolicTensor;
type Initializer = ReturnType<typeof tfl.initializers.zeros>;

/** One entry of a VGG feature configuration: a 3×3 convolution's width, or `'M'` for a 2×2 max pool. */
export type VggLayerSpec = number | 'M';

/** Initializers of one family member: the reference's, or zeros when weights will be loaded. */
export interface VggInitializers {
  /** Convolution kernels. */
  conv: () => Initializer;
  /** Dense kernels. */
  dense: () => Initializer;
}

/** torchvision's VGG init (`kaiming_normal_(fan_out, relu)` for convs, `normal_(0, 0.01)` for dense). */
export const REFERENCE_INITIALIZERS: VggInitializers = {
  conv: () => kaimingNormalFanOut(),
  dense: () => normalInit(0.01),
};

/** All-zero kernels: fast to build when the weights are about to be overwritten by a checkpoint. */
export const ZERO_INITIALIZERS: VggInitializers = {
  conv: () => tfl.initializers.zeros(),
  dense: () => tfl.initializers.zeros(),
};

/**
 * torchvision's `make_layers`: each number is a 3×3 convolution (padding 1), followed by
 * batch-norm (ε 1e-5, PyTorch momentum 0.1) when `batchNorm`, and a ReLU; each `'M'` a 2×2/2 max
 * pool. The module index `i` of torchvision's `nn.Sequential` names every layer (`features_i`);
 * without batch-norm the ReLU is fused into the convolution.
 */
export function vggFeatures(
  input: Tensor,
  layers: readonly VggLayerSpec[],
  batchNorm: boolean,
  init: VggInitializers,
): Tensor {
  let x = input;
  let index = 0;
  for (const spec of layers) {
    if (spec === 'M') {
      x = tfl.layers
        .maxPooling2d({ poolSize: 2, strides: 2, padding: 'valid', name: `features_${index}` })
        .apply(x) as Tensor;
      index += 1;
      continue;
    }
    x = tfl.layers
      .conv2d({
        filters: spec,
        kernelSize: 3,
        padding: 'same',
        name: `features_${index}`,
        kernelInitializer: init.conv(),
        biasInitializer: 'zeros',
        ...(batchNorm ? {} : { activation: 'relu' as const }),
      })
      .apply(x) as Tensor;
    if (batchNorm) {
      x = tfl.layers
        .batchNormalization({ axis: -1, epsilon: 1e-5, momentum: 0.9, name: `features_${index + 1}` })
        .apply(x) as Tensor;
      x = tfl.layers.reLU({ name: `features_${index + 2}` }).apply(x) as Tensor;
      index += 3;
    } else {
      index += 2;
    }
  }
  return x;
}

/**
 * torchvision's VGG classifier over the pooled, flattened feature map:
 * `classifier.0` dense → ReLU → dropout (`classifier.2`) → `classifier.3` dense → ReLU →
 * dropout (`classifier.5`) → `classifier.6` dense (logits).
 */
export function vggClassifier(
  flattened: Tensor,
  width: number,
  numClasses: number,
  dropRate: number,
  init: VggInitializers,
): Tensor {
  const dense = (units: number, name: string, relu: boolean) =>
    tfl.layers.dense({
      units,
      name,
      kernelInitializer: init.dense(),
      biasInitializer: 'zeros',
      ...(relu ? { activation: 'relu' as const } : {}),
    });
  let x = dense(width, 'classifier_0', true).apply(flattened) as Tensor;
  x = maybeDropout(x, dropRate, 'classifier_2');
  x = dense(width, 'classifier_3', true).apply(x) as Tensor;
  x = maybeDropout(x, dropRate, 'classifier_5');
  return dense(numClasses, 'classifier_6', false).apply(x) as Tensor;
}
