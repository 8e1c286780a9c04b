/**
 * `DepthwiseConv2dNativeBackpropFilter` (the weight gradient of `tf.depthwiseConv2d`) for the wasm
 * backend, composed from wasm's XNNPACK `DepthwiseConv2dNative`.
 *
 * dW[i, j, c, m] = Σ_{n, y, x} X[n, y·s + i·d − pad, x·s + j·d − pad, c] · dY[n, y, x, c·M + m]
 * is one depthwise convolution over the `C·N` channels of `X` rearranged to `[1, H, W, C·N]`,
 * with `dY` rearranged to `[Ho, Wo, C·N, M]` as the filter (stride and dilation swapped), followed
 * by a sum over the batch. Reference semantics: tfjs-backend-cpu
 * `kernels/DepthwiseConv2dNativeBackpropFilter.ts`, TensorFlow's op of the same name.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ConvInfo } from './conv2d-backprop-filter.js';
import { composed, type KernelScope } from './kernel-scope.js';

/** The weight gradient `[kh, kw, C, M]` of an NHWC depthwise convolution described by `info`. */
export function depthwiseFilterGradient(
  scope: KernelScope,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  info: ConvInfo,
): tf.TensorInfo {
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const { dilationHeight: dh, dilationWidth: dw, outHeight: ho, outWidth: wo } = info;
  const n = info.batchSize;
  const channels = info.inChannels;
  const multiplier = info.outChannels / info.inChannels;
  const { top, left } = info.padInfo;
  const needH = (kh - 1) * dh + (ho - 1) * sh + 1;
  const needW = (kw - 1) * dw + (wo - 1) * sw + 1;
  const cropped = scope.cropNegative(x, {
    top,
    bottom: needH - top - info.inHeight,
    left,
    right: needW - left - info.inWidth,
  });
  const [, hc, wc] = cropped.x.shape;
  const xT = scope.reshape(scope.transpose(cropped.x, [1, 2, 3, 0]), [1, hc!, wc!, channels * n]);
  const dy5 = scope.reshape(dy, [n, ho, wo, channels, multiplier]);
  const dyT = scope.reshape(scope.transpose(dy5, [1, 2, 3, 0, 4]), [ho, wo, channels * n, multiplier]);
  const perSample = scope.run(
    tf.DepthwiseConv2dNative,
    { x: xT, filter: dyT },
    { strides: [dh, dw], dilations: [sh, sw], pad: cropped.pad },
  ); // [1, kh, kw, C·N·M]
  return scope.sum(scope.reshape(perSample, [kh, kw, channels, n, multiplier]), [3]);
}

/** Kernel function of `DepthwiseConv2dNativeBackpropFilter` composed from the named backend's kernels. */
export function depthwiseBackpropFilterFor(backendName: string): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { x, dy } = inputs as unknown as tf.DepthwiseConv2dNativeBackpropFilterInputs;
    const { strides, dilations, pad, dimRoundingMode, filterShape } =
      attrs as unknown as tf.DepthwiseConv2dNativeBackpropFilterAttrs;
    const info = tf.backend_util.computeConv2DInfo(
      x!.shape as [number, number, number, number],
      filterShape,
      strides,
      dilations,
      pad,
      dimRoundingMode,
      true,
    );
    return composed(backend as tf.KernelBackend, backendName, (scope) =>
      depthwiseFilterGradient(scope, x!, dy!, info),
    );
  };
}

/** `DepthwiseConv2dNativeBackpropFilter` registered for the wasm backend. */
export const depthwiseBackpropFilterConfig: tf.KernelConfig = {
  kernelName: tf.DepthwiseConv2dNativeBackpropFilter,
  backendName: 'wasm',
  kernelFunc: depthwiseBackpropFilterFor('wasm'),
};
