/**
 * Seeded pseudo-random numbers for reproducible augmentation and sampling.
 *
 * The generator is core's `seededRandom` (mulberry32); seeds for a sample
 * are derived by hashing `(seed, epoch, position)` with the murmur3 finalizer, so every sample of
 * every epoch gets its own independent, reproducible stream no matter how work is scheduled.
 */
import { invalidArgument, seededRandom } from '@tfzoo/core';

/** Mixes integers into one 32-bit seed (murmur3's finalizer applied after each part). */
export function mixSeed(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const part of parts) {
    h ^= Math.trunc(part) >>> 0;
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    h ^= h >>> 16;
    // Fold in the high bits of large parts too.
    h ^= Math.floor(Math.abs(part) / 4294967296) >>> 0;
  }
  return h >>> 0;
}

/** A seeded random stream (core's `seededRandom`) with the distributions the transforms and samplers need. */
export class Rng {
  private readonly uniformStream: () => number;
  private spareNormal: number | undefined;

  /** Starts a stream from a 32-bit integer seed. */
  constructor(seed: number) {
    if (typeof seed !== 'number' || !Number.isFinite(seed)) {
      throw invalidArgument('seed', seed, 'a finite number');
    }
    this.uniformStream = seededRandom(mixSeed(seed));
  }

  /** A uniform float in [0, 1). */
  next(): number {
    return this.uniformStream();
  }

  /** A uniform float in [low, high). */
  uniform(low: number, high: number): number {
    return low + (high - low) * this.next();
  }

  /** A uniform integer in [low, high) (like `torch.randint(low, high)`). */
  int(low: number, high: number): number {
    return low + Math.floor(this.next() * (high - low));
  }

  /** A standard normal sample (Box–Muller). */
  normal(): number {
    if (this.spareNormal !== undefined) {
      const value = this.spareNormal;
      this.spareNormal = undefined;
      return value;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const radius = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = radius * Math.sin(2 * Math.PI * v);
    return radius * Math.cos(2 * Math.PI * v);
  }

  /** A Gamma(shape, 1) sample (Marsaglia–Tsang; boosted for shape < 1). */
  gamma(shape: number): number {
    if (!(shape > 0)) throw invalidArgument('gamma shape', shape, 'a positive number');
    if (shape < 1) return this.gamma(shape + 1) * this.next() ** (1 / shape);
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number;
      let v: number;
      do {
        x = this.normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = this.next();
      if (u < 1 - 0.0331 * x ** 4) return d * v;
      if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
    }
  }

  /** A Beta(a, b) sample, as mixup and cutmix draw their mixing ratio. */
  beta(a: number, b: number): number {
    const x = this.gamma(a);
    const y = this.gamma(b);
    return x / (x + y);
  }

  /** A uniformly random permutation of `0 … n-1` (Fisher–Yates). */
  permutation(n: number): Int32Array {
    const order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    this.shuffle(order);
    return order;
  }

  /** Shuffles an array in place (Fisher–Yates) and returns it. */
  shuffle<T extends { length: number; [index: number]: number }>(values: T): T {
    for (let i = values.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const tmp = values[i]!;
      values[i] = values[j]!;
      values[j] = tmp;
    }
    return values;
  }
}
