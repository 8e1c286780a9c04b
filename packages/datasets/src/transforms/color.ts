/**
 * Photometric operations with torchvision's tensor semantics (`transforms/functional_tensor.py`,
 * torchvision 0.14): uint8 images are bounded by 255 and truncated back to uint8 after blending,
 * float images are bounded by 1; grayscale uses ITU-R 601 weights (0.2989, 0.587, 0.114); hue is
 * shifted in HSV space the way torchvision's `_rgb2hsv` / `_hsv2rgb` do.
 */
import { invalidArgument } from '@tfzoo/core';
import { assertImage, createLike, type RawImage, toFloatImage } from '../image.js';

function bound(image: RawImage): number {
  return image.data instanceof Uint8Array ? 255 : 1;
}

/** `clamp(ratio * a + (1 - ratio) * b, 0, bound)` cast back to the image's type (torchvision `_blend`). */
function blend(image: RawImage, other: (index: number) => number, ratio: number): RawImage {
  const out = createLike(image, image.height, image.width);
  const max = bound(image);
  const isUint8 = out.data instanceof Uint8Array;
  const a = image.data;
  for (let i = 0; i < a.length; i++) {
    let v = ratio * a[i]! + (1 - ratio) * other(i);
    v = v < 0 ? 0 : v > max ? max : v;
    out.data[i] = isUint8 ? Math.trunc(v) : v;
  }
  return out;
}

function assertColorChannels(image: RawImage, what: string): void {
  assertImage(image);
  if (image.channels !== 1 && image.channels !== 3) {
    throw invalidArgument(`${what} image channels`, image.channels, '1 or 3');
  }
}

function assertFactor(name: string, factor: number): void {
  if (typeof factor !== 'number' || !(factor >= 0) || !Number.isFinite(factor)) {
    throw invalidArgument(name, factor, 'a finite non-negative number');
  }
}

/**
 * Luma `0.2989 R + 0.587 G + 0.114 B` as a one-channel image (cast back to uint8 by truncation for
 * uint8 input, as torchvision does). One-channel input is returned as a copy.
 */
export function grayscaleImage(image: RawImage): RawImage {
  assertColorChannels(image, 'grayscale');
  if (image.channels === 1) return { ...image, data: image.data.slice() };
  const out = createLike(image, image.height, image.width, 1);
  const isUint8 = out.data instanceof Uint8Array;
  const d = image.data;
  for (let p = 0, i = 0; p < out.data.length; p++, i += 3) {
    const v = 0.2989 * d[i]! + 0.587 * d[i + 1]! + 0.114 * d[i + 2]!;
    out.data[p] = isUint8 ? Math.trunc(v) : v;
  }
  return out;
}

/** Multiplies intensities by `factor` (torchvision `adjust_brightness`). */
export function adjustBrightness(image: RawImage, factor: number): RawImage {
  assertColorChannels(image, 'brightness');
  assertFactor('brightness factor', factor);
  return blend(image, () => 0, factor);
}

/** Blends with the mean gray level: 0 gives a flat gray image, 1 the original (`adjust_contrast`). */
export function adjustContrast(image: RawImage, factor: number): RawImage {
  assertColorChannels(image, 'contrast');
  assertFactor('contrast factor', factor);
  const gray = grayscaleImage(image).data;
  let sum = 0;
  for (let i = 0; i < gray.length; i++) sum += gray[i]!;
  const mean = sum / gray.length;
  return blend(image, () => mean, factor);
}

/** Blends with the grayscale image: 0 gives gray, 1 the original (`adjust_saturation`). */
export function adjustSaturation(image: RawImage, factor: number): RawImage {
  assertColorChannels(image, 'saturation');
  assertFactor('saturation factor', factor);
  if (image.channels === 1) return { ...image, data: image.data.slice() };
  const gray = grayscaleImage(image).data;
  return blend(image, (i) => gray[Math.floor(i / 3)]!, factor);
}

