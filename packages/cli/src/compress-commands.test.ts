/**
 * `tfzoo prune`, `quantize` and `distill`, spawned as a user runs them (build first:
 * `npx tsc -b packages/cli`), on a few images per class of Debian's Fashion-MNIST.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tfl from '@tensorflow/tfjs-layers';
import { tfjsFileHandler } from '@tfzoo/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, inProcess, tfzoo } from './test/run-cli.js';

const SMALL = [
  '--data',
  'fashion-mnist',
  '--per-class',
  '20',
  '--batch-size',
  '50',
  '--epochs',
  '1',
  '--threads',
  '1',
];
const EVAL = ['--data', 'fashion-mnist', '--limit', '1000', '--json', '--threads', '1'];

let dir: string;
beforeAll(async () => {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run npx tsc -b packages/cli first`);
  dir = await mkdtemp(join(tmpdir(), 'tfzoo-compress-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('clean errors', () => {
  it('sparsity outside [0, 1), an unknown dtype, teacher and student class counts that differ', async () => {
    for (const sparsity of ['1', '-0.1', 'half']) {
      const result = await inProcess([
        'prune',
        'lenet5.fmnist',
        `--sparsity=${sparsity}`,
        '--out',
        join(dir, 'x'),
      ]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`--sparsity must be a fraction in [0, 1)`);
    }
    const missing = await inProcess(['prune', 'lenet5.fmnist', '--out', join(dir, 'x')]);
    expect(missing.stderr).toContain('--sparsity');
    const dtype = await inProcess(['quantize', 'lenet5.fmnist', join(dir, 'q'), '--dtype', 'int4']);
    expect(dtype.code).toBe(2);
    expect(dtype.stderr).toContain('--dtype must be int8 or float16; received "int4"');
    const classes = await inProcess([
      'distill',
      '--teacher',
      'lenet5.fmnist',
      '--student',
      'lenet5',
      '--num-classes',
      '5',
      ...SMALL,
      '--out',
      join(dir, 'd'),
    ]);
    expect(classes.code).toBe(2);
    expect(classes.stderr).toContain('the teacher outputs 10 classes but the student 5');
    expect(classes.stderr).not.toMatch(/^\s+at /m);
  });
});

describe('prune → eval, quantize → eval, distill', () => {
  it('prune writes model.safetensors at the sparsity asked for, which tfzoo eval loads', async () => {
    const out = join(dir, 'pruned');
    const result = await tfzoo([
      'prune',
      'lenet5.fmnist',
      '--sparsity',
      '0.5',
      '--schedule',
      'polynomial',
      ...SMALL,
      '--out',
      out,
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/pruning: step \d+, sparsity 50\.0%/);
    const report = JSON.parse(await readFile(join(out, 'sparsity.json'), 'utf8'));
    for (const w of report.weights) expect(w.sparsity).toBeCloseTo(0.5, 2);
    const evaluated = await tfzoo([
      'eval',
      'lenet5.fmnist',
      '--weights',
      join(out, 'model.safetensors'),
      ...EVAL,
    ]);
    expect(evaluated.code, evaluated.stderr).toBe(0);
    expect(JSON.parse(evaluated.stdout).accuracy).toBeGreaterThan(0.5);
  });

  it('prune --filters builds the smaller LeNet-5 (on wasm), fine-tunes it and writes it as a TF.js model', async () => {
    const out = join(dir, 'filters');
    const result = await tfzoo(['prune', 'lenet5.fmnist', '--filters', '0.5', ...SMALL, '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('backend: wasm');
    expect(result.stderr).toContain('filter pruning: 61706 → 35820 parameters');
    const model = await tfl.loadLayersModel(tfjsFileHandler(join(out, 'model.json')));
    expect(model.countParams()).toBe(35820);
    model.dispose();
  });

  it('quantize writes a TF.js int8 model that tfzoo eval evaluates like the float32 one', async () => {
    const out = join(dir, 'int8');
    const result = await tfzoo(['quantize', 'lenet5.fmnist', out, '--dtype', 'int8', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const sizes = JSON.parse(result.stdout).sizes;
    expect(sizes.tfjs.bytes / sizes.float32.bytes).toBeLessThan(0.3);
    const quantized = JSON.parse(
      (await tfzoo(['eval', 'lenet5.fmnist', '--weights', join(out, 'model.json'), ...EVAL])).stdout,
    );
    const dense = JSON.parse((await tfzoo(['eval', 'lenet5.fmnist', ...EVAL])).stdout);
    expect(Math.abs(quantized.accuracy - dense.accuracy)).toBeLessThan(0.01);
  });

  it('distill trains a student from a teacher and writes its weights', async () => {
    const out = join(dir, 'distilled');
    const result = await tfzoo([
      'distill',
      '--teacher',
      'lenet5.fmnist',
      '--student',
      'lenet5',
      '--temperature',
      '4',
      '--alpha',
      '0.2',
      ...SMALL,
      '--out',
      out,
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(
      'teacher lenet5.fmnist (frozen, inference mode), T 4, alpha 0.2, logits kept per image after the first epoch',
    );
    expect(existsSync(join(out, 'model.safetensors'))).toBe(true);
    expect(existsSync(join(out, 'last', 'manifest.json'))).toBe(true);
  });
});
