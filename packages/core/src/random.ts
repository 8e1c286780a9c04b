/**
 * Seeded pseudo-random numbers, the one generator the zoo's packages and tests share.
 *
 * The generator is mulberry32 (Tommy Ettinger's 32-bit generator, public domain): small, fast and
 * good enough for initialization, augmentation and test data; not for cryptography.
 */
import { invalidArgument } from './errors.js';

/**
 * A seeded stream of uniform floats in [0, 1) (mulberry32). The same seed gives the same stream on
 * every platform; only the low 32 bits of `seed` are used.
 *
 * @throws {@link ZooError} `INVALID_ARGUMENT` when `seed` is not a finite number.
 *
 * @example
 * ```ts
 * const random = seededRandom(42);
 * const noise = Float32Array.from({ length: 8 }, () => random() - 0.5);
 * ```
 */
export function seededRandom(seed: number): () => number {
  if (typeof seed !== 'number' || !Number.isFinite(seed))
    throw invalidArgument('seed', seed, 'a finite number');
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Runs `fn` with `Math.random` replaced by a {@link seededRandom} stream, so everything TF.js draws
 * without an explicit seed — initializers of a model built inside `fn`, dropout masks of a training
 * run — is reproducible (like `torch.manual_seed`). `Math.random` is restored when `fn` returns, or
 * when its promise settles if it returns one; with `seed` undefined, `fn` simply runs.
 *
 * `Math.random` is process-wide while `fn` runs: other code running concurrently (between the
 * awaits of an async `fn`) draws from the seeded stream too.
 *
 * @throws {@link ZooError} `INVALID_ARGUMENT` when `seed` is neither undefined nor a finite number.
 *
 * @example
 * ```ts
 * const a = withSeed(1, () => resnet18({ numClasses: 10 }));
 * const b = withSeed(1, () => resnet18({ numClasses: 10 })); // same initial weights as a
 * ```
 */
export function withSeed<T>(seed: number | undefined, fn: () => T): T {
  if (seed === undefined) return fn();
  if (typeof seed !== 'number' || !Number.isFinite(seed))
    throw invalidArgument('seed', seed, 'a finite number');
  const original = Math.random;
  // Seed 0 stands for 0x9e3779b9, as in the CLI's first `--seed`, so recorded runs reproduce.
  Math.random = seededRandom(seed >>> 0 || 0x9e3779b9);
  let result: T;
  try {
    result = fn();
  } catch (error) {
    Math.random = original;
    throw error;
  }
  if (result instanceof Promise) {
    return result.finally(() => {
      Math.random = original;
    }) as T;
  }
  Math.random = original;
  return result;
}
