import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from './main.js';

const root = mkdtempSync(join(tmpdir(), 'tfzoo-finetune-'));
afterAll(async () => {
  rmSync(root, { recursive: true, force: true });
  tf.env().set('IS_TEST', true);
  await tf.setBackend('cpu');
});

/** A folder of 40×40 PNGs: `bright` images are light, `dark` ones dark, each with seeded noise. */
beforeAll(async () => {
  // Training convolutions on the pure-JS cpu backend takes seconds per step; wasm (with the
  // gradient kernels @tfzoo/wasm-training adds, imported by main.ts) takes milliseconds.
  await tf.setBackend('wasm');
  // tfjs's IS_TEST bookkeeping check (set by vitest.setup.ts) trips on the wasm backend inside the
  // gradient of fusedMatMul ("internal memory leak (4 data ids)") although no tensor leaks; this
  // file turns the check off and asserts tf.memory().numTensors instead.
  tf.env().set('IS_TEST', false);
  let seed = 1;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  for (const [name, base] of [
    ['bright', 190],
    ['dark', 40],
  ] as const) {
    mkdirSync(join(root, name));
    for (let i = 0; i < 16; i++) {
      const pixels = Buffer.alloc(40 * 40 * 3);
      for (let p = 0; p < pixels.length; p++) pixels[p] = Math.round(base + (random() - 0.5) * 60);
      await sharp(pixels, { raw: { width: 40, height: 40, channels: 3 } })
        .png()
        .toFile(join(root, name, `${i}.png`));
    }
  }
});

describe('finetune-folder example', () => {
  it('learns a two-class image folder (lenet5 at 32×32, no download) and classifies held-out images', async () => {
    const before = tf.memory().numTensors;
    const result = await run({
      root,
      arch: 'lenet5',
      pretrained: false,
      inputSize: 32,
      modelOptions: { activation: 'relu', subsampling: 'max' },
      epochs: 8,
      batchSize: 8,
      learningRate: 3e-3,
      // Seeded: unseeded, one CI run in many started from an init that stayed at chance (4/8). Seeds
      // 0–11 all reach 8/8 here, so the bound below is not tuned to this one seed.
      seed: 0,
    });
    expect(result.classes).toEqual(['bright', 'dark']);
    expect(result.validationSize).toBe(8); // a quarter of each class
    expect(result.losses).toHaveLength(8);
    expect(result.losses.at(-1)).toBeLessThan(result.losses[0] as number);
    expect(result.validationAccuracy).toBeGreaterThanOrEqual(0.875);
    // LeNet-5 with 3 input channels and 2 classes: 6·(75+1) + 2416 + 48120 + 10164 + 84·2+2.
    expect(result.trainableParams).toBe(456 + 2416 + 48120 + 10164 + 170);
    result.model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
