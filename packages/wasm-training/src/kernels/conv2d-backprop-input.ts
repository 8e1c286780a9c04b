/**
 * `Conv2DBackpropInput` (the input gradient of `tf.conv2d`) for the wasm backend, composed from
 * wasm's XNNPACK `Conv2D`. tfjs-backend-wasm 4.22 has this kernel, but as a scalar,
 * single-threaded C++ loop (`src/cc/kernels/Conv2DBackpropInput.cc`) about as fast as the pure-JS
 * cpu backend; in a CNN training step it costs as much as the forward convolution, so this
 * composition replaces it.
 *
 * dX is the correlation of the zero-inserted output gradient (`stride − 1` zeros between samples)
 * with the filter flipped spatially and with its channel axes swapped, padded by `(k − 1) − pad`.
 * For stride s > 1 that correlation would multiply s² − 1 of every s² samples by inserted zeros, so
 * it runs in sub-pixel form instead: each of the s² output phases (rows ≡ a, columns ≡ b mod s,
 * counted from the first padded row) only meets the taps `filter[a::s, b::s]`, so it is one stride-1
 * correlation of the un-inserted gradient with that sub-filter; the phases are interleaved
 * afterwards. The multiply-adds equal the forward convolution's instead of s² times as many.
 * Where the filter or the output gradient is small, dX is instead col2im of the column matrix
 * `dY · Wᵀ` (see {@link InputGradientMethod}).
 * Reference semantics: tfjs-backend-cpu `kernels/Conv2DBackpropInput.ts`, TensorFlow's
 * `Conv2DBackpropInput` op.
 */
import * as tf from '@tensorflow/tfjs-core';
import { addColumnsPixelMajor, addColumnsTapMajor, MAX_COLUMN_VALUES } from './columns.js';
import type { ConvInfo } from './conv2d-backprop-filter.js';
import { transposedPads } from './depthwise-backprop-input.js';
import { composed, type KernelScope } from './kernel-scope.js';

/**
 * How {@link conv2dInputGradient} computes:
 * - `'transposed-conv'`: one XNNPACK convolution of the output gradient with the flipped,
 *   channel-swapped filter (s² sub-pixel convolutions for stride s). XNNPACK packs the rearranged
 *   filter, so the filter is copied about four times per call.
 * - `'columns'`: the column matrix `dY · Wᵀ` (`[N·Ho·Wo, kh·kw·Ci]`, XNNPACK packs the small `Wᵀ`),
 *   added back into the image by col2im. For filters with few input channels (a network's stem),
 *   where the transposed convolution would have only `Ci` output channels, and for layers with few
 *   output pixels per output channel.
 * - `'columns-transposed'`: the column matrix as `W · dYᵀ` (`[kh·kw·Ci, N·Ho·Wo]`: the filter is
 *   read in place, XNNPACK packs the small `dYᵀ`), then col2im. For deep layers whose filter is
 *   larger than their output gradient.
 */
export type InputGradientMethod = 'transposed-conv' | 'columns' | 'columns-transposed';

/**
 * The {@link InputGradientMethod} for `info`: which operand is small decides what XNNPACK should
 * pack. With `M = N·Ho·Wo` output pixels and `Co` output channels: `'columns-transposed'` when
 * `M ≤ Co` (the output gradient is no larger than a filter row block, as in the last stages of a
 * ResNet); `'columns'` when the filter has fewer than 8 input channels (the transposed convolution's
 * output channels) and at least 32 output channels (each column value is then a sum of 32 or more
 * products), or when `M ≤ 4·Co` (`16·Co` for strides above 1, whose transposed convolution runs as
 * s² smaller ones); otherwise `'transposed-conv'`, which needs no column matrix. The column methods
 * are used only while the column matrix stays within {@link MAX_COLUMN_VALUES}. The thresholds
 * come from timing all three methods on the layers of ResNet-18 (64×64, batch 16) and LeNet-5
 * (28×28, batch 64), on one and two threads (`bench/conv-grad-methods.mjs`, package README).
 */
export function chooseInputGradientMethod(info: ConvInfo): InputGradientMethod {
  const pixels = info.batchSize * info.outHeight * info.outWidth;
  const columns = pixels * info.filterHeight * info.filterWidth * info.inChannels;
  if (columns > MAX_COLUMN_VALUES) return 'transposed-conv';
  if (pixels <= info.outChannels) return 'columns-transposed';
  const strided = info.strideHeight > 1 || info.strideWidth > 1;
  const stem = info.inChannels < 8 && info.outChannels >= 32;
  if (stem || pixels <= (strided ? 16 : 4) * info.outChannels) return 'columns';
  return 'transposed-conv';
}

