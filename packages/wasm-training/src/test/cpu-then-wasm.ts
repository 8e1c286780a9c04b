/**
 * Runs one training step on a model built on the cpu backend, then on the same model built on wasm,
 * and compares them: the harness of the lean-layer tests (dense, stem convolution).
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { initBackend } from '@tfzoo/core';
import { expect } from 'vitest';
import { relativeError } from './random.js';

/** What a step reports: its loss and the gradients of the trainable weights, in order. */
export interface StepResult {
  loss: number;
  grads: Float32Array[];
}

/**
 * `step` on `build()` made on cpu, then on `build()` made on wasm (1 thread; seeded initializers give
 * both the same weights), checking that the wasm step leaks no tensor, that the losses agree within
 * 1e-5 relative and that each of the `gradients` gradients does. Returns both results; the models
 * are disposed.
 */
export async function expectWasmStepAsOnCpu<T extends StepResult>(
  build: () => tfl.LayersModel,
  step: (model: tfl.LayersModel) => Promise<T>,
  gradients: number,
): Promise<{ cpu: T; wasm: T }> {
  await tf.setBackend('cpu');
  const onCpu = build();
  const cpu = await step(onCpu);
  await initBackend('wasm', { threads: 1 });
  const onWasm = build();
  const before = tf.memory().numTensors;
  const wasm = await step(onWasm);
  expect(tf.memory().numTensors).toBe(before);
  expect(Math.abs(wasm.loss - cpu.loss)).toBeLessThan(1e-5 * Math.abs(cpu.loss));
  expect(wasm.grads).toHaveLength(gradients);
  for (let i = 0; i < cpu.grads.length; i++)
    expect(relativeError(wasm.grads[i]!, cpu.grads[i]!)).toBeLessThan(1e-5);
  onWasm.dispose();
  await tf.setBackend('cpu');
  onCpu.dispose();
  return { cpu, wasm };
}
