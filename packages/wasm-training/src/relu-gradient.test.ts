/**
 * ReLU's gradient from its output: the same values as tfjs-core's from its input (on cpu and wasm,
 * zeros and negative zeros included), the tape keeps the output instead of the input, and the input
 * is released before the backward pass.
 */
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@tfzoo/core';
import { afterAll, describe, expect, it } from 'vitest';
import { registerReluGradientFromOutput } from './index.js';

afterAll(async () => {
  await tf.setBackend('cpu');
});

const values = [-3, -0.5, -0, 0, 1e-30, 0.25, 2, 7];

/** ∂/∂v Σ relu(v·w) · c, and tfjs-core's formula dy·step(x) for the same x, on the active backend. */
async function gradients(): Promise<{ fromOutput: number[]; reference: number[] }> {
  const initial = tf.tensor1d(values);
  const v = tf.variable(initial);
  initial.dispose();
  const w = tf.tensor1d([1, 2, 1, 1, 1, 3, 1, 0.5]);
  const c = tf.tensor1d([1, 2, 3, 4, 5, 6, 7, 8]);
  const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(tf.relu(tf.mul(v, w)), c)), [v]);
  const fromOutput = Array.from(await grads[v.name]!.data());
  const formula = tf.tidy(() => tf.mul(tf.mul(c, tf.step(tf.mul(v, w))), w));
  const reference = Array.from(await formula.data());
  tf.dispose([v, w, c, value, formula, ...Object.values(grads)]);
  return { fromOutput, reference };
}

describe('ReLU gradient from its output', () => {
  it('gives tfjs-core’s values on cpu and wasm', async () => {
    expect(registerReluGradientFromOutput()).toBe(false); // importing the package registered it
    await tf.setBackend('cpu');
    const cpu = await gradients();
    expect(cpu.fromOutput).toEqual(cpu.reference);
    await initBackend('wasm', { threads: 1 });
    await gradients(); // first calls may cache constants
    const before = tf.memory().numTensors;
    const wasm = await gradients();
    expect(tf.memory().numTensors).toBe(before);
    expect(wasm.fromOutput).toEqual(wasm.reference);
    expect(wasm.fromOutput).toEqual(cpu.fromOutput);
  });

  it('keeps the output on the tape, and the input is released before the backward pass', async () => {
    await initBackend('wasm', { threads: 1 });
    const v = tf.variable(tf.tensor1d(values));
    let input: tf.Tensor | undefined;
    let output: tf.Tensor | undefined;
    const { value, grads } = tf.variableGrads(() => {
      input = tf.mul(v, 2);
      output = tf.relu(input);
      const tape = (tf.engine().state as unknown as { activeTape: { saved?: tf.Tensor[] }[] }).activeTape;
      const saved = tape[tape.length - 1]!.saved!;
      expect(saved).toHaveLength(1);
      expect(saved[0]!.dataId).toBe(output.dataId);
      return tf.sum(output);
    }, [v]);
    // `input` was made inside the gradient scope and saved by nothing: released when the forward
    // pass ended. tfjs-core's gradient saved it until the backward pass.
    expect(input!.isDisposed).toBe(true);
    expect(Array.from(await grads[v.name]!.data())).toEqual([0, 0, 0, 0, 2, 2, 2, 2]);
    tf.dispose([v, value, ...Object.values(grads)]);
  });
});
