import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { seededRandom, withSeed } from './random.js';

function smallModel(): tfl.LayersModel {
  const input = tfl.input({ shape: [4] });
  const hidden = tfl.layers.dense({ units: 3, activation: 'relu' }).apply(input) as tfl.SymbolicTensor;
  const output = tfl.layers.dense({ units: 2 }).apply(hidden) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: output });
}

function weightValues(model: tfl.LayersModel): number[] {
  return model.getWeights().flatMap((w) => Array.from(w.dataSync()));
}

describe('seededRandom', () => {
  it('repeats its stream for a seed, differs between seeds, and uses the low 32 bits', () => {
    const take = (random: () => number) => Array.from({ length: 5 }, random);
    expect(take(seededRandom(3))).toEqual(take(seededRandom(3)));
    expect(take(seededRandom(3))).not.toEqual(take(seededRandom(4)));
    expect(take(seededRandom(3 + 2 ** 32))).toEqual(take(seededRandom(3)));
  });

  it('refuses a seed that is not a finite number, naming what it got', () => {
    expect(() => seededRandom(Number.NaN)).toThrow(/seed must be a finite number.*received NaN/s);
    expect(() => withSeed(Number.POSITIVE_INFINITY, () => 1)).toThrow(
      /seed must be a finite number.*received Infinity/s,
    );
    expect(() => withSeed('3' as unknown as number, () => 1)).toThrow(/finite number/);
  });

  it('is uniform on [0, 1): every value in range, each tenth holds about a tenth (chi-square)', () => {
    const random = seededRandom(11);
    const bins = new Array<number>(10).fill(0);
    const count = 100_000;
    let outside = 0;
    for (let i = 0; i < count; i++) {
      const value = random();
      if (!(value >= 0 && value < 1)) outside++;
      else bins[Math.floor(value * 10)]! += 1;
    }
    expect(outside).toBe(0);
    const expected = count / 10;
    const chiSquare = bins.reduce((sum, observed) => sum + (observed - expected) ** 2 / expected, 0);
    expect(chiSquare).toBeLessThan(27.9); // 99.9th percentile of chi-square with 9 degrees of freedom
  });
});

describe('withSeed', () => {
  it('gives a model built inside it the same initial weights for the same seed', () => {
    const a = withSeed(1, smallModel);
    const b = withSeed(1, smallModel);
    const c = withSeed(2, smallModel);
    expect(weightValues(a)).toEqual(weightValues(b));
    expect(weightValues(a)).not.toEqual(weightValues(c));
    for (const model of [a, b, c]) model.dispose();
  });

  it('seeds TF.js ops without a seed, and restores Math.random after returning or throwing', () => {
    const original = Math.random;
    const draw = () => tf.tidy(() => Array.from(tf.randomNormal([4]).dataSync()));
    expect(withSeed(5, draw)).toEqual(withSeed(5, draw));
    expect(Math.random).toBe(original);
    expect(() =>
      withSeed(5, () => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(Math.random).toBe(original);
    expect(withSeed(undefined, () => Math.random)).toBe(original);
  });

  it('keeps Math.random seeded until a returned promise settles', async () => {
    const original = Math.random;
    let inside: () => number = original;
    const done = withSeed(9, async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      inside = Math.random;
      return Math.random();
    });
    expect(Math.random).not.toBe(original);
    const first = await done;
    expect(inside).not.toBe(original);
    expect(Math.random).toBe(original);
    expect(first).toBe(seededRandom(9)());
    await expect(withSeed(9, async () => Promise.reject(new Error('late')))).rejects.toThrow('late');
    expect(Math.random).toBe(original);
  });

  it('maps seed 0 to a fixed non-zero state, as the CLI always has', () => {
    expect(withSeed(0, () => Math.random())).toBe(seededRandom(0x9e3779b9)());
  });
});
