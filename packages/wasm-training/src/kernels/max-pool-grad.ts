/**
 * `MaxPoolGrad` for the wasm backend as one pass over the pooling windows on the wasm heap.
 * tfjs-backend-wasm 4.22 has this kernel as a scalar C++ loop that visits every input pixel and
 * every window that covers it (`src/cc/kernels/MaxPoolGrad.cc`); ResNet's one 3×3 stride-2 pool
 * cost 40 ms of a 1.1 s training step there. Here each window is scanned once, all channels of a
 * pixel together, and its output gradient added to the first maximum.
 * Reference semantics: tfjs-backend-cpu `kernels/MaxPoolGrad.ts` (the first maximum of a window in
 * row-major order wins; a window without a value above −∞ passes no gradient), TensorFlow's
 * `MaxPoolGrad` op.
 */
import * as tf from '@tensorflow/tfjs-core';
import { composed } from './kernel-scope.js';

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
      const y0 = yo * sh - top;
      let yMin = y0;
      while (yMin < 0) yMin += dh;
      const yMax = Math.min(h, y0 + fh);
      for (let xo = 0; xo < wo; xo++, o += c) {
        const x0 = xo * sw - left;
        let xMin = x0;
        while (xMin < 0) xMin += dw;
        const xMax = Math.min(w, x0 + fw);
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
