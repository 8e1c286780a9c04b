/**
 * Composable, seeded per-sample transforms in the spirit of `torchvision.transforms`: each factory
 * returns a function `(image, rng) => image`; random ones draw only from the {@link Rng} they are
 * given, so the loader's per-sample seeds make every epoch reproducible. The random parameters are
 * drawn with torchvision's algorithms (`RandomResizedCrop.get_params` with its ten attempts and
 * center fallback, `RandomCrop`, `ColorJitter` with a random order, `RandomErasing`), though from our
 * own generator, so streams do not match PyTorch's bit for bit.
 */
import { invalidArgument } from '@tfzoo/core';
import { assertImage, type RawImage, roundHalfEven, toFloatImage } from '../image.js';
import type { Rng } from '../random.js';
import { adjustBrightness, adjustContrast, adjustHue, adjustSaturation, normalizeImage } from './color.js';
import {
  centerCropImage,
  cropImage,
  hflipImage,
  type PaddingMode,
  padImage,
  type Size2D,
  toSize2D,
  vflipImage,
} from './geometry.js';
import { type Interpolation, resizeImage } from './resize.js';

/** A per-sample transform: returns a new image (never mutates its input), drawing randomness from `rng`. */
export type Transform = (image: RawImage, rng: Rng) => RawImage;

/** Chains transforms left to right (torchvision `Compose`). */
export function compose(...transforms: Transform[]): Transform {
  transforms.forEach((t, i) => {
    if (typeof t !== 'function') throw invalidArgument(`compose argument ${i}`, t, 'a transform function');
  });
  return (image, rng) => transforms.reduce((current, transform) => transform(current, rng), image);
}

function assertProbability(name: string, p: number): void {
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw invalidArgument(name, p, 'a probability in [0, 1]');
}

/** Applies `transform` with probability `p` (torchvision `RandomApply`). */
export function randomApply(transform: Transform, p = 0.5): Transform {
  assertProbability('randomApply p', p);
  return (image, rng) => (rng.next() < p ? transform(image, rng) : image);
}

/** Resizes to `[height, width]`, or the shorter side to `size` (torchvision `Resize` on tensors). */
export function resize(
  size: number | readonly [number, number],
  options: { interpolation?: Interpolation; maxSize?: number } = {},
): Transform {
  return (image) => resizeImage(image, size, options);
}

/** Crops the center `size` region (torchvision `CenterCrop`). */
export function centerCrop(size: Size2D): Transform {
  toSize2D(size, 'centerCrop size');
  return (image) => centerCropImage(image, size);
}

/** Options of {@link randomResizedCrop}. */
export interface RandomResizedCropOptions {
  /** Range of the crop's area as a fraction of the image's (default `[0.08, 1]`). */
  scale?: readonly [number, number];
  /** Range of the crop's aspect ratio, width / height (default `[3/4, 4/3]`). */
  ratio?: readonly [number, number];
  /** Interpolation of the final resize (default `'bilinear'`). */
  interpolation?: Interpolation;
}

/**
 * The crop box `[top, left, height, width]` of torchvision's `RandomResizedCrop.get_params`: ten
 * attempts at a random area and log-uniform aspect ratio, then a center crop clamped to `ratio`.
 */
export function randomResizedCropBox(
  height: number,
  width: number,
  scale: readonly [number, number],
  ratio: readonly [number, number],
  rng: Rng,
): [number, number, number, number] {
  const area = height * width;
  const logLow = Math.log(ratio[0]);
  const logHigh = Math.log(ratio[1]);
  for (let attempt = 0; attempt < 10; attempt++) {
    const targetArea = area * rng.uniform(scale[0], scale[1]);
    const aspect = Math.exp(rng.uniform(logLow, logHigh));
    const w = roundHalfEven(Math.sqrt(targetArea * aspect));
    const h = roundHalfEven(Math.sqrt(targetArea / aspect));
    if (w > 0 && w <= width && h > 0 && h <= height) {
      return [rng.int(0, height - h + 1), rng.int(0, width - w + 1), h, w];
    }
  }
  const inRatio = width / height;
  let w: number;
  let h: number;
  if (inRatio < Math.min(...ratio)) {
    w = width;
    h = roundHalfEven(w / Math.min(...ratio));
  } else if (inRatio > Math.max(...ratio)) {
    h = height;
    w = roundHalfEven(h * Math.max(...ratio));
  } else {
    w = width;
    h = height;
  }
  return [Math.floor((height - h) / 2), Math.floor((width - w) / 2), h, w];
}

