/** DropPath: identity at inference, timm's per-sample mask and rescale in training. */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { DropPath } from './drop-path.js';

describe('DropPath', () => {
  it('is the identity at inference and with rate 0', () => {
    const x = tf.randomNormal([4, 3, 3, 2]);
    for (const [layer, training] of [
      [new DropPath({ rate: 0.5 }), false],
      [new DropPath({ rate: 0 }), true],
    ] as const) {
      const y = layer.apply(x, { training }) as tf.Tensor;
      expect(Array.from(y.dataSync())).toEqual(Array.from(x.dataSync()));
      y.dispose();
    }
    x.dispose();
  });

  it('in training zeroes whole samples or scales them by 1 / keep, keeping the mean', () => {
    const before = tf.memory().numTensors;
    const samples = 4000;
    const x = tf.ones([samples, 2, 2, 3]);
    const y = new DropPath({ rate: 0.25 }).apply(x, { training: true }) as tf.Tensor;
    const perSample = tf.tidy(() => {
      const flat = tf.reshape(y, [samples, 12]);
      return [tf.min(flat, 1).arraySync() as number[], tf.max(flat, 1).arraySync() as number[]];
    });
    const [mins, maxs] = perSample as [number[], number[]];
    let kept = 0;
    mins.forEach((min, i) => {
      expect(min).toBe(maxs[i]); // one decision per sample
      expect([0, 1 / 0.75].some((v) => Math.abs(min - v) < 1e-6)).toBe(true);
      if (min > 0) kept++;
    });
    // Binomial(4000, 0.75): mean 3000, sd ≈ 27; ±150 is > 5 sd.
    expect(Math.abs(kept - 3000)).toBeLessThan(150);
    tf.dispose([x, y]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('without scaleByKeep keeps samples unscaled', () => {
    const x = tf.ones([64, 3]);
    const y = new DropPath({ rate: 0.5, scaleByKeep: false }).apply(x, { training: true }) as tf.Tensor;
    expect(new Set(y.dataSync())).toEqual(new Set([0, 1]));
    tf.dispose([x, y]);
  });
});