/**
 * The input gradient `[N, H, W, Ci]` of a (dense) NHWC convolution described by `info`, by
 * `method` (by default the one {@link chooseInputGradientMethod} picks).
 */
export function conv2dInputGradient(
  scope: KernelScope,
  dy: tf.TensorInfo,
  filter: tf.TensorInfo,
  info: ConvInfo,
  method: InputGradientMethod = chooseInputGradientMethod(info),
): tf.TensorInfo {
  if (tf.util.sizeFromShape(dy.shape) === 0 || tf.util.sizeFromShape(filter.shape) === 0) {
    // No output pixels or no filter taps: every input pixel's gradient is an empty sum.
    return scope.filled([info.batchSize, info.inHeight, info.inWidth, info.inChannels], 0);
  }
  if (method !== 'transposed-conv') return columnsInputGradient(scope, dy, filter, info, method);
  const strided = info.strideHeight > 1 || info.strideWidth > 1;
  if (strided && info.dilationHeight === 1 && info.dilationWidth === 1) {
    return subPixelInputGradient(scope, dy, filter, info);
  }
  const dilated = scope.zeroInsert(dy, info.strideHeight, info.strideWidth); // [N, Ho·sh, Wo·sw, Co]
  const cropped = scope.cropNegative(dilated, transposedPads(info, dilated));
  const flipped = scope.transpose(scope.reverse(filter, [0, 1]), [0, 1, 3, 2]); // [kh, kw, Co, Ci]
  return scope.run(
    tf.Conv2D,
    { x: cropped.x, filter: flipped },
    {
      strides: [1, 1],
      dilations: [info.dilationHeight, info.dilationWidth],
      pad: cropped.pad,
      dataFormat: 'NHWC',
    },
  );
}

/** The input gradient as col2im of the column matrix, `dY · Wᵀ` or `W · dYᵀ` (see `method`). */
function columnsInputGradient(
  scope: KernelScope,
  dy: tf.TensorInfo,
  filter: tf.TensorInfo,
  info: ConvInfo,
  method: 'columns' | 'columns-transposed',
): tf.TensorInfo {
  const pixels = info.batchSize * info.outHeight * info.outWidth;
  const taps = info.filterHeight * info.filterWidth * info.inChannels;
  const co = info.outChannels;
  const weights = scope.reshape(filter, [taps, co]);
  const product = (a: tf.TensorInfo, b: tf.TensorInfo) =>
    scope.run(tf.BatchMatMul, { a, b }, { transposeA: false, transposeB: false });
  const imageShape = [info.batchSize, info.inHeight, info.inWidth, info.inChannels];
  if (method === 'columns') {
    const weightsT = scope.reshape(scope.transpose(weights, [1, 0]), [1, co, taps]);
    const columns = product(scope.reshape(dy, [1, pixels, co]), weightsT); // [1, N·Ho·Wo, kh·kw·Ci]
    return scope.written(imageShape, [columns], (dx, cols) => addColumnsPixelMajor(cols!, info, dx));
  }
  const dyT = scope.reshape(scope.transpose(scope.reshape(dy, [pixels, co]), [1, 0]), [1, co, pixels]);
  const columns = product(scope.reshape(weights, [1, taps, co]), dyT); // [1, kh·kw·Ci, N·Ho·Wo]
  return scope.written(imageShape, [columns], (dx, cols) => addColumnsTapMajor(cols!, info, dx));
}

/** Taps of a filter axis of size `k` that meet output phase `r` of stride `s`: `r, r + s, …`. */
function phaseTaps(k: number, s: number, r: number): number {
  return r >= k ? 0 : Math.ceil((k - r) / s);
}

/**
 * The strided (dilation 1) input gradient in sub-pixel form. Along one axis, with forward padding
 * p before and u = t + p the padded input index written as u = q·s + r, the gradient is
 * dX[u] = Σ_m dY[q − m] · W[r + m·s]: for phase r a stride-1 correlation of dY (padded by
 * M_r − 1 before) with the reversed taps W[r + (M_r − 1 − j)·s], j < M_r, evaluated for
 * q < Q = ⌈(p + H) / s⌉. The s² phase results `[N, Qh, Qw, Ci]` are interleaved into
 * `[N, Qh·sh, Qw·sw, Ci]` and the padded rows/columns sliced off.
 */
