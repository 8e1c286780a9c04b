/**
 * The wasm thread count `initBackend('wasm')` asks the thread loader for when none is given: two
 * in Node (or the logical cores, if fewer), one without a loader.
 */
import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_WASM_THREADS, initBackend, registerWasmThreadsLoader } from './backend.js';

afterEach(async () => {
  registerWasmThreadsLoader(null);
  await tf.setBackend('cpu');
});

describe('wasm threads by default', () => {
  it('asks the loader for min(2, logical cores) threads in Node', async () => {
    const asked: number[] = [];
    // A loader that records the count; the single-threaded backend tfjs registers does the work.
    registerWasmThreadsLoader(async (threads) => {
      asked.push(threads);
    });
    await initBackend('wasm');
    expect(asked).toEqual([Math.min(DEFAULT_WASM_THREADS, availableParallelism())]);
    expect(DEFAULT_WASM_THREADS).toBe(2);
  });

  it('keeps an explicit count, and one thread without a loader', async () => {
    const asked: number[] = [];
    registerWasmThreadsLoader(async (threads) => {
      asked.push(threads);
    });
    await initBackend('wasm', { threads: 1 });
    await initBackend('wasm', { threads: 3 });
    expect(asked).toEqual([3]);
    registerWasmThreadsLoader(null);
    await expect(initBackend('wasm')).resolves.toMatchObject({ backend: 'wasm' });
  });
});
