/** Seeded random test data, so both sides of a parity test see the same numbers on every run. */

/** Mulberry32: a small seeded PRNG returning uniform numbers in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

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
