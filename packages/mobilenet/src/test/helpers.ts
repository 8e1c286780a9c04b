/** Test helpers of @tfzoo/mobilenet: the PyTorch subprocess, timm fixtures and comparisons. */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import type { RawTensor, RawTensorMap } from '@tfzoo/core';

/** The interpreter with torch and torchvision (Debian's); the `python3` on PATH has neither. */
export const PYTHON = '/usr/bin/python3';

/**
 * A long-lived Python process that answers one line on stdout per request line on stdin, so a
 * test file pays for `import torch` once. Any exit before `close()` rejects the pending request with
 * the process's stderr (so a missing torch fails the test).
 */
export class PythonSession {
  private readonly child: ChildProcessWithoutNullStreams;
  private buffer = '';
  private stderr = '';
  private readonly lines: string[] = [];
  private waiting: { resolve: (line: string) => void; reject: (error: Error) => void } | null = null;
  private failure: Error | null = null;

  constructor(script: string, args: readonly string[]) {
    this.child = spawn(PYTHON, [script, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout.setEncoding('utf8');
    this.child.stderr.setEncoding('utf8');
    this.child.stdout.on('data', (chunk: string) => {
      this.buffer += chunk;
      let newline = this.buffer.indexOf('\n');
      while (newline >= 0) {
        this.lines.push(this.buffer.slice(0, newline));
        this.buffer = this.buffer.slice(newline + 1);
        newline = this.buffer.indexOf('\n');
      }
      this.flush();
    });
    this.child.stderr.on('data', (chunk: string) => {
      this.stderr += chunk;
    });
    const fail = (reason: string) => {
      this.failure ??= new Error(`${PYTHON} ${script} ${reason}: ${this.stderr.slice(-4000)}`);
      this.flush();
    };
    this.child.on('error', (error) => fail(`could not start (${error.message})`));
    this.child.on('exit', (code) => fail(`exited with code ${code}`));
  }

  private flush(): void {
    if (!this.waiting) return;
    const line = this.lines.shift();
    if (line !== undefined) {
      const { resolve } = this.waiting;
      this.waiting = null;
      resolve(line);
    } else if (this.failure) {
      const { reject } = this.waiting;
      this.waiting = null;
      reject(this.failure);
    }
  }

  /** The next line the process prints. */
  next(): Promise<string> {
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.flush();
    });
  }

  /** Sends one request line and waits for the answer line. */
  request(line: string): Promise<string> {
    this.child.stdin.write(`${line}\n`);
    return this.next();
  }

  /** Ends the process (closing its stdin). */
  close(): void {
    this.child.stdin.end();
  }
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

/** One tensor of a timm fixture (`/work/shared/fixtures/README.md`). */
export interface FixtureTensor {
  /** State-dict name. */
  name: string;
  /** PyTorch shape. */
  shape: number[];
  /** `F32` or `I64`. */
  dtype: 'F32' | 'I64';
  /** Batch-norm statistics calibrated by the fixture's author; other tensors follow the fill rule. */
  values?: number[];
}

/** A timm parity fixture: names, shapes, BN statistics, input shape and timm's logits. */
export interface TimmFixture {
  /** timm model name. */
  model: string;
  /** Trainable parameters as timm counts them. */
  numParams: number;
  /** `[batch, height, width, 3]`, NHWC. */
  inputShape: [number, number, number, number];
  /** timm's pretrained config: mean, std, input size, crop, interpolation, first conv, classifier. */
  pretrainedCfg: {
    mean: number[];
    std: number[];
    input_size: [number, number, number];
    crop_pct: number;
    interpolation: string;
    first_conv: string;
    classifier: string;
  };
  /** The state dict, in order. */
  tensors: FixtureTensor[];
  /** timm's eval-mode output, `[batch][1000]`. */
  logits: number[][];
}

/** Reads a fixture copied under `src/test/fixtures/`. */
export function readFixture(model: string): TimmFixture {
  const path = new URL(`./fixtures/${model}.json`, import.meta.url);
  return JSON.parse(readFileSync(path, 'utf8')) as TimmFixture;
}

/** 32-bit FNV-1a of the UTF-8 bytes of `text`. */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** The fixture's deterministic fill rule for a tensor named `name` of `shape` (PyTorch layout). */
export function fillRule(name: string, shape: readonly number[]): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  const h = fnv1a(name);
  const out = new Float32Array(n);
  const fanIn = shape.length > 1 ? n / shape[0]! : 1;
  const scale = Math.sqrt(6 / fanIn);
  for (let i = 0; i < n; i++) {
    const u = ((Math.imul(i, 2654435761) + h) >>> 0) / 4294967296;
    let value: number;
    if (name === 'input' || name === 'calibration') value = (u - 0.5) * 4;
    else if (name.endsWith('running_var')) value = 0.5 + u;
    else if (name.endsWith('running_mean')) value = (u - 0.5) * 0.2;
    else if (shape.length === 1 && name.endsWith('weight')) value = 0.8 + 0.4 * u;
    else if (shape.length <= 1) value = (u - 0.5) * 0.2;
    else value = (u - 0.5) * 2 * scale;
    out[i] = Math.fround(value);
  }
  return out;
}

/** The fixture's state dict as raw tensors (`num_batches_tracked` as I64 zeros). */
export function fixtureStateDict(fixture: TimmFixture): RawTensorMap {
  const out: RawTensorMap = new Map();
  for (const tensor of fixture.tensors) {
    let raw: RawTensor;
    if (tensor.dtype === 'I64') {
      const size = tensor.shape.reduce((a, b) => a * b, 1);
      raw = { dtype: 'I64', shape: tensor.shape, data: new BigInt64Array(size) };
    } else {
      const data = tensor.values ? Float32Array.from(tensor.values) : fillRule(tensor.name, tensor.shape);
      raw = { dtype: 'F32', shape: tensor.shape, data };
    }
    out.set(tensor.name, raw);
  }
  return out;
}

/** The fixture's input, NHWC. */
export function fixtureInput(fixture: TimmFixture): tf.Tensor4D {
  return tf.tensor4d(fillRule('input', fixture.inputShape), fixture.inputShape);
}