/** A random crop of random area and aspect ratio, resized to `size` (torchvision `RandomResizedCrop`). */
export function randomResizedCrop(size: Size2D, options: RandomResizedCropOptions = {}): Transform {
  const outSize = toSize2D(size, 'randomResizedCrop size');
  const scale = options.scale ?? [0.08, 1];
  const ratio = options.ratio ?? [3 / 4, 4 / 3];
  if (!(scale[0] > 0 && scale[0] <= scale[1])) {
    throw invalidArgument('randomResizedCrop scale', scale, '[min, max] with 0 < min <= max');
  }
  if (!(ratio[0] > 0 && ratio[0] <= ratio[1])) {
    throw invalidArgument('randomResizedCrop ratio', ratio, '[min, max] with 0 < min <= max');
  }
  const interpolation = options.interpolation ?? 'bilinear';
  return (image, rng) => {
    assertImage(image);
    const [top, left, h, w] = randomResizedCropBox(image.height, image.width, scale, ratio, rng);
    return resizeImage(cropImage(image, top, left, h, w), outSize, { interpolation });
  };
}

/** Options of {@link randomCrop}. */
export interface RandomCropOptions {
  /** Padding added before cropping: `p`, `[leftRight, topBottom]` or `[left, top, right, bottom]`. */
  padding?: number | readonly number[];
  /** Pad an image smaller than `size` up to it (default false). */
  padIfNeeded?: boolean;
  /** Fill value(s) for constant padding (default 0). */
  fill?: number | readonly number[];
  /** Padding mode (default `'constant'`). */
  paddingMode?: PaddingMode;
}

/** A random `size` crop after optional padding (torchvision `RandomCrop`, e.g. CIFAR's pad-4 crop). */
export function randomCrop(size: Size2D, options: RandomCropOptions = {}): Transform {
  const [th, tw] = toSize2D(size, 'randomCrop size');
  const fill = options.fill ?? 0;
  const mode = options.paddingMode ?? 'constant';
  return (image, rng) => {
    let img = options.padding !== undefined ? padImage(image, options.padding, fill, mode) : image;
    if (options.padIfNeeded && img.width < tw) img = padImage(img, [tw - img.width, 0], fill, mode);
    if (options.padIfNeeded && img.height < th) img = padImage(img, [0, th - img.height], fill, mode);
    if (img.height < th || img.width < tw) {
      throw invalidArgument(
        'randomCrop size',
        [th, tw],
        `at most the image size [${img.height}, ${img.width}]`,
      );
    }
    if (img.height === th && img.width === tw) return img;
    const top = rng.int(0, img.height - th + 1);
    const left = rng.int(0, img.width - tw + 1);
    return cropImage(img, top, left, th, tw);
  };
}

/** Mirrors left–right with probability `p` (torchvision `RandomHorizontalFlip`, default 0.5). */
export function randomHorizontalFlip(p = 0.5): Transform {
  assertProbability('randomHorizontalFlip p', p);
  return (image, rng) => (rng.next() < p ? hflipImage(image) : image);
}

/** Mirrors top–bottom with probability `p` (torchvision `RandomVerticalFlip`, default 0.5). */
export function randomVerticalFlip(p = 0.5): Transform {
  assertProbability('randomVerticalFlip p', p);
  return (image, rng) => (rng.next() < p ? vflipImage(image) : image);
}

/** A jitter amount: `v` means `[max(0, 1 - v), 1 + v]` (`[-v, v]` for hue), or an explicit `[min, max]`. */
export type JitterRange = number | readonly [number, number];

/** Options of {@link colorJitter}; each omitted or zero amount is left out. */
export interface ColorJitterOptions {
  /** Brightness factor range. */
  brightness?: JitterRange;
  /** Contrast factor range. */
  contrast?: JitterRange;
  /** Saturation factor range. */
  saturation?: JitterRange;
  /** Hue shift range, within [-0.5, 0.5]. */
  hue?: JitterRange;
}

function jitterRange(
  name: string,
  value: JitterRange | undefined,
  center: number,
  limits: [number, number],
  clipAtZero: boolean,
): [number, number] | null {
  if (value === undefined) return null;
  let range: [number, number];
  if (typeof value === 'number') {
    if (!(value >= 0)) throw invalidArgument(`colorJitter ${name}`, value, 'a non-negative number');
    range = [center - value, center + value];
    if (clipAtZero) range[0] = Math.max(range[0], 0);
  } else {
    if (!(Array.isArray(value) && value.length === 2)) {
      throw invalidArgument(`colorJitter ${name}`, value, 'a number or [min, max]');
    }
    range = [value[0], value[1]];
  }
  if (!(limits[0] <= range[0] && range[0] <= range[1] && range[1] <= limits[1])) {
    throw invalidArgument(`colorJitter ${name}`, value, `a range within [${limits[0]}, ${limits[1]}]`);
  }
  return range[0] === center && range[1] === center ? null : range;
}

