/**
 * L-BFGS on WebGPU in Node (Dawn on SwiftShader, from Debian's `chromium`): it needs synchronous
 * scalar reads, which Node's WebGPU cannot give; it says so with a ZooError, leaks nothing, and
 * leaves the variables as they were.
 */
import { existsSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, releaseBackend, ZooError } from '@tfzoo/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { LBFGS } from './index.js';

const SWIFTSHADER = '/usr/lib/chromium/vk_swiftshader_icd.json';

beforeAll(async () => {
  if (!existsSync(SWIFTSHADER) && process.env.VK_ICD_FILENAMES === undefined) {
    throw new Error(`${SWIFTSHADER} is missing: run .ci/setup (it installs Debian's chromium)`);
  }
  process.env.VK_ICD_FILENAMES ??= SWIFTSHADER;
  await initBackend('webgpu');
});

afterAll(async () => {
  releaseBackend();
  await tf.setBackend('cpu');
});

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