function subPixelInputGradient(
  scope: KernelScope,
  dy: tf.TensorInfo,
  filter: tf.TensorInfo,
  info: ConvInfo,
): tf.TensorInfo {
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const { top, left } = info.padInfo;
  const [n, ho, wo] = dy.shape as [number, number, number, number];
  const ci = info.inChannels;
  const qh = Math.ceil((top + info.inHeight) / sh);
  const qw = Math.ceil((left + info.inWidth) / sw);
  // Flipped once: the taps of a phase, reversed, are then rows of `flippedTaps`.
  const co = filter.shape[3]!;
  const flipped = scope.transpose(scope.reverse(filter, [0, 1]), [0, 1, 3, 2]); // [kh, kw, Co, Ci]
  const flippedTaps = scope.reshape(flipped, [kh * kw, co, ci]);
  let zeros: tf.TensorInfo | undefined;
  const rows: tf.TensorInfo[] = [];
  for (let a = 0; a < sh; a++) {
    const mh = phaseTaps(kh, sh, a);
    const columns: tf.TensorInfo[] = [];
    for (let b = 0; b < sw; b++) {
      const mw = phaseTaps(kw, sw, b);
      let phase: tf.TensorInfo;
      if (mh === 0 || mw === 0) {
        zeros ??= scope.run(tf.Fill, {}, { shape: [n, qh, qw, ci], value: 0, dtype: 'float32' });
        phase = zeros;
      } else {
        // Taps W[a + (mh − 1 − i)·sh, b + (mw − 1 − j)·sw] = flipped[kh − 1 − a − (mh − 1 − i)·sh, …].
        const tapRows: number[] = [];
        for (let i = 0; i < mh; i++) {
          for (let j = 0; j < mw; j++) {
            tapRows.push((kh - 1 - a - (mh - 1 - i) * sh) * kw + (kw - 1 - b - (mw - 1 - j) * sw));
          }
        }
        const taps = scope.reshape(scope.gatherRows(flippedTaps, tapRows), [mh, mw, co, ci]);
        const cropped = scope.cropNegative(dy, {
          top: mh - 1,
          bottom: qh - ho,
          left: mw - 1,
          right: qw - wo,
        });
        phase = scope.run(
          tf.Conv2D,
          { x: cropped.x, filter: taps },
          { strides: [1, 1], dilations: [1, 1], pad: cropped.pad, dataFormat: 'NHWC' },
        ); // [N, qh, qw, Ci]
      }
      columns.push(scope.reshape(phase, [n, qh, 1, qw, 1, ci]));
    }
    rows.push(scope.concat(columns, 4)); // [N, qh, 1, qw, sw, Ci]
  }
  const interleaved = scope.reshape(scope.concat(rows, 2), [n, qh * sh, qw * sw, ci]);
  return scope.run(
    tf.Slice,
    { x: interleaved },
    { begin: [0, top, left, 0], size: [n, info.inHeight, info.inWidth, ci] },
  );
}

/** Kernel function of `Conv2DBackpropInput` composed from the named backend's kernels. */
export function conv2dBackpropInputFor(backendName: string): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { dy, filter } = inputs as unknown as tf.Conv2DBackpropInputInputs;
    const { strides, pad, dataFormat, dimRoundingMode, inputShape } =
      attrs as unknown as tf.Conv2DBackpropInputAttrs;
    const format = tf.backend_util.convertConv2DDataFormat(dataFormat);
    const info = tf.backend_util.computeConv2DInfo(
      inputShape,
      filter!.shape as [number, number, number, number],
      strides,
      1,
      pad,
      dimRoundingMode,
      false,
      format,
    );
    return composed(backend as tf.KernelBackend, backendName, (scope) => {
      if (format !== 'channelsFirst') return conv2dInputGradient(scope, dy!, filter!, info);
      const dx = conv2dInputGradient(scope, scope.transpose(dy!, [0, 2, 3, 1]), filter!, info);
      return scope.transpose(dx, [0, 3, 1, 2]);
    });
  };
}

/** `Conv2DBackpropInput` for the wasm backend (replaces tfjs-backend-wasm's scalar loop). */
export const conv2dBackpropInputConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropInput,
  backendName: 'wasm',
  kernelFunc: conv2dBackpropInputFor('wasm'),
};
