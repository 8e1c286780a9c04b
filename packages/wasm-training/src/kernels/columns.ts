/**
 * col2im: the scatter-add that turns the column matrix of a convolution's input gradient into the
 * gradient image. With the forward convolution read as `Y = cols(X) · W` (one row of `cols(X)` per
 * output pixel, holding the `kh × kw × Ci` patch that pixel reads), the input gradient is
 * `dX = col2im(dY · Wᵀ)`: every output pixel's row of `dY · Wᵀ` is added back into the patch it
 * was read from. Its adjoint im2col (gathering the column matrix from an image) serves the weight
 * gradient `dW = colsᵀ(X) · dY`. Reference semantics: Caffe's `col2im_cpu`/`im2col_cpu`, PyTorch's
 * `F.fold`/`F.unfold`, here for NHWC tensors with stride, dilation and asymmetric padding.
 *
 * Two layouts of the column matrix are supported, so that either operand of the matrix product
 * can be the one XNNPACK packs: pixel-major `[N, Ho, Wo, kh, kw, Ci]` (from `dY · Wᵀ`) and
 * tap-major `[kh, kw, Ci, N, Ho, Wo]` (from `W · dYᵀ`).
 */
import type { ConvInfo } from './conv2d-backprop-filter.js';

/**
 * Largest column matrix the column methods of the convolution gradients build: 2²⁴ float32
 * values (64 MiB); beyond it they fall back to methods without one.
 */
export const MAX_COLUMN_VALUES = 2 ** 24;

/** Smallest tap index `t ≥ 0` with `origin + t·step ≥ 0`. */
function firstInside(origin: number, step: number): number {
  return origin >= 0 ? 0 : Math.ceil(-origin / step);
}

/** One past the largest index `t` with `origin + t·step < size`, at most `count` (≤ 0: none). */
function endInside(origin: number, step: number, size: number, count: number): number {
  return Math.min(count, Math.floor((size - 1 - origin) / step) + 1);
}

/**
 * Adds the pixel-major column matrix `columns` (`[N, Ho, Wo, kh, kw, Ci]`) of the convolution
 * `info` into the NHWC image `dx` (`[N, H, W, Ci]`); taps that fall into the padding are dropped.
 */
export function addColumnsPixelMajor(columns: Float32Array, info: ConvInfo, dx: Float32Array): void {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci } = info;
  const { outHeight: ho, outWidth: wo, filterHeight: kh, filterWidth: kw } = info;
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const { top, left } = info.padInfo;
  const tapRow = kw * ci;
  const patch = kh * tapRow;
  let src = 0;
  for (let b = 0; b < n; b++) {
    for (let yo = 0; yo < ho; yo++) {
      const y0 = yo * sh - top;
      const iStart = firstInside(y0, dh);
      const iEnd = endInside(y0, dh, h, kh);
      for (let xo = 0; xo < wo; xo++, src += patch) {
        const x0 = xo * sw - left;
        const jStart = firstInside(x0, dw);
        const jEnd = endInside(x0, dw, w, kw);
        if (jEnd <= jStart) continue;
        for (let i = iStart; i < iEnd; i++) {
          const rowBase = ((b * h + y0 + i * dh) * w + x0) * ci;
          const tapBase = src + i * tapRow;
          if (dw === 1) {
            // The taps of a row meet consecutive pixels: one contiguous run of (jEnd − jStart)·Ci.
            let d = rowBase + jStart * ci;
            const end = tapBase + jEnd * ci;
            for (let s = tapBase + jStart * ci; s < end; s++, d++) dx[d] = dx[d]! + columns[s]!;
          } else {
            for (let j = jStart; j < jEnd; j++) {
              const d = rowBase + j * dw * ci;
              const s = tapBase + j * ci;
              for (let c = 0; c < ci; c++) dx[d + c] = dx[d + c]! + columns[s + c]!;
            }
          }
        }
      }
    }
  }
}

/**
 * Moves values between the tap-major column matrix `columns` (`[kh, kw, Ci, N, Ho, Wo]`, im2col
 * transposed) of the convolution `info` and the NHWC image `image` (`[N, H, W, Ci]`): `'add'` adds
 * every column value into the image pixel its tap reads (col2im), `'gather'` copies every image
 * value into the column entries that read it (im2col; entries whose tap falls into the padding are
 * left as they are, so `columns` must be zero-filled). Taps in the padding meet no pixel.
 */
function tapMajor(
  columns: Float32Array,
  info: ConvInfo,
  image: Float32Array,
  direction: 'add' | 'gather',
): void {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci } = info;
  const { outHeight: ho, outWidth: wo, filterHeight: kh, filterWidth: kw } = info;
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const { top, left } = info.padInfo;
  const pixels = ho * wo;
  const pixelStep = sw * ci;
  const add = direction === 'add';
  for (let i = 0; i < kh; i++) {
    // Output rows whose tap i lands inside the image: 0 ≤ yo·sh + i·dh − top < H.
    const yOrigin = i * dh - top;
    const yoStart = firstInside(yOrigin, sh);
    const yoEnd = endInside(yOrigin, sh, h, ho);
    for (let j = 0; j < kw; j++) {
      const xOrigin = j * dw - left;
      const xoStart = firstInside(xOrigin, sw);
      const xoEnd = endInside(xOrigin, sw, w, wo);
      if (yoEnd <= yoStart || xoEnd <= xoStart) continue;
      for (let c = 0; c < ci; c++) {
        let plane = ((i * kw + j) * ci + c) * n * pixels;
        for (let b = 0; b < n; b++, plane += pixels) {
          for (let yo = yoStart; yo < yoEnd; yo++) {
            // One run: consecutive column entries, image pixels `pixelStep` apart.
            let p = ((b * h + yo * sh + yOrigin) * w + xoStart * sw + xOrigin) * ci + c;
            const end = plane + yo * wo + xoEnd;
            let k = plane + yo * wo + xoStart;
            if (add) for (; k < end; k++, p += pixelStep) image[p] = image[p]! + columns[k]!;
            else for (; k < end; k++, p += pixelStep) columns[k] = image[p]!;
          }
        }
      }
    }
  }
}

/**
 * Adds the tap-major column matrix `columns` (`[kh, kw, Ci, N, Ho, Wo]`) of the convolution `info`
 * into the NHWC image `dx` (`[N, H, W, Ci]`); taps that fall into the padding are dropped.
 */
export function addColumnsTapMajor(columns: Float32Array, info: ConvInfo, dx: Float32Array): void {
  tapMajor(columns, info, dx, 'add');
}

/**
 * Writes the tap-major column matrix (`[kh, kw, Ci, N, Ho, Wo]`, im2col transposed) of the NHWC
 * image `x` for the convolution `info` into `columns`, which must be zero-filled: taps that fall
 * into the padding are left at zero. The adjoint of {@link addColumnsTapMajor}.
 */
export function gatherColumnsTapMajor(x: Float32Array, info: ConvInfo, columns: Float32Array): void {
  tapMajor(columns, info, x, 'gather');
}