/**
 * Random brightness, contrast, saturation and hue, applied in a random order (torchvision
 * `ColorJitter`). Works on uint8 images (0–255) and float images in 0–1.
 */
export function colorJitter(options: ColorJitterOptions): Transform {
  const b = jitterRange('brightness', options.brightness, 1, [0, Number.POSITIVE_INFINITY], true);
  const c = jitterRange('contrast', options.contrast, 1, [0, Number.POSITIVE_INFINITY], true);
  const s = jitterRange('saturation', options.saturation, 1, [0, Number.POSITIVE_INFINITY], true);
  const h = jitterRange('hue', options.hue, 0, [-0.5, 0.5], false);
  return (image, rng) => {
    const order = rng.permutation(4);
    const factors = [b, c, s, h].map((range) => (range ? rng.uniform(range[0], range[1]) : null));
    let out = image;
    for (const op of order) {
      const factor = factors[op];
      if (factor === null || factor === undefined) continue;
      if (op === 0) out = adjustBrightness(out, factor);
      else if (op === 1) out = adjustContrast(out, factor);
      else if (op === 2) out = adjustSaturation(out, factor);
      else out = adjustHue(out, factor);
    }
    return out;
  };
}

/** Converts to float32, multiplying by `scale` (default `1 / 255`: torchvision `ToTensor`'s 0–1 range). */
export function toFloat(scale = 1 / 255): Transform {
  if (typeof scale !== 'number' || !Number.isFinite(scale))
    throw invalidArgument('toFloat scale', scale, 'a finite number');
  return (image) => toFloatImage(image, scale);
}

/** `(x - mean) / std` per channel on a float image (torchvision `Normalize`). */
export function normalize(mean: readonly number[], std: readonly number[]): Transform {
  return (image) => normalizeImage(image, mean, std);
}

/** Reverses the channel order (RGB ↔ BGR) of a 3-channel image. */
export function swapRgbBgr(): Transform {
  return (image) => {
    assertImage(image);
    if (image.channels !== 3) throw invalidArgument('swapRgbBgr image channels', image.channels, '3');
    const out = { ...image, data: image.data.slice() };
    for (let i = 0; i < out.data.length; i += 3) {
      out.data[i] = image.data[i + 2]!;
      out.data[i + 2] = image.data[i]!;
    }
    return out;
  };
}

/** Options of {@link randomErasing}. */
export interface RandomErasingOptions {
  /** Probability of erasing (default 0.5). */
  p?: number;
  /** Range of the erased area as a fraction of the image (default `[0.02, 0.33]`). */
  scale?: readonly [number, number];
  /** Range of the erased box's aspect ratio (default `[0.3, 3.3]`). */
  ratio?: readonly [number, number];
  /** Fill: a number, one number per channel, or `'random'` for standard normal noise (default 0). */
  value?: number | readonly number[] | 'random';
}

/**
 * Erases a random box (torchvision `RandomErasing`, Zhong et al. 2017, arXiv:1708.04896): up to ten
 * attempts at a box of random area and log-uniform aspect ratio strictly inside the image. Usually
 * applied after `normalize`.
 */
export function randomErasing(options: RandomErasingOptions = {}): Transform {
  const p = options.p ?? 0.5;
  assertProbability('randomErasing p', p);
  const scale = options.scale ?? [0.02, 0.33];
  const ratio = options.ratio ?? [0.3, 3.3];
  const value = options.value ?? 0;
  return (image, rng) => {
    assertImage(image);
    if (rng.next() >= p) return image;
    const { height, width, channels } = image;
    if (Array.isArray(value) && value.length !== 1 && value.length !== channels) {
      throw invalidArgument('randomErasing value', value, `1 or ${channels} numbers`);
    }
    const logLow = Math.log(ratio[0]);
    const logHigh = Math.log(ratio[1]);
    for (let attempt = 0; attempt < 10; attempt++) {
      const eraseArea = height * width * rng.uniform(scale[0], scale[1]);
      const aspect = Math.exp(rng.uniform(logLow, logHigh));
      const h = roundHalfEven(Math.sqrt(eraseArea * aspect));
      const w = roundHalfEven(Math.sqrt(eraseArea / aspect));
      if (!(h < height && w < width)) continue;
      const top = rng.int(0, height - h + 1);
      const left = rng.int(0, width - w + 1);
      const out = { ...image, data: image.data.slice() };
      for (let y = top; y < top + h; y++) {
        for (let x = left; x < left + w; x++) {
          for (let c = 0; c < channels; c++) {
            let v: number;
            if (value === 'random') v = rng.normal();
            else if (typeof value === 'number') v = value;
            else v = (value as readonly number[])[value.length === 1 ? 0 : c]!;
            out.data[(y * width + x) * channels + c] = v;
          }
        }
      }
      return out;
    }
    return image;
  };
}
