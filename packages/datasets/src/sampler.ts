/**
 * Samplers decide which sample indices an epoch visits, in which order (torch.utils.data's
 * `SequentialSampler`, `RandomSampler`, `WeightedRandomSampler`), plus class balancing for
 * imbalanced data: oversampling minority classes, undersampling majority ones, or drawing with
 * per-class weights. Every sampler is a pure function of `(seed, epoch)`.
 */
import { invalidArgument } from '@tfzoo/core';
import { mixSeed, Rng } from './random.js';

/** Chooses the indices of one epoch. */
export interface Sampler {
  /** The indices to visit in epoch `epoch` (0-based), in order. */
  indices(epoch: number): Int32Array;
  /** How many indices every epoch has. */
  readonly length: number;
}

/** Visits `0 … n-1` in order every epoch. */
export function sequentialSampler(n: number): Sampler {
  if (!Number.isInteger(n) || n < 0) throw invalidArgument('sampler size', n, 'a non-negative integer');
  return {
    length: n,
    indices: () => Int32Array.from({ length: n }, (_, i) => i),
  };
}

/** A fresh seeded permutation of `0 … n-1` every epoch. */
export function randomSampler(n: number, seed = 0): Sampler {
  if (!Number.isInteger(n) || n < 0) throw invalidArgument('sampler size', n, 'a non-negative integer');
  return { length: n, indices: (epoch) => new Rng(mixSeed(seed, epoch, 0x5a3)).permutation(n) };
}

/** Options of {@link weightedRandomSampler}. */
export interface WeightedSamplerOptions {
  /** Number of draws per epoch (default: the number of weights). */
  numSamples?: number;
  /** Draw with replacement (default true, like PyTorch). */
  replacement?: boolean;
  /** Seed (default 0). */
  seed?: number;
}

/**
 * Draws indices with probability proportional to `weights` (torch `WeightedRandomSampler`): with
 * replacement by inverse-CDF sampling, without replacement by Efraimidis–Spirakis keys.
 */
export function weightedRandomSampler(
  weights: ArrayLike<number>,
  options: WeightedSamplerOptions = {},
): Sampler {
  const w = Float64Array.from(weights);
  if (w.length === 0 || !w.every((v) => v >= 0 && Number.isFinite(v)) || !w.some((v) => v > 0)) {
    throw invalidArgument('weights', weights, 'finite non-negative numbers, at least one positive');
  }
  const replacement = options.replacement ?? true;
  const numSamples = options.numSamples ?? w.length;
  if (!Number.isInteger(numSamples) || numSamples < 1) {
    throw invalidArgument('numSamples', numSamples, 'a positive integer');
  }
  const positive = w.reduce((n, v) => n + (v > 0 ? 1 : 0), 0);
  if (!replacement && numSamples > positive) {
    throw invalidArgument(
      'numSamples',
      numSamples,
      `at most ${positive} (samples with positive weight) without replacement`,
    );
  }
  const cumulative = new Float64Array(w.length);
  let total = 0;
  w.forEach((v, i) => {
    total += v;
    cumulative[i] = total;
  });
  const seed = options.seed ?? 0;
  return {
    length: numSamples,
    indices(epoch) {
      const rng = new Rng(mixSeed(seed, epoch, 0x3e1));
      const out = new Int32Array(numSamples);
      if (replacement) {
        for (let k = 0; k < numSamples; k++) {
          const target = rng.next() * total;
          let lo = 0;
          let hi = w.length - 1;
          while (lo < hi) {
            const mid = (lo + hi) >> 1;
            if (cumulative[mid]! > target) hi = mid;
            else lo = mid + 1;
          }
          out[k] = lo;
        }
        return out;
      }
      const keys: { index: number; key: number }[] = [];
      w.forEach((v, index) => {
        if (v > 0) keys.push({ index, key: Math.log(1 - rng.next()) / v });
      });
      keys.sort((a, b) => b.key - a.key);
      for (let k = 0; k < numSamples; k++) out[k] = keys[k]!.index;
      return out;
    },
  };
}

/** How {@link classBalancedSampler} balances classes. */
export type BalanceMode = 'oversample' | 'undersample' | 'weights';

/** Options of {@link classBalancedSampler}. */
export interface ClassBalanceOptions {
  /**
   * `'oversample'`: every class repeated (with fresh draws) up to the largest class's count;
   * `'undersample'`: every class cut to the smallest class's count; `'weights'`: draws with
   * replacement, each sample weighted by its class weight (default `1 / classCount`). Default
   * `'oversample'`.
   */
  mode?: BalanceMode;
  /** Per-class weights for `'weights'` mode (default inverse class frequency). */
  classWeights?: ArrayLike<number>;
  /** Draws per epoch in `'weights'` mode (default: the number of samples). */
  numSamples?: number;
  /** Seed (default 0). */
  seed?: number;
}

/**
 * A sampler that evens out class frequencies. Each epoch is shuffled; which extra (oversampled) or
 * kept (undersampled) samples are chosen changes from epoch to epoch.
 */
export function classBalancedSampler(labels: ArrayLike<number>, options: ClassBalanceOptions = {}): Sampler {
  const mode = options.mode ?? 'oversample';
  const seed = options.seed ?? 0;
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i]!;
    if (!Number.isInteger(label) || label < 0) throw invalidArgument(`labels[${i}]`, label, 'a class index');
    const list = byClass.get(label);
    if (list) list.push(i);
    else byClass.set(label, [i]);
  }
  if (byClass.size === 0) throw invalidArgument('labels', labels, 'at least one label');
  const groups = [...byClass.entries()].sort((a, b) => a[0] - b[0]).map(([, members]) => members);
  if (mode === 'weights') {
    const maxLabel = Math.max(...byClass.keys());
    const classWeights = options.classWeights
      ? Float64Array.from(options.classWeights)
      : Float64Array.from({ length: maxLabel + 1 }, (_, c) =>
          byClass.has(c) ? 1 / byClass.get(c)!.length : 0,
        );
    if (classWeights.length <= maxLabel) {
      throw invalidArgument('classWeights', options.classWeights, `${maxLabel + 1} weights (one per class)`);
    }
    const weights = Float64Array.from({ length: labels.length }, (_, i) => classWeights[labels[i]!]!);
    return weightedRandomSampler(weights, { numSamples: options.numSamples ?? labels.length, seed });
  }
  if (mode !== 'oversample' && mode !== 'undersample') {
    throw invalidArgument('mode', mode, "'oversample', 'undersample' or 'weights'");
  }
  const perClass =
    mode === 'oversample'
      ? Math.max(...groups.map((g) => g.length))
      : Math.min(...groups.map((g) => g.length));
  const length = perClass * groups.length;
  return {
    length,
    indices(epoch) {
      const rng = new Rng(mixSeed(seed, epoch, 0xba1));
      const out = new Int32Array(length);
      let at = 0;
      for (const members of groups) {
        // Whole shuffled copies of the class, then a random part of one more copy.
        let left = perClass;
        while (left > 0) {
          const order = rng.shuffle(members.slice());
          const take = Math.min(left, order.length);
          for (let k = 0; k < take; k++) out[at++] = order[k]!;
          left -= take;
        }
      }
      return rng.shuffle(out);
    },
  };
}
