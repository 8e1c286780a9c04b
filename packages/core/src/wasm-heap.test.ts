/**
 * A full wasm heap gives a ZooError (OUT_OF_MEMORY) instead of tfjs-backend-wasm's unchecked
 * `malloc` returning address 0. The real backend: two 2.5 GiB buffers, allocated but never written
 * (so the heap's growth commits no memory), and one tensor of 4 GiB; then the backend is still usable.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { initBackend } from './backend.js';
import { ZooError } from './errors.js';
import { guardWasmHeap, surfaceTimedKernelErrors, wasmHeapBytes } from './wasm-heap.js';

afterAll(async () => {
  await tf.setBackend('cpu');
});

describe('guardWasmHeap', () => {
  it('turns an allocation the heap cannot hold into OUT_OF_MEMORY, and the backend goes on', async () => {
    await initBackend('wasm', { threads: 1 });
    const backend = tf.backend() as unknown as {
      makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
      disposeData(dataId: object): void;
    };
    // Allocated but never written, so the grown heap commits no memory: 2.5 GiB, then 2.5 GiB more.
    const first = backend.makeOutput([640, 1024, 1024], 'float32');
    const caught = (make: () => unknown): ZooError => {
      try {
        make();
      } catch (e) {
        return e as ZooError;
      }
      throw new Error('expected the allocation to fail');
    };
    const full = caught(() => backend.makeOutput([640, 1024, 1024], 'float32'));
    expect(full).toBeInstanceOf(ZooError);
    expect(full.code).toBe('OUT_OF_MEMORY');
    expect(full.message).toMatch(
      /^the wasm heap cannot hold 2\.50 GiB more \(heap 2\.\d\d GiB of at most 4\.00 GiB\)/,
    );
    expect(full.received).toBe(640 * 1024 * 1024 * 4);
    backend.disposeData(first.dataId);
    // 4 GiB or more at once: refused before malloc, whose 32-bit size would wrap around.
    const huge = caught(() => tf.zeros([1024, 1024, 1024]));
    expect(huge.code).toBe('OUT_OF_MEMORY');
    expect(huge.message).toMatch(/cannot hold 4\.00 GiB more/);
    // Nothing was written at address 0: a small computation still gives the right numbers.
    const y = tf.add(tf.tensor1d([1, 2, 3]), tf.tensor1d([10, 20, 30]));
    expect(Array.from(await y.data())).toEqual([11, 22, 33]);
    tf.dispose(y);
  });

  it('is idempotent and leaves other backends alone', async () => {
    await initBackend('wasm', { threads: 1 });
    const backend = tf.backend();
    const malloc = (backend as unknown as { wasm: { _malloc: unknown } }).wasm._malloc;
    expect(guardWasmHeap(backend)).toBe(true);
    expect((backend as unknown as { wasm: { _malloc: unknown } }).wasm._malloc).toBe(malloc);
    await tf.setBackend('cpu');
    expect(guardWasmHeap(tf.backend())).toBe(false);
    expect(guardWasmHeap(null)).toBe(false);
  });
});

describe('wasmHeapBytes', () => {
  it('is the heap that a tensor grew, counted once however many tensors view the buffer', async () => {
    await initBackend('wasm', { threads: 1 });
    const values = 64 * 2 ** 20; // 256 MiB of float32, allocated but never written
    const backend = tf.backend() as unknown as {
      makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
      disposeData(dataId: object): void;
    };
    const output = backend.makeOutput([values], 'float32');
    const heap = wasmHeapBytes(tf.backend());
    expect(heap).toBeGreaterThanOrEqual(values * 4);
    expect(heap).toBeLessThanOrEqual(2 ** 32);
    // Ten views of one buffer: tf.memory() counts ten buffers' bytes, the heap stays as it was.
    const t = tf.engine().makeTensorFromTensorInfo(output);
    const views = Array.from({ length: 9 }, () => tf.reshape(t, [values]));
    expect(tf.memory().numBytes).toBeGreaterThanOrEqual(10 * values * 4);
    expect(wasmHeapBytes(tf.backend())).toBe(heap);
    tf.dispose([t, ...views]);
    await tf.setBackend('cpu');
    expect(wasmHeapBytes(tf.backend())).toBeUndefined();
    expect(wasmHeapBytes(undefined)).toBeUndefined();
  });
});

describe('surfaceTimedKernelErrors', () => {
  it('lets tf.profile reject with the kernel’s own error on wasm, not a TypeError', async () => {
    await initBackend('wasm', { threads: 1 }); // installs it
    expect(surfaceTimedKernelErrors(tf.backend())).toBe(true); // idempotent
    const unhandled: unknown[] = [];
    const listener = (reason: unknown): void => {
      unhandled.push(reason);
    };
    process.on('unhandledRejection', listener);
    try {
      // A 16 GiB tile: the heap guard throws OUT_OF_MEMORY inside the profiled kernel.
      const error = await tf
        .profile(() => tf.tidy(() => tf.tile(tf.ones([8]), [2 ** 29])))
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(error).toBeInstanceOf(ZooError);
      expect((error as ZooError).code).toBe('OUT_OF_MEMORY');
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).toEqual([]);
      // The timer still times.
      const info = await tf.profile(() => tf.tidy(() => tf.add(tf.ones([4]), 1)));
      expect(info.kernels.length).toBeGreaterThan(0);
      tf.dispose(info.result as tf.Tensor);
    } finally {
      process.off('unhandledRejection', listener);
    }
  });
});
