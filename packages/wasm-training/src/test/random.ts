/** Deterministic test data from the harness's seeded generator (mulberry32), and an error measure. */
import { seededRandom } from '@tfzoo/test-harness';

/** `size` seeded uniform values in [-1, 1). */
export function randomValues(size: number, seed: number): Float32Array {
  const next = seededRandom(seed);
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = next() * 2 - 1;
  return out;
}

/** Largest |a − b| divided by the largest |b| (0 when both are all zero). */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) {
    throw new Error(`length ${actual.length} differs from the expected ${expected.length}`);
  }
  let maxDiff = 0;
  let maxRef = 0;
  for (let i = 0; i < expected.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs(actual[i]! - expected[i]!));
    maxRef = Math.max(maxRef, Math.abs(expected[i]!));
  }
  return maxRef === 0 ? maxDiff : maxDiff / maxRef;
}
