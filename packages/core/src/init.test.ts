import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { kaimingNormalFanOut, normalInit, torchDefaultBias, torchDefaultKernel } from './init.js';

function stats(values: Float32Array | Int32Array | Uint8Array): {
  mean: number;
  std: number;
  maxAbs: number;
} {
  let sum = 0;
  let sq = 0;
  let maxAbs = 0;
  for (const v of values) {
    sum += v;
    sq += v * v;
    maxAbs = Math.max(maxAbs, Math.abs(v));
  }
  const mean = sum / values.length;
  return { mean, std: Math.sqrt(sq / values.length - mean * mean), maxAbs };
}

describe('reference initializers', () => {
  it("kaimingNormalFanOut has PyTorch's variance 2 / fan_out", () => {
    // conv kernel [kh, kw, in, out] = [3, 3, 16, 64]: fan_out = 3·3·64 = 576.
    const w = kaimingNormalFanOut(1).apply([3, 3, 16, 64]);
    const { mean, std } = stats(w.dataSync());
    expect(Math.abs(mean)).toBeLessThan(0.003);
    expect(std / Math.sqrt(2 / 576)).toBeCloseTo(1, 1);
    w.dispose();
  });

  it('torchDefaultKernel and torchDefaultBias are U(-1/sqrt(fan_in), 1/sqrt(fan_in))', () => {
    const w = torchDefaultKernel(2).apply([400, 300]);
    const { std, maxAbs } = stats(w.dataSync());
    const limit = 1 / Math.sqrt(400);
    expect(maxAbs).toBeLessThanOrEqual(limit);
    expect(maxAbs).toBeGreaterThan(0.99 * limit);
    expect(std / (limit / Math.sqrt(3))).toBeCloseTo(1, 1);
    const b = torchDefaultBias(400, 3).apply([300]);
    expect(stats(b.dataSync()).maxAbs).toBeLessThanOrEqual(limit);
    tf.dispose([w, b]);
    expect(() => torchDefaultBias(0)).toThrow('fanIn must be a positive integer; received 0');
  });

  it('normalInit has the requested standard deviation', () => {
    const w = normalInit(0.01, 4).apply([200, 200]);
    expect(stats(w.dataSync()).std / 0.01).toBeCloseTo(1, 1);
    w.dispose();
  });
});
