/**
 * `Conv2DBackpropFilter` (the weight gradient of `tf.conv2d`) for the wasm backend, composed from
 * wasm's XNNPACK `Conv2D`.
 *
 * dW[i, j, ci, co] = Σ_{n, y, x} X[n, y·s + i·d − pad, x·s + j·d − pad, ci] · dY[n, y, x, co]
 * is itself a convolution: with the batch axis as the reduced channel axis, `X` transposed to
 * `[Ci, H, W, N]` is convolved with `dY` transposed to `[Ho, Wo, N, Co]` used as the filter, the
 * forward stride becoming the dilation and the forward dilation the stride. Reference semantics:
 * tfjs-backend-cpu `kernels/Conv2DBackpropFilter.ts` and TensorFlow's `Conv2DBackpropFilter` op.
 */
import * as tf from '@tensorflow/tfjs-core';
import { composed, type KernelScope } from './kernel-scope.js';

/** Geometry of one 2-D convolution, as `backend_util.computeConv2DInfo` reports it. */
export type ConvInfo = tf.backend_util.Conv2DInfo;

/**
 * The weight gradient of a (dense) NHWC convolution, `[kh, kw, Ci, Co]`, for any stride, dilation
 * and padding described by `info`.
 */
export function conv2dFilterGradient(
  scope: KernelScope,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  info: ConvInfo,
): tf.TensorInfo {
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const { dilationHeight: dh, dilationWidth: dw, outHeight: ho, outWidth: wo } = info;
  const { top, left } = info.padInfo;
  // Input rows/columns the forward convolution read, counted from the first padded one.
  const needH = (kh - 1) * dh + (ho - 1) * sh + 1;
  const needW = (kw - 1) * dw + (wo - 1) * sw + 1;
  const cropped = scope.cropNegative(x, {
    top,
    bottom: needH - top - info.inHeight,
    left,
    right: needW - left - info.inWidth,
  });
  const xT = scope.transpose(cropped.x, [3, 1, 2, 0]); // [Ci, H, W, N]
  const dyT = scope.transpose(dy, [1, 2, 0, 3]); // [Ho, Wo, N, Co]
  const grad = scope.run(
    tf.Conv2D,
    { x: xT, filter: dyT },
    { strides: [dh, dw], dilations: [sh, sw], pad: cropped.pad, dataFormat: 'NHWC' },
  ); // [Ci, kh, kw, Co]
  return scope.transpose(grad, [1, 2, 0, 3]);
}

/** Kernel function of `Conv2DBackpropFilter` for a backend that has `Conv2D`, `Transpose`, `Slice`. */
export function conv2dBackpropFilterFor(backendName: string): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { x, dy } = inputs as unknown as tf.Conv2DBackpropFilterInputs;
    const { strides, pad, dataFormat, dimRoundingMode, filterShape } =
      attrs as unknown as tf.Conv2DBackpropFilterAttrs;
    const format = tf.backend_util.convertConv2DDataFormat(dataFormat);
    const info = tf.backend_util.computeConv2DInfo(
      x!.shape as [number, number, number, number],
      filterShape,
      strides,
      1,
      pad,
      dimRoundingMode,
      false,
      format,
    );
    return composed(backend as tf.KernelBackend, backendName, (scope) => {
      const channelsFirst = format === 'channelsFirst';
      const xNhwc = channelsFirst ? scope.transpose(x!, [0, 2, 3, 1]) : x!;
      const dyNhwc = channelsFirst ? scope.transpose(dy!, [0, 2, 3, 1]) : dy!;
      return conv2dFilterGradient(scope, xNhwc, dyNhwc, info);
    });
  };
}

/** `Conv2DBackpropFilter` registered for the wasm backend. */
export const conv2dBackpropFilterConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2dBackpropFilterFor('wasm'),
};
