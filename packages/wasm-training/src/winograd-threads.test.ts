/**
 * The Winograd convolution's helper threads (`winograd-threads.ts`) on a real threaded wasm backend:
 * a call the helper has not taken up is withdrawn, so a helper that is gone costs a convolution
 * nothing and its result is still the cpu backend's; a helper's failure comes back with its own
 * message; every call is either taken up or withdrawn.
 */
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@tfzoo/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setWinogradHelpers, wasmThreadsCount, winogradConvolutionCalls } from './index.js';
import { randomValues, relativeError } from './test/random.js';
import { wasmBackendInternals } from './wasm-internals.js';
import { WinogradWorkerHelper } from './winograd-threads.js';

/** A 3×3 convolution (the Winograd path) on the active backend, from seeded values. */
function convolve(): Float32Array {
  return tf.tidy(() => {
    const x = tf.tensor4d(randomValues(1 * 24 * 24 * 16, 1), [1, 24, 24, 16]);
    const filter = tf.tensor4d(randomValues(3 * 3 * 16 * 32, 2), [3, 3, 16, 32]);
    const bias = tf.tensor1d(randomValues(32, 3));
    const y = tf.fused.conv2d({ x, filter, bias, strides: 1, pad: 'same', activation: 'relu' });
    return Float32Array.from(y.dataSync());
  });
}

describe('Winograd helper threads', () => {
  const made: WinogradWorkerHelper[] = [];
  let memory: WebAssembly.Memory | undefined;
  let expected: Float32Array;

  beforeAll(async () => {
    await initBackend('cpu');
    expected = convolve();
    // The package's own factory, keeping what it made: the backend created next gets these.
    setWinogradHelpers((module, shared) => {
      memory = shared;
      const helpers = [new WinogradWorkerHelper(module, shared)];
      made.push(...helpers);
      return helpers;
    });
    await initBackend('wasm', { threads: 2 });
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it('are made for the threaded backend, one for its second thread', () => {
    expect(wasmThreadsCount()).toBe(2);
    const before = winogradConvolutionCalls();
    expect(relativeError(convolve(), expected)).toBeLessThan(1e-5);
    expect(winogradConvolutionCalls() - before).toBe(1);
    expect(made).toHaveLength(1);
  });

  it('account for every call: the helper took it up or it was withdrawn', () => {
    const helper = made[0] as WinogradWorkerHelper;
    const before = helper.counts();
    const calls = winogradConvolutionCalls();
    for (let i = 0; i < 10; i++) expect(relativeError(convolve(), expected)).toBeLessThan(1e-5);
    const after = helper.counts();
    expect(winogradConvolutionCalls() - calls).toBe(10);
    expect(after.taken - before.taken + after.withdrawn - before.withdrawn).toBe(10);
  });

  it('bring a helper failure back with its message', () => {
    const backend = wasmBackendInternals(tf.backend());
    if (backend === undefined || memory === undefined) throw new Error('no threaded wasm backend');
    const counter = backend.wasm._malloc(64);
    const scratch = backend.wasm._malloc(1 << 16);
    try {
      const words = new Int32Array(memory.buffer, counter, 1);
      Atomics.store(words, 0, 0);
      // The input lies past the end of the memory: the helper's first load traps.
      const pastEnd = memory.buffer.byteLength - 16;
      const helper = made[0] as WinogradWorkerHelper;
      helper.start([pastEnd, scratch, 0, scratch, scratch, 8, 8, 4, 8, 16, 4, 0, counter, 1, 4]);
      // Wait until the helper has taken a chunk (it bumps the counter), so that it took the call up.
      const deadline = Date.now() + 20_000;
      while (Atomics.load(words, 0) === 0 && Date.now() < deadline);
      expect(Atomics.load(words, 0)).toBeGreaterThan(0);
      expect(() => helper.finish()).toThrow(
        /the Winograd convolution failed in a helper thread: .*memory access out of bounds/,
      );
    } finally {
      backend.wasm._free(counter);
      backend.wasm._free(scratch);
    }
  });

  it('cost a convolution nothing once gone: calls are withdrawn and the result is the same', () => {
    const helper = made[0] as WinogradWorkerHelper;
    helper.close();
    const before = helper.counts();
    const started = performance.now();
    for (let i = 0; i < 5; i++) expect(relativeError(convolve(), expected)).toBeLessThan(1e-5);
    // Without withdrawal each call would wait for a thread that never answers (120 s).
    expect(performance.now() - started).toBeLessThan(20_000);
    const after = helper.counts();
    expect(after.withdrawn - before.withdrawn).toBe(5);
    expect(after.taken).toBe(before.taken);
  }, 30_000);
});
