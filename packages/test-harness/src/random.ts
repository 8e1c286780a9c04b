/**
 * Seeded random test data, so both sides of a parity test see the same numbers on every run. The
 * generator is core's `seededRandom` (mulberry32).
 */

export { seededRandom } from '@tfzoo/core';

/** `count` standard normal samples times `scale` (Box–Muller), rounded to float32. */
export function normals(random: () => number, count: number, scale = 1): number[] {
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const u = Math.max(random(), 1e-12);
    const v = random();
    out.push(Math.fround(scale * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v)));
  }
  return out;
}
