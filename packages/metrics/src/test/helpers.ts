/** Test helpers: a seeded random source and a runner for the PyTorch reference script. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Mulberry32: a small seeded PRNG so test data are reproducible. */
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

/** Standard normal samples (Box–Muller), rounded to float32 so both sides see the same numbers. */
export function normals(random: () => number, count: number, scale = 1): number[] {
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const u = Math.max(random(), 1e-12);
    const v = random();
    out.push(Math.fround(scale * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v)));
  }
  return out;
}

/**
 * Runs a Python script with `/usr/bin/python3` on a JSON input and returns its JSON output. Set
 * TFZOO_KEEP_PYTHON_IO=1 to keep the temporary in.json/out.json for debugging.
 */
export function runPython<T>(script: string, input: unknown): T {
  const dir = mkdtempSync(join(tmpdir(), 'tfzoo-metrics-'));
  try {
    const inPath = join(dir, 'in.json');
    const outPath = join(dir, 'out.json');
    writeFileSync(inPath, JSON.stringify(input));
    execFileSync('/usr/bin/python3', [script, inPath, outPath], { stdio: ['ignore', 'ignore', 'pipe'] });
    return JSON.parse(readFileSync(outPath, 'utf8')) as T;
  } finally {
    if (process.env.TFZOO_KEEP_PYTHON_IO === undefined) rmSync(dir, { recursive: true, force: true });
  }
}
