/**
 * `tfzoo predict` and `tfzoo eval` run the inference form by default (batch-norm folded, fused
 * kernels): the same answers as `--no-optimize`, which runs the model as built. resnet18.fmnist
 * has batch-norm after every convolution, so folding changes every one of its weights.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inProcess } from './test/run-cli.js';

const wasm = ['--backend', 'wasm', '--threads', '1'];
let dir: string;
let isTest: boolean;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tfzoo-inference-'));
  // A 28×28 gradient with a bright square: any image works, the two forms must agree on it.
  const pixels = Buffer.alloc(28 * 28);
  for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++) pixels[y * 28 + x] = (x * 9 + y * 3) % 256;
  for (let y = 8; y < 20; y++) for (let x = 6; x < 22; x++) pixels[y * 28 + x] = 250;
  await sharp(pixels, { raw: { width: 28, height: 28, channels: 1 } })
    .png()
    .toFile(join(dir, 'shirt.png'));
  isTest = tf.env().getBool('IS_TEST');
  tf.env().set('IS_TEST', false);
});

afterAll(async () => {
  tf.env().set('IS_TEST', isTest);
  await rm(dir, { recursive: true, force: true });
});

describe('the inference form in the CLI', () => {
  it('predict: the same top-5 and probabilities within 1e-5 as --no-optimize', async () => {
    const args = ['predict', 'resnet18.fmnist', join(dir, 'shirt.png'), '--json', '--backend', 'wasm'];
    const fast = await inProcess(args);
    const plain = await inProcess([...args, '--no-optimize']);
    expect(fast.code, fast.stderr).toBe(0);
    expect(plain.code, plain.stderr).toBe(0);
    type Top = { class: number; probability: number }[];
    const [a] = JSON.parse(fast.stdout) as { top: Top }[];
    const [b] = JSON.parse(plain.stdout) as { top: Top }[];
    expect(a!.top.map((t) => t.class)).toEqual(b!.top.map((t) => t.class));
    a!.top.forEach((t, i) => {
      expect(Math.abs(t.probability - b!.top[i]!.probability)).toBeLessThanOrEqual(1e-5);
    });
  });

  it('eval: the same accuracy and loss within 1e-5 relative as --no-optimize', async () => {
    const args = [
      'eval',
      'resnet18.fmnist',
      '--data',
      'fashion-mnist-sample',
      '--limit',
      '128',
      '--json',
      ...wasm,
    ];
    const fast = await inProcess(args);
    const plain = await inProcess([...args, '--no-optimize']);
    expect(fast.code, fast.stderr).toBe(0);
    expect(plain.code, plain.stderr).toBe(0);
    const a = JSON.parse(fast.stdout) as { samples: number; accuracy: number; top5: number; loss: number };
    const b = JSON.parse(plain.stdout) as typeof a;
    expect(a.samples).toBe(128);
    expect(a.accuracy).toBe(b.accuracy);
    expect(a.top5).toBe(b.top5);
    expect(Math.abs(a.loss - b.loss)).toBeLessThanOrEqual(1e-5 * b.loss);
    expect(a.accuracy).toBeGreaterThan(0.85);
  });
});
