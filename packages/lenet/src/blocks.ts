/**
 * LeNet-5's layers (LeCun et al., 1998), each initialized like PyTorch's defaults: a 5×5
 * convolution with its activation, a 2×2 subsampling, and a dense layer.
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { torchDefaultBias, torchDefaultKernel } from '@tfzoo/core';

/** A 5×5 valid convolution with `activation`, PyTorch's default init for `fanIn` inputs. */
export function lenetConv(
  filters: number,
  fanIn: number,
  name: string,
  activation: 'tanh' | 'relu',
): tfl.layers.Layer {
  return tfl.layers.conv2d({
    filters,
    kernelSize: 5,
    name,
    activation,
    kernelInitializer: torchDefaultKernel(),
    biasInitializer: torchDefaultBias(fanIn),
  });
}

/** 2×2 stride-2 subsampling: the paper's average (`avg`) or max pooling. */
export function lenetPool(name: string, subsampling: 'avg' | 'max'): tfl.layers.Layer {
  return subsampling === 'avg'
    ? tfl.layers.averagePooling2d({ poolSize: 2, strides: 2, name })
    : tfl.layers.maxPooling2d({ poolSize: 2, strides: 2, name });
}

/** A dense layer with PyTorch's default init for `fanIn` inputs and an optional activation. */
export function lenetDense(
  units: number,
  fanIn: number,
  name: string,
  activation?: 'tanh' | 'relu',
): tfl.layers.Layer {
  return tfl.layers.dense({
    units,
    name,
    kernelInitializer: torchDefaultKernel(),
    biasInitializer: torchDefaultBias(fanIn),
    ...(activation ? { activation } : {}),
  });
}
