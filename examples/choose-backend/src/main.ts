#!/usr/bin/env node
/**
 * Choosing a backend (docs/guides/backends.md): `initBackend()` loads the first backend of a
 * preference list that works here — tfjs-node-gpu, tfjs-node, WebGPU, wasm, cpu by default — and
 * reports why each earlier one did not load. The example then runs LeNet-5 (LeCun et al., 1998) on
 * the chosen backend and on the pure-JS cpu backend and compares the outputs.
 *
 * Usage: `node examples/choose-backend/dist/main.js [backend ...]` (e.g. `tensorflow wasm cpu`)
 */
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { type BackendAttempt, type BackendName, initBackend } from '@tfzoo/core';
import { lenet5 } from '@tfzoo/lenet';

/** What {@link run} returns. */
export interface ChooseBackendResult {
  /** The backend now active. */
  backend: BackendName;
  /** Every attempt, in order, with the reason of each failure. */
  attempts: BackendAttempt[];
  /** Milliseconds of one forward pass (batch 8) on the chosen backend, after a warm-up. */
  forwardMs: number;
  /** Largest absolute difference between the chosen backend's logits and the cpu backend's. */
  maxDifferenceFromCpu: number;
}

/** Picks a backend from `preference` (default: tfzoo's order), times LeNet-5 on it, checks it against cpu. */
export async function run(preference?: readonly BackendName[]): Promise<ChooseBackendResult> {
  const info = await initBackend(preference);
  // The reference: LeNet-5 with random weights on the pure-JS cpu backend.
  await tf.setBackend('cpu');
  const reference = lenet5();
  const weights = reference.getWeights().map((w) => ({ shape: w.shape, values: w.dataSync() }));
  const inputValues = tf.tidy(() => tf.randomNormal([8, 32, 32, 1], 0, 1, 'float32', 3).dataSync());
  const expected = tf.tidy(() =>
    (reference.predict(tf.tensor4d(inputValues, [8, 32, 32, 1])) as tf.Tensor).dataSync(),
  );
  reference.dispose();
  // The same weights and input on the chosen backend (tensors belong to the backend that made them).
  await tf.setBackend(info.tfName);
  const model = lenet5();
  const copies = weights.map((w) => tf.tensor(w.values, w.shape));
  model.setWeights(copies);
  tf.dispose(copies);
  const input = tf.tensor4d(inputValues, [8, 32, 32, 1]);
  try {
    tf.dispose(model.predict(input) as tf.Tensor); // warm-up: kernels compile on first use
    const started = performance.now();
    const output = model.predict(input) as tf.Tensor;
    const chosen = (await output.data()) as Float32Array;
    const forwardMs = performance.now() - started;
    output.dispose();
    let maxDifferenceFromCpu = 0;
    for (let i = 0; i < expected.length; i++) {
      maxDifferenceFromCpu = Math.max(
        maxDifferenceFromCpu,
        Math.abs((chosen[i] as number) - (expected[i] as number)),
      );
    }
    return { backend: info.backend, attempts: info.attempts, forwardMs, maxDifferenceFromCpu };
  } finally {
    input.dispose();
    model.dispose();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const names = process.argv.slice(2) as BackendName[];
  const result = await run(names.length > 0 ? names : undefined);
  for (const attempt of result.attempts) {
    console.log(
      `${attempt.ok ? 'ok  ' : 'no  '} ${attempt.backend}${attempt.reason ? `: ${attempt.reason}` : ''}`,
    );
  }
  console.log(
    `using ${result.backend}: LeNet-5 batch 8 in ${result.forwardMs.toFixed(1)} ms; ` +
      `max |Δ| vs cpu ${result.maxDifferenceFromCpu.toExponential(2)}`,
  );
}
