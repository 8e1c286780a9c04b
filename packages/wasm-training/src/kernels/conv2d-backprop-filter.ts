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
 * The {@link FilterGradientMethod} for `info`: `'columns-transposed'` for a 1×1 filter (its column
 * matrix is the input itself, strided), for a strided filter over 8 or more input channels, when
 * the output gradient has at most 8 pixels (`N·Ho·Wo`) per output channel of the filter, or when
 * the filter has fewer than 8 input channels (which `'conv'` uses as its batch) and at least 32
 * output channels while the whole column matrix stays within {@link MAX_COLUMN_VALUES} (so each
 * gathered column value feeds 32 or more multiply-adds); otherwise `'conv'`. The thresholds come
 * from timing both methods on the layers of ResNet-18 at 64×64 and 224×224, ResNet-50's and
 * MobileNetV2's 1×1 layers at 224×224 (batch 16), and LeNet-5 (28×28, batch 64), on one and two
 * threads (`bench/conv-grad-methods.mjs`, package README).
 */
export function chooseFilterGradientMethod(info: ConvInfo): FilterGradientMethod {
  const pixels = info.batchSize * info.outHeight * info.outWidth;
  const taps = info.filterHeight * info.filterWidth * info.inChannels;
  if (info.filterHeight === 1 && info.filterWidth === 1) return 'columns-transposed';
  const strided = info.strideHeight > 1 || info.strideWidth > 1;
  if (strided && info.inChannels >= 8) return 'columns-transposed';
  if (pixels <= 8 * info.outChannels) return 'columns-transposed';
  const stem = info.inChannels < 8 && info.outChannels >= 32;
  return stem && pixels * taps <= MAX_COLUMN_VALUES ? 'columns-transposed' : 'conv';
}

/**
 * Output pixels per image-range that {@link conv2dFilterGradient} sums the `'conv'` method over:
 * the output gradient is that method's filter, and XNNPACK reduces over all of it at once, so
 * beyond about 32 K pixels (8 images of 56×56) its panels fall out of the cache.
 */
const CONV_CHUNK_PIXELS = 2 ** 15;

/**
 * Values per operand of one `'columns-transposed'` product: the column matrix (`taps × pixels`)
 * and the packed output gradient (`pixels × Co`) of one image-range stay within 2²⁰ (4 MiB).
 */
const COLUMN_CHUNK_VALUES = 2 ** 20;

/**
 * Images per range that {@link conv2dFilterGradient} computes `method` over before summing the
 * ranges' filter gradients (at least 1, at most the batch): ranges of
 * {@link CONV_CHUNK_PIXELS} output pixels for `'conv'`, of {@link COLUMN_CHUNK_VALUES} values per
 * operand for `'columns-transposed'`. Smaller ranges keep the operands in the cache (at 224×224,
 * batch 16, the 1×1 layers of ResNet-50 and MobileNetV2 run 1.5–2.5× faster in ranges of 2–4
 * images than in one product) and bound the column matrix's memory.
 */
export function chooseFilterGradientImages(info: ConvInfo, method: FilterGradientMethod): number {
  const imagePixels = Math.max(1, info.outHeight * info.outWidth);
  const taps = info.filterHeight * info.filterWidth * info.inChannels;
  const budget =
    method === 'conv'
      ? CONV_CHUNK_PIXELS / imagePixels
      : COLUMN_CHUNK_VALUES / (imagePixels * Math.max(taps, info.outChannels));
  return Math.max(1, Math.min(info.batchSize, Math.floor(budget)));
}

/**
 * The weight gradient of a (dense) NHWC convolution, `[kh, kw, Ci, Co]`, for any stride, dilation
 * and padding described by `info`, by `method` (by default the one
 * {@link chooseFilterGradientMethod} picks), summed over ranges of `images` images (by default
 * {@link chooseFilterGradientImages}; a fraction is rounded down, and less than 1 or NaN means the
 * whole batch at once); each range's intermediates are released before the next.
 */
export function conv2dFilterGradient(
  scope: KernelScope,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  info: ConvInfo,
  method: FilterGradientMethod = chooseFilterGradientMethod(info),
  images: number = chooseFilterGradientImages(info, method),
): tf.TensorInfo {
  if (tf.util.sizeFromShape(dy.shape) === 0) {
    // No output pixels: nothing to sum (and XNNPACK refuses empty operands).
    return scope.filled([info.filterHeight, info.filterWidth, info.inChannels, info.outChannels], 0);
  }
  const n = info.batchSize;
  const perRange = Math.floor(images);
  if (!(perRange >= 1) || perRange >= n) return filterGradientOf(scope, x, dy, info, method);
  let sum: tf.TensorInfo | undefined;
  for (let first = 0; first < n; first += perRange) {
    const count = Math.min(perRange, n - first);
    const part = scope.nested((inner) => {
      const range = (t: tf.TensorInfo) =>
        inner.run(tf.Slice, { x: t }, { begin: [first, 0, 0, 0], size: [count, -1, -1, -1] });
      const rangeInfo: ConvInfo = {
        ...info,
        batchSize: count,
        inShape: [count, info.inHeight, info.inWidth, info.inChannels],
        outShape: [count, info.outHeight, info.outWidth, info.outChannels],
      };
      return filterGradientOf(inner, range(x), range(dy), rangeInfo, method);
    });
    if (sum === undefined) {
      sum = part;
      continue;
    }
    const next = scope.run(tf.Add, { a: sum, b: part });
    scope.release(sum);
    scope.release(part);
    sum = next;
  }
  return sum!;
}

/** The filter gradient of one range of images (all of `x`), by `method`. */
function filterGradientOf(
  scope: KernelScope,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  info: ConvInfo,
  method: FilterGradientMethod,
): tf.TensorInfo {
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
