/**
 * `DepthwiseConv2dNativeBackpropInput` (the input gradient of `tf.depthwiseConv2d`) for the wasm
 * backend, composed from wasm's XNNPACK `DepthwiseConv2dNative`.
 *
 * The input gradient of a correlation is the correlation of the zero-inserted output gradient
 * (`stride − 1` zeros between samples) with the spatially flipped filter, dilated like the
 * forward filter and padded by `(k − 1)·d − pad`. With a depth multiplier M the filter is used as
 * a multiplier-1 filter over the `C·M` gradient channels and the M partial results of each input
 * channel are summed. Reference semantics: tfjs-backend-cpu
 * `kernels/DepthwiseConv2dNativeBackpropInput.ts`, TensorFlow's op of the same name.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ConvInfo } from './conv2d-backprop-filter.js';
import { composed, type KernelScope, type SpatialPads } from './kernel-scope.js';

/**
 * Padding that turns the zero-inserted output gradient `dilated` (`[N, Ho·sh, Wo·sw, ·]`) into the
 * input of a stride-1 correlation with the flipped filter whose output is exactly `[N, H, W, ·]`:
 * `(k − 1)·d − pad` before, the rest after (negative amounts crop).
 */
export function transposedPads(info: ConvInfo, dilated: tf.TensorInfo): SpatialPads {
  const top = (info.filterHeight - 1) * info.dilationHeight - info.padInfo.top;
  const left = (info.filterWidth - 1) * info.dilationWidth - info.padInfo.left;
  return {
    top,
    bottom: info.inHeight - dilated.shape[1]! - top + (info.filterHeight - 1) * info.dilationHeight,
    left,
    right: info.inWidth - dilated.shape[2]! - left + (info.filterWidth - 1) * info.dilationWidth,
  };
}

/** The input gradient `[N, H, W, C]` of an NHWC depthwise convolution described by `info`. */
export function depthwiseInputGradient(
  scope: KernelScope,
  dy: tf.TensorInfo,
  filter: tf.TensorInfo,
  info: ConvInfo,
): tf.TensorInfo {
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const { dilationHeight: dh, dilationWidth: dw, inHeight: h, inWidth: w } = info;
  const n = info.batchSize;
  const channels = info.inChannels;
  const multiplier = info.outChannels / info.inChannels;
  const dilated = scope.zeroInsert(dy, sh, sw); // [N, Ho·sh, Wo·sw, C·M]
  const cropped = scope.cropNegative(dilated, transposedPads(info, dilated));
  const flipped = scope.reverse(filter, [0, 1]);
  const perChannel = scope.reshape(flipped, [kh, kw, channels * multiplier, 1]);
  const dx = scope.run(
    tf.DepthwiseConv2dNative,
    { x: cropped.x, filter: perChannel },
    { strides: [1, 1], dilations: [dh, dw], pad: cropped.pad },
  ); // [N, H, W, C·M]
  if (multiplier === 1) return dx;
  return scope.sum(scope.reshape(dx, [n, h, w, channels, multiplier]), [4]);
}

/** Kernel function of `DepthwiseConv2dNativeBackpropInput` composed from the named backend's kernels. */
export function depthwiseBackpropInputFor(backendName: string): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { dy, filter } = inputs as unknown as tf.DepthwiseConv2dNativeBackpropInputInputs;
    const { strides, dilations, pad, dimRoundingMode, inputShape } =
      attrs as unknown as tf.DepthwiseConv2dNativeBackpropInputAttrs;
    const info = tf.backend_util.computeConv2DInfo(
      inputShape,
      filter!.shape as [number, number, number, number],
      strides,
      dilations,
      pad,
      dimRoundingMode,
      true,
    );
    return composed(backend as tf.KernelBackend, backendName, (scope) =>
      depthwiseInputGradient(scope, dy!, filter!, info),
    );
  };
}

/** `DepthwiseConv2dNativeBackpropInput` registered for the wasm backend. */
export const depthwiseBackpropInputConfig: tf.KernelConfig = {
  kernelName: tf.DepthwiseConv2dNativeBackpropInput,
  backendName: 'wasm',
  kernelFunc: depthwiseBackpropInputFor('wasm'),
};
