/**
 * Batch-level mixing augmentations with label mixing, following timm's `data/mixup.py` (batch mode):
 * a ratio λ ~ Beta(α, α) per batch, each sample mixed with the batch in reverse order.
 * - mixup (Zhang et al. 2018, arXiv:1710.09412): `x = λ x + (1 - λ) x_flip`, same for targets.
 * - cutmix (Yun et al. 2019, arXiv:1905.04899): a box of area ≈ (1 - λ) of the image is pasted from
 *   the flipped batch; λ is then corrected to the box actually pasted, `1 - box area / image area`.
 */
import { invalidArgument } from '@tfzoo/core';
import { type ArrayBatch, targetsOf } from './batch.js';
import type { Rng } from './random.js';

/** A batch transform: returns a new batch, drawing randomness from `rng`. */
export type BatchTransform = (batch: ArrayBatch, rng: Rng) => ArrayBatch;

/** Options shared by {@link mixup} and {@link cutmix}. */
export interface MixOptions {
  /** α of the Beta(α, α) distribution of the mixing ratio (default 1 for cutmix, 0.2 for mixup). */
  alpha?: number;
  /** Probability of mixing a batch (default 1). */
  p?: number;
  /** Label smoothing applied to the targets before mixing, as timm does (default 0). */
  labelSmoothing?: number;
}

function checkMix(
  name: string,
  options: MixOptions,
  defaultAlpha: number,
): { alpha: number; p: number; smoothing: number } {
  const alpha = options.alpha ?? defaultAlpha;
  const p = options.p ?? 1;
  const smoothing = options.labelSmoothing ?? 0;
  if (!(alpha > 0)) throw invalidArgument(`${name} alpha`, alpha, 'a positive number');
  if (!(p >= 0 && p <= 1)) throw invalidArgument(`${name} p`, p, 'a probability in [0, 1]');
  if (!(smoothing >= 0 && smoothing < 1))
    throw invalidArgument(`${name} labelSmoothing`, smoothing, 'a number in [0, 1)');
  return { alpha, p, smoothing };
}

function smoothedTargets(batch: ArrayBatch, smoothing: number): Float32Array {
  const targets = targetsOf(batch).slice();
  if (smoothing > 0) {
    const off = smoothing / batch.numClasses;
    for (let i = 0; i < targets.length; i++) targets[i] = targets[i]! * (1 - smoothing) + off;
  }
  return targets;
}

function mixTargets(targets: Float32Array, n: number, k: number, lambda: number): Float32Array {
  const out = new Float32Array(targets.length);
  for (let i = 0; i < n; i++) {
    const j = n - 1 - i;
    for (let c = 0; c < k; c++)
      out[i * k + c] = lambda * targets[i * k + c]! + (1 - lambda) * targets[j * k + c]!;
  }
  return out;
}

/** mixup: blends each image and target with those of the batch in reverse order. */
export function mixup(options: MixOptions = {}): BatchTransform {
  const { alpha, p, smoothing } = checkMix('mixup', options, 0.2);
  return (batch, rng) => {
    const targets = smoothedTargets(batch, smoothing);
    if (rng.next() >= p) return { ...batch, targets };
    const lambda = rng.beta(alpha, alpha);
    const [n] = batch.shape;
    const per = batch.x.length / n;
    const x = new Float32Array(batch.x.length);
    for (let i = 0; i < n; i++) {
      const j = n - 1 - i;
      for (let e = 0; e < per; e++)
        x[i * per + e] = lambda * batch.x[i * per + e]! + (1 - lambda) * batch.x[j * per + e]!;
    }
    return { ...batch, x, targets: mixTargets(targets, n, batch.numClasses, lambda) };
  };
}

/**
 * The cutmix box `[top, bottom, left, right]` (end-exclusive) for ratio `lambda`, as timm's
 * `rand_bbox`: side lengths `int(size * sqrt(1 - lambda))`, a uniformly drawn center, clipped.
 */
export function cutmixBox(
  height: number,
  width: number,
  lambda: number,
  rng: Rng,
): [number, number, number, number] {
  const ratio = Math.sqrt(1 - lambda);
  const cutH = Math.trunc(height * ratio);
  const cutW = Math.trunc(width * ratio);
  const cy = rng.int(0, height);
  const cx = rng.int(0, width);
  const clip = (v: number, max: number): number => Math.min(Math.max(v, 0), max);
  return [
    clip(cy - (cutH >> 1), height),
    clip(cy + (cutH >> 1), height),
    clip(cx - (cutW >> 1), width),
    clip(cx + (cutW >> 1), width),
  ];
}

/** cutmix: pastes a random box from the batch in reverse order; targets mixed by the pasted area. */
export function cutmix(options: MixOptions = {}): BatchTransform {
  const { alpha, p, smoothing } = checkMix('cutmix', options, 1);
  return (batch, rng) => {
    const targets = smoothedTargets(batch, smoothing);
    if (rng.next() >= p) return { ...batch, targets };
    const [n, height, width, channels] = batch.shape;
    const [top, bottom, left, right] = cutmixBox(height, width, rng.beta(alpha, alpha), rng);
    const lambda = 1 - ((bottom - top) * (right - left)) / (height * width);
    const x = batch.x.slice();
    const per = height * width * channels;
    for (let i = 0; i < n; i++) {
      const j = n - 1 - i;
      for (let y = top; y < bottom; y++) {
        const from = j * per + (y * width + left) * channels;
        x.set(
          batch.x.subarray(from, from + (right - left) * channels),
          i * per + (y * width + left) * channels,
        );
      }
    }
    return { ...batch, x, targets: mixTargets(targets, n, batch.numClasses, lambda) };
  };
}

/** Applies one of several batch transforms, chosen at random per batch (timm's mixup/cutmix switch). */
export function randomChoice(
  transforms: readonly BatchTransform[],
  probabilities?: readonly number[],
): BatchTransform {
  if (transforms.length === 0)
    throw invalidArgument('transforms', transforms, 'at least one batch transform');
  const probs = probabilities ?? transforms.map(() => 1 / transforms.length);
  if (probs.length !== transforms.length || !probs.every((v) => v >= 0)) {
    throw invalidArgument('probabilities', probabilities, `${transforms.length} non-negative numbers`);
  }
  const total = probs.reduce((a, b) => a + b, 0);
  return (batch, rng) => {
    let u = rng.next() * total;
    for (let i = 0; i < transforms.length; i++) {
      u -= probs[i]!;
      if (u < 0) return transforms[i]!(batch, rng);
    }
    return transforms[transforms.length - 1]!(batch, rng);
  };
}
