/**
 * Test helper: runs PyTorch (Debian's `/usr/bin/python3` with torch) on a batch of parity cases in
 * one process and returns its results. Missing torch fails the calling test; it never skips.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { seededRandom } from '@tfzoo/core';

/** A tensor as plain data. */
export interface TensorData {
  shape: number[];
  data: number[];
}

/** One parity case for `torch_parity.py`. */
export interface TorchCase {
  id: string;
  kind: string;
  config?: Record<string, unknown>;
  x: TensorData;
  dy: TensorData;
  weights?: Record<string, TensorData>;
}

/** PyTorch's answer for one case, in TF.js layouts. */
export interface TorchResult {
  id: string;
  y: TensorData;
  dx: number[];
  grads: Record<string, number[]>;
}

const script = fileURLToPath(new URL('./torch_parity.py', import.meta.url));

/** Runs every case through PyTorch in a single python process. */
export function runTorch(cases: TorchCase[]): Map<string, TorchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'tfzoo-layers-'));
  try {
    const input = join(dir, 'cases.json');
    const output = join(dir, 'results.json');
    writeFileSync(input, JSON.stringify(cases));
    execFileSync('/usr/bin/python3', [script, input, output], { stdio: ['ignore', 'ignore', 'pipe'] });
    const parsed = JSON.parse(readFileSync(output, 'utf8')) as { results: TorchResult[] };
    return new Map(parsed.results.map((r) => [r.id, r]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Deterministic standard-normal samples (core's `seededRandom` + Box–Muller, both outputs used). */
export function randomNormal(count: number, seed: number, scale = 1): number[] {
  const uniform = seededRandom(seed);
  const out: number[] = [];
  while (out.length < count) {
    const u = Math.max(uniform(), 1e-12);
    const v = uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    out.push(r * Math.cos(2 * Math.PI * v) * scale, r * Math.sin(2 * Math.PI * v) * scale);
  }
  return out.slice(0, count).map((value) => Math.fround(value));
}

/** Largest absolute difference and the reference's largest magnitude. */
export function maxError(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
): { error: number; scale: number } {
  if (actual.length !== expected.length) {
    throw new Error(`length mismatch: ${actual.length} vs ${expected.length}`);
  }
  let error = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    error = Math.max(error, Math.abs((actual[i] as number) - (expected[i] as number)));
    scale = Math.max(scale, Math.abs(expected[i] as number));
  }
  return { error, scale };
}
