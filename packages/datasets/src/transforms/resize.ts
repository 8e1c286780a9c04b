/**
 * Resizing that reproduces `torchvision.transforms.functional.resize` on tensors (torchvision 0.14,
 * `antialias=False`, which is `torch.nn.functional.interpolate` with `align_corners=False`):
 * the same source-pixel mapping, the same bicubic kernel (a = -0.75, border pixels replicated), and
 * the same uint8 handling (bicubic clamped to 0–255, then rounded half to even).
 *
 * Reference: pytorch `aten/src/ATen/native/UpSample.h` (`area_pixel_compute_source_index`,
 * `nearest_idx`, `cubic_convolution1/2`) and torchvision `transforms/functional_tensor.py`.
 */
import { invalidArgument } from '@tfzoo/core';
import { assertImage, createLike, type RawImage, storeUint8 } from '../image.js';

/** Interpolation of {@link resizeImage}, as torchvision names them. */
export type Interpolation = 'nearest' | 'bilinear' | 'bicubic';

/** Options of {@link resizeImage}. */
export interface ResizeOptions {
  /** Interpolation (default `'bilinear'`, torchvision's default). */
  interpolation?: Interpolation;
  /**
   * With a single `size` (shorter side): the longer side is capped at this many pixels, the shorter
   * side shrinking to keep the aspect ratio (torchvision's `max_size`).
   */
  maxSize?: number;
}

/**
 * The output `[height, width]` of torchvision's resize: a pair is used as-is; a single number is the
 * new shorter side, the longer side becoming `int(size * long / short)`.
 */
export function resizedSize(
  height: number,
  width: number,
  size: number | readonly [number, number],
  maxSize?: number,
): [number, number] {
  if (typeof size !== 'number') {
    if (!Array.isArray(size) || size.length !== 2 || !size.every((v) => Number.isInteger(v) && v > 0)) {
      throw invalidArgument(
        'resize size',
        size,
        'a positive integer or [height, width] of positive integers',
      );
    }
    return [size[0], size[1]];
  }
  if (!Number.isInteger(size) || size < 1) {
    throw invalidArgument('resize size', size, 'a positive integer or [height, width] of positive integers');
  }
  const widthIsShort = width <= height;
  const short = widthIsShort ? width : height;
  const long = widthIsShort ? height : width;
  let newShort = size;
  let newLong = Math.trunc((size * long) / short);
  if (maxSize !== undefined) {
    if (!(maxSize > size)) {
      throw invalidArgument('maxSize', maxSize, `a number greater than the requested size ${size}`);
    }
    if (newLong > maxSize) {
      newShort = Math.trunc((maxSize * newShort) / newLong);
      newLong = maxSize;
    }
  }
  return widthIsShort ? [newLong, newShort] : [newShort, newLong];
}

interface Taps {
  /** Source indices, `taps` per output position. */
  index: Int32Array;
  /** Weights, `taps` per output position. */
  weight: Float64Array;
  taps: number;
}

function nearestTaps(inSize: number, outSize: number): Taps {
  const index = new Int32Array(outSize);
  const weight = new Float64Array(outSize).fill(1);
  const scale = Math.fround(inSize / outSize);
  for (let o = 0; o < outSize; o++) {
    if (outSize === inSize) index[o] = o;
    else if (outSize === 2 * inSize) index[o] = o >> 1;
    else index[o] = Math.min(Math.floor(Math.fround(o * scale)), inSize - 1);
  }
  return { index, weight, taps: 1 };
}

function linearTaps(inSize: number, outSize: number): Taps {
  const index = new Int32Array(outSize * 2);
  const weight = new Float64Array(outSize * 2);
  const scale = inSize / outSize;
  for (let o = 0; o < outSize; o++) {
    const source = Math.max(scale * (o + 0.5) - 0.5, 0);
    const i0 = Math.floor(source);
    const i1 = i0 < inSize - 1 ? i0 + 1 : i0;
    const lambda = source - i0;
    index[2 * o] = i0;
    index[2 * o + 1] = i1;
    weight[2 * o] = 1 - lambda;
    weight[2 * o + 1] = lambda;
  }
  return { index, weight, taps: 2 };
}

