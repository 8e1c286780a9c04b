/**
 * `Conv2DBackpropFilter` (the weight gradient of `tf.conv2d`) for the wasm backend, composed from
 * wasm's XNNPACK `Conv2D` or, where that is cheaper, its `BatchMatMul` (see
 * {@link FilterGradientMethod}).
 *
 * dW[i, j, ci, co] = Σ_{n, y, x} X[n, y·s + i·d − pad, x·s + j·d − pad, ci] · dY[n, y, x, co]
 * is itself a convolution: with the batch axis as the reduced channel axis, `X` transposed to
 * `[Ci, H, W, N]` is convolved with `dY` transposed to `[Ho, Wo, N, Co]` used as the filter, the
 * forward stride becoming the dilation and the forward dilation the stride. It is also the product
 * `colsᵀ(X) · dY` of the im2col matrix with the output gradient. Reference semantics:
 * tfjs-backend-cpu `kernels/Conv2DBackpropFilter.ts` and TensorFlow's `Conv2DBackpropFilter` op.
 */
import * as tf from '@tensorflow/tfjs-core';
import { gatherColumnsTapMajor, MAX_COLUMN_VALUES } from './columns.js';
import { composed, type KernelScope } from './kernel-scope.js';

/** Geometry of one 2-D convolution, as `backend_util.computeConv2DInfo` reports it. */
export type ConvInfo = tf.backend_util.Conv2DInfo;

/**
 * How {@link conv2dFilterGradient} computes:
 * - `'conv'`: one XNNPACK convolution of the input (batch as channels) with the output gradient
 *   as its filter; no column matrix, but the output gradient is transposed and packed as a filter.
 * - `'columns-transposed'`: `colsᵀ(X) · dY`, with the tap-major column matrix
 *   (`[kh·kw·Ci, N·Ho·Wo]`) gathered from the input; XNNPACK packs `dY` as it is, and the product
 *   is the filter gradient in the filter's own layout. For deep layers with few output pixels.
 */
export type FilterGradientMethod = 'conv' | 'columns-transposed';

/**
 * The {@link FilterGradientMethod} for `info`: `'columns-transposed'` when the output gradient
 * has at most 8 pixels (`N·Ho·Wo`) per output channel of the filter, or when the filter has fewer
 * than 8 input channels (which `'conv'` uses as its batch) and at least 32 output channels (so each
 * gathered column value feeds 32 or more multiply-adds), and the column matrix stays within
 * {@link MAX_COLUMN_VALUES}; otherwise `'conv'`. The thresholds come from timing both methods on
 * the layers of ResNet-18 (64×64, batch 16) and LeNet-5 (28×28, batch 64), on one and two threads
 * (`bench/conv-grad-methods.mjs`, package README).
 */
export function chooseFilterGradientMethod(info: ConvInfo): FilterGradientMethod {
  const pixels = info.batchSize * info.outHeight * info.outWidth;
  const columns = pixels * info.filterHeight * info.filterWidth * info.inChannels;
  if (columns > MAX_COLUMN_VALUES) return 'conv';
  const stem = info.inChannels < 8 && info.outChannels >= 32;
  return pixels <= 8 * info.outChannels || stem ? 'columns-transposed' : 'conv';
}

/**
 * The weight gradient of a (dense) NHWC convolution, `[kh, kw, Ci, Co]`, for any stride, dilation
 * and padding described by `info`, by `method` (by default the one
 * {@link chooseFilterGradientMethod} picks).
 */
export function conv2dFilterGradient(
  scope: KernelScope,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  info: ConvInfo,
  method: FilterGradientMethod = chooseFilterGradientMethod(info),
): tf.TensorInfo {
  if (tf.util.sizeFromShape(dy.shape) === 0) {
    // No output pixels: nothing to sum (and XNNPACK refuses empty operands).
    return scope.filled([info.filterHeight, info.filterWidth, info.inChannels, info.outChannels], 0);
  }
  if (method === 'columns-transposed') {
    const pixels = info.batchSize * info.outHeight * info.outWidth;
    const taps = info.filterHeight * info.filterWidth * info.inChannels;
    const columns = scope.written([1, taps, pixels], [x], (cols, image) =>
      gatherColumnsTapMajor(image!, info, cols),
    );
    const grad = scope.run(
      tf.BatchMatMul,
      { a: columns, b: scope.reshape(dy, [1, pixels, info.outChannels]) },
      { transposeA: false, transposeB: false },
    ); // [1, kh·kw·Ci, Co]
    return scope.reshape(grad, [info.filterHeight, info.filterWidth, info.inChannels, info.outChannels]);
  }
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
