import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-layers'; // registers tfjs-core's gradient functions
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, registerWasmThreadsLoader, ZooError } from '@tfzoo/core';
import { afterAll, describe, expect, it } from 'vitest';
import { enableWasmThreads, installWasmThreadsLoader, wasmThreadsCount } from './index.js';
import { randomValues } from './test/random.js';

/** A small convolutional training-step computation: conv → relu → depthwise → loss, and its gradients. */
function convStep(): Float32Array[] {
  const x = tf.tensor(randomValues(8 * 16 * 16 * 8, 11), [8, 16, 16, 8]);
  const f = tf.tensor(randomValues(3 * 3 * 8 * 32, 12), [3, 3, 8, 32]);
  const d = tf.tensor(randomValues(3 * 3 * 32, 13), [3, 3, 32, 1]);
  const grads = tf.tidy(() =>
    tf.grads((xi: tf.Tensor, fi: tf.Tensor, di: tf.Tensor) => {
      const y = tf.relu(tf.conv2d(xi as tf.Tensor4D, fi as tf.Tensor4D, 1, 'same'));
      const z = tf.depthwiseConv2d(y as tf.Tensor4D, di as tf.Tensor4D, 2, 'same');
      return tf.mean(tf.square(z));
    })([x, f, d]),
  );
  const values = grads.map((g) => Float32Array.from(g.dataSync()));
  tf.dispose([x, f, d, ...grads]);
  return values;
}

afterAll(async () => {
  await tf.setBackend('cpu');
});

describe('wasm threads in Node', () => {
  it('says what to import when no thread loader is installed', async () => {
    registerWasmThreadsLoader(null);
    const error = await initBackend('wasm', { threads: 2 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ZooError);
    expect((error as ZooError).message).toContain("import '@tfzoo/wasm-training'");
    installWasmThreadsLoader();
  });

  it('rejects a thread count the threaded build cannot run', async () => {
    await expect(enableWasmThreads(0)).rejects.toThrow(/threads must be an integer from 1 to 8; received 0/);
    await expect(enableWasmThreads(1.5)).rejects.toThrow(ZooError);
  });

  it('runs the threaded build with 2 XNNPACK threads and matches the single-threaded results', async () => {
    await tf.setBackend('wasm');
    expect(getThreadsCount()).toBe(1); // tfjs's own Node build: single-threaded
    const single = convStep();

    const info = await initBackend('wasm', { threads: 2 });
    expect(info.tfName).toBe('wasm');
    expect(getThreadsCount()).toBe(2);
    expect(wasmThreadsCount()).toBe(2);
    const backend = tf.engine().backend as unknown as {
      wasm: { HEAPU8: Uint8Array; PThread: { runningWorkers: unknown[] } };
    };
    // The threaded build: shared memory, and a pthread worker besides the calling thread.
    expect(backend.wasm.HEAPU8.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(backend.wasm.PThread.runningWorkers.length).toBe(1);

    const numTensors = tf.memory().numTensors;
    const threaded = convStep();
    expect(tf.memory().numTensors).toBe(numTensors);
    threaded.forEach((g, i) => {
      const reference = single[i]!;
      const scale = reference.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      const diff = g.reduce((m, v, j) => Math.max(m, Math.abs(v - reference[j]!)), 0);
      expect(diff / scale).toBeLessThan(1e-5);
    });
  });
});