/** Rotates the hue by `factor` turns, `factor` in [-0.5, 0.5] (`adjust_hue`). */
export function adjustHue(image: RawImage, factor: number): RawImage {
  assertColorChannels(image, 'hue');
  if (typeof factor !== 'number' || !(factor >= -0.5 && factor <= 0.5)) {
    throw invalidArgument('hue factor', factor, 'a number in [-0.5, 0.5]');
  }
  if (image.channels === 1) return { ...image, data: image.data.slice() };
  const isUint8 = image.data instanceof Uint8Array;
  const source = isUint8 ? toFloatImage(image, 1 / 255).data : image.data;
  const out = createLike(image, image.height, image.width);
  const rgb = [0, 0, 0];
  for (let i = 0; i < source.length; i += 3) {
    const r = source[i]!;
    const g = source[i + 1]!;
    const b = source[i + 2]!;
    const maxc = Math.max(r, g, b);
    const minc = Math.min(r, g, b);
    const equal = maxc === minc;
    const cr = maxc - minc;
    const s = cr / (equal ? 1 : maxc);
    const divisor = equal ? 1 : cr;
    const rc = (maxc - r) / divisor;
    const gc = (maxc - g) / divisor;
    const bc = (maxc - b) / divisor;
    let h: number;
    if (maxc === r) h = bc - gc;
    else if (maxc === g) h = 2 + rc - bc;
    else h = 4 + gc - rc;
    h = (h / 6 + 1) % 1;
    h = (((h + factor) % 1) + 1) % 1;
    hsvToRgb(h, s, maxc, rgb);
    for (let c = 0; c < 3; c++) {
      out.data[i + c] = isUint8 ? Math.trunc(rgb[c]! * 255) : rgb[c]!;
    }
  }
  return out;
}

function hsvToRgb(h: number, s: number, v: number, out: number[]): void {
  const i6 = Math.floor(h * 6);
  const f = h * 6 - i6;
  const clamp = (x: number): number => (x < 0 ? 0 : x > 1 ? 1 : x);
  const p = clamp(v * (1 - s));
  const q = clamp(v * (1 - s * f));
  const t = clamp(v * (1 - s * (1 - f)));
  switch (((i6 % 6) + 6) % 6) {
    case 0:
      out[0] = v;
      out[1] = t;
      out[2] = p;
      break;
    case 1:
      out[0] = q;
      out[1] = v;
      out[2] = p;
      break;
    case 2:
      out[0] = p;
      out[1] = v;
      out[2] = t;
      break;
    case 3:
      out[0] = p;
      out[1] = q;
      out[2] = v;
      break;
    case 4:
      out[0] = t;
      out[1] = p;
      out[2] = v;
      break;
    default:
      out[0] = v;
      out[1] = p;
      out[2] = q;
  }
}

/**
 * `(x - mean[c]) / std[c]` per channel, as a float image (torchvision `normalize`). uint8 input is
 * rejected: scale it first (`toFloat()`), so 0–255 and 0–1 are never mixed silently.
 */
export function normalizeImage(image: RawImage, mean: readonly number[], std: readonly number[]): RawImage {
  assertImage(image);
  if (image.data instanceof Uint8Array) {
    throw invalidArgument('normalize input', 'uint8 image', 'a float image (apply toFloat() first)');
  }
  const { channels } = image;
  if (mean.length !== channels) throw invalidArgument('mean', mean, `${channels} numbers, one per channel`);
  if (std.length !== channels || !std.every((s) => s !== 0 && Number.isFinite(s))) {
    throw invalidArgument('std', std, `${channels} finite non-zero numbers, one per channel`);
  }
  const out = createLike(image, image.height, image.width);
  const d = image.data;
  for (let i = 0; i < d.length; i++) {
    const c = i % channels;
    out.data[i] = (d[i]! - mean[c]!) / std[c]!;
  }
  return out;
}
