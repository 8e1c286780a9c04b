/**
 * Crops, padding and flips with torchvision's semantics (`transforms/functional.py`,
 * `functional_tensor.py`, torchvision 0.14): a crop reaching outside the image is zero-padded,
 * the center crop rounds its offset half to even like Python's `round`, and padding supports the
 * four modes of `F.pad`.
 */
import { invalidArgument } from '@tfzoo/core';
import { assertImage, createLike, type RawImage, roundHalfEven } from '../image.js';

/** How {@link padImage} fills the border, as in `torchvision.transforms.functional.pad`. */
export type PaddingMode = 'constant' | 'edge' | 'reflect' | 'symmetric';

/** A size: one number for a square or `[height, width]`. */
export type Size2D = number | readonly [number, number];

/** Normalizes a {@link Size2D} to `[height, width]`, validating it. */
export function toSize2D(size: Size2D, what = 'size'): [number, number] {
  const pair: readonly number[] = typeof size === 'number' ? [size, size] : size;
  if (!Array.isArray(pair) && typeof size !== 'number') {
    throw invalidArgument(what, size, 'a positive integer or [height, width]');
  }
  if (pair.length !== 2 || !pair.every((v) => Number.isInteger(v) && v > 0)) {
    throw invalidArgument(what, size, 'a positive integer or [height, width] of positive integers');
  }
  return [pair[0]!, pair[1]!];
}

/**
 * The `height × width` region whose top-left corner is `(top, left)`; parts outside the image are
 * zero, like torchvision's tensor `crop`.
 */
export function cropImage(
  image: RawImage,
  top: number,
  left: number,
  height: number,
  width: number,
): RawImage {
  assertImage(image);
  for (const [name, value] of [
    ['top', top],
    ['left', left],
  ] as const) {
    if (!Number.isInteger(value)) throw invalidArgument(`crop ${name}`, value, 'an integer');
  }
  const [h, w] = toSize2D([height, width], 'crop size');
  const out = createLike(image, h, w);
  const { channels } = image;
  const y0 = Math.max(top, 0);
  const y1 = Math.min(top + h, image.height);
  const x0 = Math.max(left, 0);
  const x1 = Math.min(left + w, image.width);
  if (x1 <= x0) return out;
  for (let y = y0; y < y1; y++) {
    const from = (y * image.width + x0) * channels;
    const to = ((y - top) * w + (x0 - left)) * channels;
    out.data.set(image.data.subarray(from, from + (x1 - x0) * channels), to);
  }
  return out;
}

/**
 * The centered `size` crop: offset `round((H - h) / 2)` rounded half to even, zero-padded first when
 * the crop is larger than the image (torchvision `center_crop`).
 */
export function centerCropImage(image: RawImage, size: Size2D): RawImage {
  assertImage(image);
  const [cropH, cropW] = toSize2D(size, 'center crop size');
  let source = image;
  if (cropW > image.width || cropH > image.height) {
    const padW = Math.max(cropW - image.width, 0);
    const padH = Math.max(cropH - image.height, 0);
    source = padImage(image, [padW >> 1, padH >> 1, (padW + 1) >> 1, (padH + 1) >> 1]);
    if (source.width === cropW && source.height === cropH) return source;
  }
  const top = roundHalfEven((source.height - cropH) / 2);
  const left = roundHalfEven((source.width - cropW) / 2);
  return cropImage(source, top, left, cropH, cropW);
}

/**
 * Normalizes torchvision's padding spellings: `p` (all sides), `[lr, tb]`, or `[left, top, right,
 * bottom]`, to `[left, top, right, bottom]`.
 */
export function toPadding(
  padding: number | readonly number[],
): [left: number, top: number, right: number, bottom: number] {
  const values = typeof padding === 'number' ? [padding] : [...padding];
  if (!values.every((v) => Number.isInteger(v) && v >= 0) || ![1, 2, 4].includes(values.length)) {
    throw invalidArgument(
      'padding',
      padding,
      'a non-negative integer, [leftRight, topBottom] or [left, top, right, bottom]',
    );
  }
  if (values.length === 1) return [values[0]!, values[0]!, values[0]!, values[0]!];
  if (values.length === 2) return [values[0]!, values[1]!, values[0]!, values[1]!];
  return [values[0]!, values[1]!, values[2]!, values[3]!];
}

function sourceIndex(i: number, size: number, mode: PaddingMode): number {
  if (i >= 0 && i < size) return i;
  if (mode === 'edge') return i < 0 ? 0 : size - 1;
  if (mode === 'reflect') {
    if (size === 1) return 0;
    const period = 2 * (size - 1);
    let k = ((i % period) + period) % period;
    if (k >= size) k = period - k;
    return k;
  }
  // symmetric: the edge pixel is repeated (… 1 0 | 0 1 2 … | … n-1 n-1 …).
  const period = 2 * size;
  let k = ((i % period) + period) % period;
  if (k >= size) k = period - 1 - k;
  return k;
}

/** Pads the border of an image (torchvision `F.pad`): `padding` as in {@link toPadding}. */
export function padImage(
  image: RawImage,
  padding: number | readonly number[],
  fill: number | readonly number[] = 0,
  mode: PaddingMode = 'constant',
): RawImage {
  assertImage(image);
  const [left, top, right, bottom] = toPadding(padding);
  if (!['constant', 'edge', 'reflect', 'symmetric'].includes(mode)) {
    throw invalidArgument('padding mode', mode, "'constant', 'edge', 'reflect' or 'symmetric'");
  }
  const { height, width, channels } = image;
  if (mode === 'reflect' && (left >= width || right >= width || top >= height || bottom >= height)) {
    throw invalidArgument('reflect padding', padding, `less than the image size ${height}×${width}`);
  }
  const fills = typeof fill === 'number' ? new Array<number>(channels).fill(fill) : [...fill];
  if (fills.length !== channels) {
    throw invalidArgument('fill', fill, `a number or ${channels} numbers (one per channel)`);
  }
  const out = createLike(image, height + top + bottom, width + left + right);
  const outW = out.width;
  for (let y = 0; y < out.height; y++) {
    const sy = y - top;
    for (let x = 0; x < outW; x++) {
      const sx = x - left;
      const at = (y * outW + x) * channels;
      const inside = sy >= 0 && sy < height && sx >= 0 && sx < width;
      if (!inside && mode === 'constant') {
        for (let c = 0; c < channels; c++) out.data[at + c] = fills[c]!;
        continue;
      }
      const from = (sourceIndex(sy, height, mode) * width + sourceIndex(sx, width, mode)) * channels;
      for (let c = 0; c < channels; c++) out.data[at + c] = image.data[from + c]!;
    }
  }
  return out;
}

/** Mirrors an image left–right. */
export function hflipImage(image: RawImage): RawImage {
  assertImage(image);
  const out = createLike(image, image.height, image.width);
  const { width, channels } = image;
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < width; x++) {
      const from = (y * width + x) * channels;
      const to = (y * width + (width - 1 - x)) * channels;
      for (let c = 0; c < channels; c++) out.data[to + c] = image.data[from + c]!;
    }
  }
  return out;
}

/** Mirrors an image top–bottom. */
export function vflipImage(image: RawImage): RawImage {
  assertImage(image);
  const out = createLike(image, image.height, image.width);
  const rowLength = image.width * image.channels;
  for (let y = 0; y < image.height; y++) {
    const from = y * rowLength;
    out.data.set(image.data.subarray(from, from + rowLength), (image.height - 1 - y) * rowLength);
  }
  return out;
}
