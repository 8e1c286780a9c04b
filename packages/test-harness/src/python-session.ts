/**
 * A long-lived PyTorch process for parity tests, and the comparisons they make. Used by the family
 * packages whose reference runs once per test file.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type * as tf from '@tensorflow/tfjs-core';
import { PYTHON, pythonEnv } from './python.js';

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
    this.child = spawn(PYTHON, [script, ...args], { env: pythonEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
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
