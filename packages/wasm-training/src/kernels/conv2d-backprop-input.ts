/**
 * `Conv2DBackpropInput` (the input gradient of `tf.conv2d`) for the wasm backend, composed from
 * wasm's XNNPACK `Conv2D`. tfjs-backend-wasm 4.22 has this kernel, but as a scalar,
 * single-threaded C++ loop (`src/cc/kernels/Conv2DBackpropInput.cc`) about as fast as the pure-JS
 * cpu backend; in a CNN training step it costs as much as the forward convolution, so this
 * composition replaces it.
 *
 * dX is the correlation of the zero-inserted output gradient (`stride − 1` zeros between samples)
 * with the filter flipped spatially and with its channel axes swapped, padded by `(k − 1) − pad`.
 * Reference semantics: tfjs-backend-cpu `kernels/Conv2DBackpropInput.ts`, TensorFlow's
 * `Conv2DBackpropInput` op.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ConvInfo } from './conv2d-backprop-filter.js';
import { transposedPads } from './depthwise-backprop-input.js';
import { composed, type KernelScope } from './kernel-scope.js';

/** The input gradient `[N, H, W, Ci]` of a (dense) NHWC convolution described by `info`. */
export function conv2dInputGradient(
  scope: KernelScope,
  dy: tf.TensorInfo,
  filter: tf.TensorInfo,
  info: ConvInfo,
): tf.TensorInfo {
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
