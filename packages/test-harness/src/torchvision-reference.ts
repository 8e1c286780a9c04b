/**
 * Test helpers: reference models built by PyTorch / torchvision with random weights, saved with
 * `torch.save` (loaded by the tests through `@tfzoo/core`'s `loadWeights`), with their inputs and
 * outputs; and the relative-error check of the parity tests.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { PYTHON, pythonEnv } from './python.js';

/** One reference model to build in PyTorch. */
export interface ReferenceCase {
  /** File stem of the outputs. */
  id: string;
  /** `torchvision.models` builder name. */
  arch: string;
  /** Keyword arguments of the builder. */
  kwargs?: Record<string, unknown>;
  /** `torch.manual_seed`. */
  seed: number;
  /** Input `[N, H, W, C]`. */
  input: [number, number, number, number];
  /** Extra heads to run in eval mode on a module's output, e.g. `{ aux1: 'inception4a' }`. */
  heads?: Record<string, string>;
}

/** What PyTorch produced for a {@link ReferenceCase}. */
export interface ReferenceResult {
  /** Path of the `torch.save`d state dict. */
  checkpoint: string;
  /** The input, NHWC. */
  input: tf.Tensor4D;
  /** PyTorch's logits. */
  logits: tf.Tensor;
  /** Trainable parameter count of the PyTorch model. */
  params: number;
  /** Outputs of the extra heads, `[N, classes]` each. */
  heads: Record<string, tf.Tensor2D>;
}

const script = fileURLToPath(new URL('./torchvision_reference.py', import.meta.url));

function readFloats(path: string): Float32Array {
  const bytes = readFileSync(path);
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

/** Builds every case in one python process (torch starts once); the caller disposes the tensors. */
export function runReference(cases: ReferenceCase[], dir: string): Map<string, ReferenceResult> {
  const casesPath = join(dir, 'cases.json');
  writeFileSync(casesPath, JSON.stringify(cases));
  execFileSync(PYTHON, [script, casesPath, dir], { env: pythonEnv(), stdio: ['ignore', 'ignore', 'pipe'] });
  const results = new Map<string, ReferenceResult>();
  for (const c of cases) {
    const base = join(dir, c.id);
    const meta = JSON.parse(readFileSync(`${base}.json`, 'utf8')) as {
      params: number;
      logitsShape: number[];
    };
    const heads: Record<string, tf.Tensor2D> = {};
    for (const head of Object.keys(c.heads ?? {})) {
      heads[head] = tf.tensor2d(readFloats(`${base}.${head}.bin`), meta.logitsShape as [number, number]);
    }
    results.set(c.id, {
      checkpoint: `${base}.pth`,
      input: tf.tensor4d(readFloats(`${base}.input.bin`), c.input),
      logits: tf.tensor(readFloats(`${base}.logits.bin`), meta.logitsShape),
      params: meta.params,
      heads,
    });
  }
  return results;
}

/** Max |a − b| and max |b|, for the `≤ 1e-4 × scale` parity check. */
export function maxError(actual: tf.Tensor, expected: tf.Tensor): { error: number; scale: number } {
  return tf.tidy(() => ({
    error: tf.max(tf.abs(tf.sub(actual, expected))).dataSync()[0] as number,
    scale: tf.max(tf.abs(expected)).dataSync()[0] as number,
  }));
}
