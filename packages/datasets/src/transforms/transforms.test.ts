// Parity of resize, crops, padding, flips and color operations with torchvision 0.14's tensor
// functional API (Debian python3-torchvision at /usr/bin/python3), on random images, within 1/255.
import { describe, expect, it } from 'vitest';
import type { RawImage } from '../image.js';
import { Rng } from '../random.js';
import { runPythonJson } from '../test/python.js';
import {
  adjustBrightness,
  adjustContrast,
  adjustHue,
  adjustSaturation,
  grayscaleImage,
  normalizeImage,
} from './color.js';
import { centerCropImage, cropImage, hflipImage, padImage } from './geometry.js';
import { preprocessForPretrained } from './pretrained.js';
import { type Interpolation, resizeImage } from './resize.js';
import { randomResizedCropBox } from './transforms.js';

interface PyImage {
  shape: [number, number, number];
  dtype: 'uint8' | 'float32';
  data: number[];
}

function randomImage(rng: Rng, h: number, w: number, c: number, dtype: 'uint8' | 'float32'): RawImage {
  const n = h * w * c;
  const data = dtype === 'uint8' ? new Uint8Array(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = dtype === 'uint8' ? rng.int(0, 256) : rng.next();
  return { data, height: h, width: w, channels: c };
}

const toPy = (image: RawImage): PyImage => ({
  shape: [image.height, image.width, image.channels],
  dtype: image.data instanceof Uint8Array ? 'uint8' : 'float32',
  data: Array.from(image.data),
});

interface Case {
  name: string;
  /** The smallest std the output was divided by, when it was normalized. */
  normalizedBy?: number;
  py: Record<string, unknown>;
  ours: () => RawImage;
}

const rng = new Rng(20240601);
const cases: Case[] = [];
const add = (
  name: string,
  image: RawImage,
  py: Record<string, unknown>,
  ours: (img: RawImage) => RawImage,
): void => {
  cases.push({ name, py: { ...py, image: toPy(image) }, ours: () => ours(image) });
};

const sizes: [number, number, [number, number] | number][] = [
  [13, 17, [29, 31]], // up
  [32, 24, [11, 7]], // down
  [20, 20, [20, 20]], // same
  [9, 15, [18, 30]], // exactly 2x (nearest special case)
  [31, 23, 12], // shorter side
  [12, 40, [5, 97]], // mixed
];
for (const interpolation of ['nearest', 'bilinear', 'bicubic'] as Interpolation[]) {
  for (const dtype of ['uint8', 'float32'] as const) {
    for (const [h, w, size] of sizes) {
      const image = randomImage(rng, h, w, 3, dtype);
      add(
        `resize ${interpolation} ${dtype} ${h}x${w}→${size}`,
        image,
        { op: 'resize', size: typeof size === 'number' ? size : [...size], interpolation },
        (img) => resizeImage(img, size, { interpolation }),
      );
    }
  }
}
for (const [h, w, size] of [
  [10, 10, [5, 5]],
  [11, 14, [4, 7]],
  [9, 8, [6, 3]],
  [6, 5, [9, 8]], // larger than the image: padded
  [17, 13, [8, 8]],
] as const) {
  const image = randomImage(rng, h, w, 3, 'uint8');
  add(`center crop ${h}x${w}→${size}`, image, { op: 'center_crop', size: [...size] }, (img) =>
    centerCropImage(img, size),
  );
}
{
  const image = randomImage(rng, 12, 9, 3, 'float32');
  add('crop inside', image, { op: 'crop', top: 2, left: 3, height: 5, width: 4 }, (img) =>
    cropImage(img, 2, 3, 5, 4),
  );
  add('crop outside', image, { op: 'crop', top: -3, left: 6, height: 8, width: 7 }, (img) =>
    cropImage(img, -3, 6, 8, 7),
  );
  add('hflip', image, { op: 'hflip' }, hflipImage);
  for (const mode of ['constant', 'edge', 'reflect', 'symmetric'] as const) {
    add(`pad ${mode}`, image, { op: 'pad', padding: [1, 2, 3, 4], mode, fill: 0 }, (img) =>
      padImage(img, [1, 2, 3, 4], 0, mode),
    );
  }
  add(
    'normalize',
    image,
    { op: 'normalize', mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
    (img) => normalizeImage(img, [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]),
  );
}
for (const dtype of ['uint8', 'float32'] as const) {
  const image = randomImage(rng, 7, 11, 3, dtype);
  for (const factor of [0.3, 1.7]) {
    add(`brightness ${dtype} ${factor}`, image, { op: 'brightness', factor }, (img) =>
      adjustBrightness(img, factor),
    );
    add(`contrast ${dtype} ${factor}`, image, { op: 'contrast', factor }, (img) =>
      adjustContrast(img, factor),
    );
    add(`saturation ${dtype} ${factor}`, image, { op: 'saturation', factor }, (img) =>
      adjustSaturation(img, factor),
    );
  }
  for (const factor of [-0.4, 0.15]) {
    add(`hue ${dtype} ${factor}`, image, { op: 'hue', factor }, (img) => adjustHue(img, factor));
  }
  add(`grayscale ${dtype}`, image, { op: 'grayscale' }, grayscaleImage);
}
{
  const preprocessing = {
    inputSize: [24, 24, 3] as const,
    resizeSize: 27,
    cropFraction: 24 / 27,
    interpolation: 'bilinear' as const,
    mean: [0.485, 0.456, 0.406],
    std: [0.229, 0.224, 0.225],
    channelOrder: 'RGB' as const,
    inputRange: [0, 1] as const,
  };
  const image = randomImage(rng, 40, 33, 3, 'uint8');
  add(
    'preprocessForPretrained = Resize, CenterCrop, ConvertImageDtype, Normalize',
    image,
    {
      op: 'eval_pipeline',
      resize: 27,
      crop: [24, 24],
      interpolation: 'bilinear',
      mean: preprocessing.mean,
      std: preprocessing.std,
    },
    (img) => preprocessForPretrained(preprocessing)(img, new Rng(0)),
  );
  cases[cases.length - 1]!.normalizedBy = Math.min(...preprocessing.std);
}

describe('transforms match torchvision 0.14 (tensor functional API)', () => {
  const results = runPythonJson<PyImage[]>(
    'torchvision_ops.py',
    cases.map((c) => c.py),
  );

  it.each(cases.map((c, i) => [c.name, i] as const))('%s', (_name, i) => {
    const expected = results[i]!;
    const actual = cases[i]!.ours();
    expect([actual.height, actual.width, actual.channels]).toEqual(expected.shape);
    expect(actual.data instanceof Uint8Array ? 'uint8' : 'float32').toBe(expected.dtype);
    // uint8: at most one level; float: 1/255 of the 0–1 range, measured before normalization (a
    // normalized pipeline's output is scaled by 1/std).
    const tolerance = (expected.dtype === 'uint8' ? 1 : 1 / 255) / (cases[i]!.normalizedBy ?? 1);
    let worst = 0;
    expected.data.forEach((v, k) => {
      worst = Math.max(worst, Math.abs(v - actual.data[k]!));
    });
    expect(worst).toBeLessThanOrEqual(tolerance + 1e-6); // float32 slack
  });
});

describe('randomResizedCropBox', () => {
  it('keeps area and aspect ratio within bounds, and falls back to a ratio-clamped center crop', () => {
    const r = new Rng(7);
    for (let k = 0; k < 500; k++) {
      const [top, left, h, w] = randomResizedCropBox(50, 80, [0.08, 1], [3 / 4, 4 / 3], r);
      expect(top >= 0 && left >= 0 && top + h <= 50 && left + w <= 80).toBe(true);
      // Rounding h and w to integers moves the ratio and area a little.
      expect(w / h).toBeGreaterThan((3 / 4) * 0.9);
      expect(w / h).toBeLessThan((4 / 3) * 1.1);
      expect((h * w) / 4000).toBeGreaterThan(0.08 * 0.8);
    }
    // An impossible scale (area > image) always falls back: 10×100 image, ratio ≤ 4/3 → h = 10, w = 13.
    const fallback = randomResizedCropBox(10, 100, [2, 3], [3 / 4, 4 / 3], r);
    expect(fallback).toEqual([0, 43, 10, 13]);
  });
});