const CUBIC_A = -0.75;
const cubic1 = (x: number): number => ((CUBIC_A + 2) * x - (CUBIC_A + 3)) * x * x + 1;
const cubic2 = (x: number): number => ((CUBIC_A * x - 5 * CUBIC_A) * x + 8 * CUBIC_A) * x - 4 * CUBIC_A;

function cubicTaps(inSize: number, outSize: number): Taps {
  const index = new Int32Array(outSize * 4);
  const weight = new Float64Array(outSize * 4);
  const scale = inSize / outSize;
  for (let o = 0; o < outSize; o++) {
    const source = scale * (o + 0.5) - 0.5;
    const i0 = Math.floor(source);
    const t = source - i0;
    const w = [cubic2(t + 1), cubic1(t), cubic1(1 - t), cubic2(2 - t)];
    for (let k = 0; k < 4; k++) {
      index[4 * o + k] = Math.min(Math.max(i0 - 1 + k, 0), inSize - 1);
      weight[4 * o + k] = w[k]!;
    }
  }
  return { index, weight, taps: 4 };
}

function taps(interpolation: Interpolation, inSize: number, outSize: number): Taps {
  if (interpolation === 'nearest') return nearestTaps(inSize, outSize);
  if (interpolation === 'bilinear') return linearTaps(inSize, outSize);
  if (interpolation === 'bicubic') return cubicTaps(inSize, outSize);
  throw invalidArgument('interpolation', interpolation, "'nearest', 'bilinear' or 'bicubic'");
}

/**
 * Resizes an image like torchvision's tensor `resize` (no antialiasing). `size` is `[height, width]`
 * or the new length of the shorter side. The result has the input's element type.
 */
export function resizeImage(
  image: RawImage,
  size: number | readonly [number, number],
  options: ResizeOptions = {},
): RawImage {
  assertImage(image);
  const interpolation = options.interpolation ?? 'bilinear';
  const [outH, outW] = resizedSize(image.height, image.width, size, options.maxSize);
  const rows = taps(interpolation, image.height, outH);
  const cols = taps(interpolation, image.width, outW);
  const { width: inW, channels } = image;
  const input = image.data;
  const out = createLike(image, outH, outW);
  const output = out.data;
  const isUint8 = output instanceof Uint8Array;
  const clampFloat = isUint8 && interpolation === 'bicubic';
  // Separable: first along x for every needed input row, then along y.
  const rowBuffer = new Float64Array(image.height * outW * channels);
  const rowDone = new Uint8Array(image.height);
  for (let oy = 0; oy < outH; oy++) {
    for (let ty = 0; ty < rows.taps; ty++) {
      const y = rows.index[oy * rows.taps + ty]!;
      if (rowDone[y]) continue;
      rowDone[y] = 1;
      const rowBase = y * inW * channels;
      for (let ox = 0; ox < outW; ox++) {
        for (let c = 0; c < channels; c++) {
          let sum = 0;
          for (let tx = 0; tx < cols.taps; tx++) {
            const x = cols.index[ox * cols.taps + tx]!;
            sum += cols.weight[ox * cols.taps + tx]! * input[rowBase + x * channels + c]!;
          }
          rowBuffer[(y * outW + ox) * channels + c] = sum;
        }
      }
    }
    for (let ox = 0; ox < outW; ox++) {
      for (let c = 0; c < channels; c++) {
        let sum = 0;
        for (let ty = 0; ty < rows.taps; ty++) {
          const y = rows.index[oy * rows.taps + ty]!;
          sum += rows.weight[oy * rows.taps + ty]! * rowBuffer[(y * outW + ox) * channels + c]!;
        }
        const at = (oy * outW + ox) * channels + c;
        if (isUint8) storeUint8(output, at, clampFloat ? Math.min(Math.max(sum, 0), 255) : sum);
        else output[at] = sum;
      }
    }
  }
  return out;
}
