import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { initBackend } from './backend.js';
import { ZooError } from './errors.js';

afterAll(async () => {
  await tf.setBackend('cpu');
});

describe('initBackend', () => {
  it('loads the cpu backend by name', async () => {
    const info = await initBackend('cpu');
    expect(info).toMatchObject({ backend: 'cpu', tfName: 'cpu', attempts: [{ backend: 'cpu', ok: true }] });
    expect(tf.getBackend()).toBe('cpu');
  });

  it('loads wasm and computes the same as cpu', async () => {
    const x = [1, -2, 3, 0.5];
    const onCpu = await tf.tidy(() => tf.relu(tf.tensor1d(x))).data();
    const info = await initBackend('wasm');
    expect(info.backend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    const onWasm = await tf.tidy(() => tf.relu(tf.tensor1d(x))).data();
    expect([...onWasm]).toEqual([...onCpu]);
    await tf.setBackend('cpu');
  });

  it('falls through the preference list and records why each failed', async () => {
    // tfjs-node cannot be installed here (its install step downloads libtensorflow), so it fails.
    const info = await initBackend(['tensorflow', 'cpu']);
    expect(info.backend).toBe('cpu');
    expect(info.attempts[0]).toMatchObject({ backend: 'tensorflow', ok: false });
    expect(info.attempts[0]?.reason).toContain('@tensorflow/tfjs-node');
  });

  it('names what was tried when a named backend cannot load', async () => {
    const attempt = initBackend('tensorflow-gpu');
    await expect(attempt).rejects.toBeInstanceOf(ZooError);
    await expect(initBackend('tensorflow-gpu')).rejects.toThrow(
      /tensorflow-gpu: could not import @tensorflow\/tfjs-node-gpu .*CUDA 11\.2/,
    );
    expect(tf.getBackend()).toBe('cpu');
  });

  it('rejects an unknown backend name, naming it', async () => {
    await expect(initBackend('metal' as never)).rejects.toThrow(
      'preference must be one or more of tensorflow-gpu, tensorflow, webgpu, wasm, cpu; received "metal"',
    );
  });
});
