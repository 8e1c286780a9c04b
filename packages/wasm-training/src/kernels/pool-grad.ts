/**
 * The pooling gradients for the wasm backend as one pass over the pooling windows on the wasm heap.
 * tfjs-backend-wasm 4.22 has `MaxPoolGrad` and `AvgPoolGrad` as scalar C++ loops that visit every
 * input pixel and every window that covers it (`src/cc/kernels/MaxPoolGrad.cc`,
 * `AvgPoolGrad.cc`); ResNet's one 3×3 stride-2 max pool cost 40 ms of a 1.1 s training step there,
 * LeNet-5's two average pools 8 ms of a 45 ms one. Here each window is visited once, all channels
 * of a pixel together.
 * Reference semantics: tfjs-backend-cpu `kernels/MaxPoolGrad.ts` (the first maximum of a window in
 * row-major order gets the window's gradient; a window without a value above −∞ passes none) and
 * `kernels/AvgPoolGrad.ts` (every pixel of a window gets its gradient divided by the filter's
 * area, padding included), TensorFlow's `MaxPoolGrad` and `AvgPoolGrad` ops.
 */
import * as tf from '@tensorflow/tfjs-core';
import { composed } from './kernel-scope.js';

/**
 * The first and one-past-last input index a pooling window starting at `origin` (negative: in
 * the padding) covers along an axis of `size`, stepping by `dilation` over `extent` positions.
 */
function windowRange(origin: number, dilation: number, extent: number, size: number): [number, number] {
  let first = origin;
  while (first < 0) first += dilation;
  return [first, Math.min(size, origin + extent)];
}

/**
 * Adds `dy` (`[N, Ho, Wo, C]`) of the max pooling `info` into `dx` (`[N, H, W, C]`, zero-filled)
 * at the first maximum of `x` in each window.
 */
export function maxPoolGradInto(
  x: Float32Array,
  dy: Float32Array,
  info: tf.backend_util.Conv2DInfo,
  dx: Float32Array,
): void {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: c, outHeight: ho, outWidth: wo } = info;
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const { effectiveFilterHeight: fh, effectiveFilterWidth: fw } = info;
  const { top, left } = info.padInfo;
  const best = new Float32Array(c);
  const where = new Int32Array(c);
  let o = 0;
  for (let b = 0; b < n; b++) {
    for (let yo = 0; yo < ho; yo++) {
      const [yMin, yMax] = windowRange(yo * sh - top, dh, fh, h);
      for (let xo = 0; xo < wo; xo++, o += c) {
        const [xMin, xMax] = windowRange(xo * sw - left, dw, fw, w);
        best.fill(Number.NEGATIVE_INFINITY);
        where.fill(-1);
        for (let y = yMin; y < yMax; y += dh) {
          for (let xi = xMin; xi < xMax; xi += dw) {
            const p = ((b * h + y) * w + xi) * c;
            for (let k = 0; k < c; k++) {
              const v = x[p + k]!;
              if (v > best[k]!) {
                best[k] = v;
                where[k] = p + k;
              }
            }
          }
        }
        for (let k = 0; k < c; k++) {
          const at = where[k]!;
          if (at >= 0) dx[at] = dx[at]! + dy[o + k]!;
        }
      }
    }
  }
}

/** Kernel function of `MaxPoolGrad` on the wasm heap. */
export const maxPoolGradHeap: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, input } = inputs as unknown as tf.MaxPoolGradInputs;
  const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as tf.MaxPoolGradAttrs;
  const info = tf.backend_util.computePool2DInfo(
    input!.shape as [number, number, number, number],
    filterSize,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  return composed(backend as tf.KernelBackend, 'wasm', (scope) =>
    scope.written([...input!.shape], [input!, dy!], (dx, x, g) => maxPoolGradInto(x!, g!, info, dx)),
  );
};

/** `MaxPoolGrad` for the wasm backend (replaces tfjs-backend-wasm's per-pixel loop). */
export const maxPoolGradConfig: tf.KernelConfig = {
  kernelName: tf.MaxPoolGrad,
  backendName: 'wasm',
  kernelFunc: maxPoolGradHeap,
};

/**
 * Adds `dy` (`[N, Ho, Wo, C]`) of the average pooling `info`, divided by the filter's area, into
 * every input pixel of each window of `dx` (`[N, H, W, C]`, zero-filled); positions in the padding
 * are dropped.
 */
export function avgPoolGradInto(dy: Float32Array, info: tf.backend_util.Conv2DInfo, dx: Float32Array): void {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: c, outHeight: ho, outWidth: wo } = info;
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const { effectiveFilterHeight: fh, effectiveFilterWidth: fw } = info;
  const { top, left } = info.padInfo;
  const scale = 1 / (info.filterHeight * info.filterWidth);
  let o = 0;
  for (let b = 0; b < n; b++) {
    for (let yo = 0; yo < ho; yo++) {
      const [yMin, yMax] = windowRange(yo * sh - top, dh, fh, h);
      for (let xo = 0; xo < wo; xo++, o += c) {
        const [xMin, xMax] = windowRange(xo * sw - left, dw, fw, w);
        for (let y = yMin; y < yMax; y += dh) {
          for (let xi = xMin; xi < xMax; xi += dw) {
            const p = ((b * h + y) * w + xi) * c;
            for (let k = 0; k < c; k++) dx[p + k] = dx[p + k]! + dy[o + k]! * scale;
          }
        }
      }
    }
  }
}

/** Kernel function of `AvgPoolGrad` on the wasm heap. */
export const avgPoolGradHeap: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, input } = inputs as unknown as tf.AvgPoolGradInputs;
  const { filterSize, strides, pad } = attrs as unknown as tf.AvgPoolGradAttrs;
  const info = tf.backend_util.computePool2DInfo(
    input!.shape as [number, number, number, number],
    filterSize,
    strides,
    1,
    pad,
  );
  return composed(backend as tf.KernelBackend, 'wasm', (scope) =>
    scope.written([...input!.shape], [dy!], (dx, g) => avgPoolGradInto(g!, info, dx)),
  );
};

/** `AvgPoolGrad` for the wasm backend (replaces tfjs-backend-wasm's per-pixel loop). */
export const avgPoolGradConfig: tf.KernelConfig = {
  kernelName: tf.AvgPoolGrad,
  backendName: 'wasm',
  kernelFunc: avgPoolGradHeap,
};
