/**
 * `Variable.assign` in place on the wasm heap: the values land in the variable's own buffer, XNNPACK
 * never multiplies by a packed copy of the old values, and a buffer something else reads is left
 * alone.
 */
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@tfzoo/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assignInPlace } from './index.js';
import { randomValues, relativeError } from './test/random.js';

/** The heap offset of a tensor's buffer (tfjs-backend-wasm's own debugging accessor). */
function offset(t: tf.Tensor): number {
  return (tf.backend() as unknown as { getMemoryOffset(dataId: object): number }).getMemoryOffset(t.dataId);
}

/** A variable holding `values` alone (the initial tensor released, so its buffer is not shared). */
function variableOf(values: Float32Array, shape: number[]): tf.Variable {
  const initial = tf.tensor(values, shape);
  const v = tf.variable(initial);
  initial.dispose();
  return v;
}

const xValues = randomValues(2 * 6 * 6 * 3, 1);
const filterValues = randomValues(3 * 3 * 3 * 4, 2);
const update = randomValues(3 * 3 * 3 * 4, 3);

/** conv2d(x, filter) on the cpu backend: the reference. */
async function cpuConv(filter: Float32Array): Promise<Float32Array> {
  const backend = tf.getBackend();
  await tf.setBackend('cpu');
  const y = tf.tidy(() =>
    tf.conv2d(tf.tensor4d(xValues, [2, 6, 6, 3]), tf.tensor4d(filter, [3, 3, 3, 4]), 1, 'same'),
  );
  const values = (await y.data()) as Float32Array;
  y.dispose();
  await tf.setBackend(backend);
  return values;
}

beforeAll(async () => {
  await initBackend('wasm', { threads: 1 });
});

afterAll(async () => {
  await tf.setBackend('cpu');
});

describe('Variable.assign on wasm', () => {
  it('writes into the buffer it has, and a convolution uses the new values (no stale packed filter)', async () => {
    const x = tf.tensor4d(xValues, [2, 6, 6, 3]);
    const filter = variableOf(filterValues, [3, 3, 3, 4]);
    const at = offset(filter);
    const dataId = filter.dataId;
    // A first convolution caches XNNPACK's operator, with its packed copy of the filter.
    tf.dispose(tf.conv2d(x, filter as tf.Tensor4D, 1, 'same'));
    const before = tf.memory();
    const next = tf.tidy(() => tf.add(filter, tf.tensor4d(update, [3, 3, 3, 4])));
    filter.assign(next);
    next.dispose();
    expect(tf.memory().numTensors).toBe(before.numTensors);
    expect(tf.memory().numBytes).toBe(before.numBytes);
    expect(filter.dataId).toBe(dataId);
    expect(offset(filter)).toBe(at);
    const expected = filterValues.map((v, i) => v + update[i]!);
    expect(relativeError((await filter.data()) as Float32Array, expected)).toBe(0);
    const y = tf.conv2d(x, filter as tf.Tensor4D, 1, 'same');
    expect(relativeError((await y.data()) as Float32Array, await cpuConv(expected))).toBeLessThan(1e-6);
    tf.dispose([x, filter, y]);
  });

  it('leaves a shared buffer alone: a clone keeps the old values', async () => {
    const filter = variableOf(filterValues, [3, 3, 3, 4]);
    const copy = tf.clone(filter); // shares the buffer on wasm (this package's Identity)
    const next = tf.tensor4d(update, [3, 3, 3, 4]);
    expect(assignInPlace(filter, next)).toBe(false);
    filter.assign(next);
    next.dispose();
    expect(relativeError((await copy.data()) as Float32Array, filterValues)).toBe(0);
    expect(relativeError((await filter.data()) as Float32Array, update)).toBe(0);
    tf.dispose([filter, copy]);
  });

  it('refuses another type or shape as tfjs-core does, and does nothing on the cpu backend', async () => {
    const v = tf.variable(tf.zeros([4]));
    expect(assignInPlace(v, tf.zeros([2, 2]))).toBe(false);
    expect(() => v.assign(tf.zeros([2, 2]))).toThrow(
      /shape of the new value \(2,2\) and previous value \(4\) must match/,
    );
    expect(() => v.assign(tf.zeros([4], 'int32'))).toThrow(/dtype of the new value \(int32\)/);
    v.dispose();
    await tf.setBackend('cpu');
    const w = tf.variable(tf.zeros([4]));
    const ones = tf.ones([4]);
    expect(assignInPlace(w, ones)).toBe(false);
    w.assign(ones);
    expect(w.dataId).toBe(ones.dataId); // tfjs-core's own assign: the variable takes the buffer
    tf.dispose([w, ones]);
    await initBackend('wasm', { threads: 1 });
  });

  it('an SGD step keeps every weight where it was and gives tfjs-core’s values', async () => {
    const kernel = variableOf(randomValues(8 * 5, 4), [8, 5]);
    const bias = variableOf(randomValues(5, 5), [5]);
    const x = tf.tensor2d(randomValues(3 * 8, 6), [3, 8]);
    const offsets = [offset(kernel), offset(bias)];
    const optimizer = tf.train.sgd(0.1);
    const start = tf.memory().numTensors;
    const losses: number[] = [];
    for (let step = 0; step < 3; step++) {
      const loss = optimizer.minimize(
        () => tf.sum(tf.square(tf.add(tf.matMul(x, kernel), bias))) as tf.Scalar,
        true,
      )!;
      losses.push((await loss.data())[0]!);
      loss.dispose();
    }
    expect(tf.memory().numTensors).toBe(start);
    expect([offset(kernel), offset(bias)]).toEqual(offsets);
    const finalKernel = (await kernel.data()) as Float32Array;
    // The same three steps on the cpu backend (tfjs-core's assign).
    await tf.setBackend('cpu');
    const k2 = variableOf(randomValues(8 * 5, 4), [8, 5]);
    const b2 = variableOf(randomValues(5, 5), [5]);
    const x2 = tf.tensor2d(randomValues(3 * 8, 6), [3, 8]);
    const sgd = tf.train.sgd(0.1);
    const cpuLosses: number[] = [];
    for (let step = 0; step < 3; step++) {
      const loss = sgd.minimize(() => tf.sum(tf.square(tf.add(tf.matMul(x2, k2), b2))) as tf.Scalar, true)!;
      cpuLosses.push((await loss.data())[0]!);
      loss.dispose();
    }
    const cpuKernel = (await k2.data()) as Float32Array;
    tf.dispose([k2, b2, x2]);
    sgd.dispose();
    await initBackend('wasm', { threads: 1 });
    expect(losses[2]).toBeLessThan(losses[0]!);
    for (let i = 0; i < 3; i++)
      expect(Math.abs(losses[i]! - cpuLosses[i]!)).toBeLessThan(1e-5 * cpuLosses[i]!);
    expect(relativeError(finalKernel, cpuKernel)).toBeLessThan(1e-5);
    tf.dispose([kernel, bias, x]);
    optimizer.dispose();
  });
});
