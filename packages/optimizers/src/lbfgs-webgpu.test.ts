/**
 * L-BFGS on WebGPU in Node (Dawn on SwiftShader, from Debian's `chromium`): it needs synchronous
 * scalar reads, which Node's WebGPU cannot give; it says so with a ZooError, leaks nothing, and
 * leaves the variables as they were.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ZooError } from '@tfzoo/core';
import { useWebGpu } from '@tfzoo/test-harness';
import { expect, it } from 'vitest';
import { LBFGS } from './index.js';

useWebGpu();

it('refuses WebGPU in Node with a ZooError naming the backends that work', async () => {
  expect(tf.getBackend()).toBe('webgpu');
  const x = tf.variable(tf.tensor1d([1.5, -2]), true, 'lbfgs_webgpu_x');
  const optimizer = new LBFGS();
  const before = tf.memory().numTensors;
  let caught: unknown;
  try {
    optimizer.step(() => tf.sum(tf.square(x)) as tf.Scalar, [x]);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ZooError);
  expect(String((caught as Error).message)).toMatch(/webgpu backend cannot.*cpu or wasm/);
  expect(tf.memory().numTensors).toBe(before);
  expect(Array.from(await x.data())).toEqual([1.5, -2]);
  optimizer.dispose();
  x.dispose();
});
