/** Test helpers of @tfzoo/squeezenet: the PyTorch subprocess and comparisons. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type * as tf from '@tensorflow/tfjs-core';

/** The interpreter with torch and torchvision (Debian's); the `python3` on PATH has neither. */
export const PYTHON = '/usr/bin/python3';

/** Runs a Python script; throws (failing the test) when it fails, e.g. without torch. */
export function runPython(script: string, args: readonly string[]): void {
  execFileSync(PYTHON, [script, ...args], { stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 24 });
}

/** Reads a little-endian float32 file. */
export function readF32(path: string): Float32Array {
  const bytes = readFileSync(path);
  return new Float32Array(new Uint8Array(bytes).buffer);
}

/** Max absolute difference and the reference's max absolute value. */
export function compare(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
): { maxError: number; scale: number } {
  if (actual.length !== expected.length) {
    throw new Error(`length ${actual.length} differs from the reference's ${expected.length}`);
  }
  let maxError = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    maxError = Math.max(maxError, Math.abs((actual[i] as number) - (expected[i] as number)));
    scale = Math.max(scale, Math.abs(expected[i] as number));
  }
  return { maxError, scale };
}

/** Runs `model` on `input` in inference mode and returns the output values; leaks nothing. */
export function predictValues(
  model: { predict(x: tf.Tensor): tf.Tensor | tf.Tensor[] },
  input: tf.Tensor,
): Float32Array {
  const output = model.predict(input) as tf.Tensor;
  try {
    return output.dataSync() as Float32Array;
  } finally {
    output.dispose();
  }
}
