import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from './main.js';

afterAll(async () => {
  await tf.setBackend('cpu');
});

describe('choose-backend example', () => {
  it('falls past a backend that is not installed to wasm, says why, and agrees with cpu', async () => {
    const before = tf.memory().numTensors;
    // tfjs-node is not installed in CI (its install step downloads libtensorflow): it must fail with a reason.
    const result = await run(['tensorflow', 'wasm', 'cpu']);
    expect(result.backend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(result.attempts.map((a) => [a.backend, a.ok])).toEqual([
      ['tensorflow', false],
      ['wasm', true],
    ]);
    expect(result.attempts[0]?.reason).toMatch(/\S/);
    expect(result.maxDifferenceFromCpu).toBeLessThan(1e-4);
    expect(result.forwardMs).toBeGreaterThan(0);
    expect(tf.memory().numTensors).toBe(before);
  });
});
