/**
 * Helper threads for the Winograd convolution in Node (`kernels/winograd-conv2d.ts`).
 *
 * XNNPACK's pthread pool belongs to tfjs-backend-wasm's Emscripten module and cannot run other code,
 * so with the threaded build (N threads) the convolution brings N − 1 helpers of its own:
 * `worker_threads` that instantiate the same module on the same shared memory and wait on an
 * `Atomics` word to take their part of a call: chunks of output tiles or output channels, from a
 * counter on the heap that every thread of the call takes chunks from until none is left. The calling
 * thread computes its own share and then waits for theirs, so the kernel stays synchronous, as TF.js
 * kernels are. The helpers are `unref`'d: they never keep a process alive.
 */
import { Worker } from 'node:worker_threads';
import {
  compileWinogradModules,
  setWinogradHelpers,
  type WinogradHelper,
} from './kernels/winograd-conv2d.js';
import { wasmThreadsCount } from './threads.js';

/** Control words: [0] calls posted, [1] calls done, [2] a call failed, [3] closing, then the 15 arguments. */
const ARGS = 4;
const WORDS = ARGS + 15;
/** How long the calling thread spins for a helper's share before it sleeps on the word. */
const SPIN_MS = 0.5;
/** How long a call waits for a helper before it gives up (a helper that died never answers). */
const HELPER_TIMEOUT_MS = 120_000;

const HELPER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { module, memory, control } = workerData;
const conv = new WebAssembly.Instance(module, { env: { memory } }).exports.wino_conv_chunks;
const ctl = new Int32Array(control);
let seen = 0;
for (;;) {
  Atomics.wait(ctl, 0, seen);
  seen = Atomics.load(ctl, 0);
  if (Atomics.load(ctl, 3) !== 0) break;
  try {
    const a = ctl.subarray(${ARGS}, ${WORDS});
    conv(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14]);
  } catch {
    Atomics.store(ctl, 2, 1);
  }
  Atomics.store(ctl, 1, seen);
  Atomics.notify(ctl, 1);
}
`;

class WorkerHelper implements WinogradHelper {
  private readonly control = new Int32Array(new SharedArrayBuffer(WORDS * 4));
  private readonly worker: Worker;

  constructor(module: WebAssembly.Module, memory: WebAssembly.Memory) {
    this.worker = new Worker(HELPER_SOURCE, {
      eval: true,
      workerData: { module, memory, control: this.control.buffer },
    });
    this.worker.unref();
  }

  start(args: readonly number[]): void {
    this.control.set(args, ARGS);
    Atomics.add(this.control, 0, 1);
    Atomics.notify(this.control, 0);
  }

  finish(): void {
    const posted = Atomics.load(this.control, 0);
    const deadline = Date.now() + HELPER_TIMEOUT_MS;
    // A short spin first: a share takes about as long as the calling thread's, so it is usually
    // done within microseconds of it, sooner than a futex wait would return.
    const spinUntil = performance.now() + SPIN_MS;
    while (Atomics.load(this.control, 1) !== posted && performance.now() < spinUntil);
    for (;;) {
      const done = Atomics.load(this.control, 1);
      if (done === posted) break;
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`a Winograd helper thread did not answer in ${HELPER_TIMEOUT_MS / 1000} s`);
      Atomics.wait(this.control, 1, done, left);
    }
    if (Atomics.exchange(this.control, 2, 0) !== 0)
      throw new Error('the Winograd convolution failed in a helper thread');
  }

  close(): void {
    Atomics.store(this.control, 3, 1);
    Atomics.add(this.control, 0, 1);
    Atomics.notify(this.control, 0);
  }
}

/**
 * Gives the Winograd convolution `wasmThreadsCount() − 1` helper threads in Node, for wasm backends
 * created from then on, and compiles its module synchronously, so that it is used from the first
 * convolution on. Importing the package's Node entry calls it.
 */
export function installWinogradThreads(): void {
  compileWinogradModules();
  setWinogradHelpers((module, memory) => {
    const threads = wasmThreadsCount() ?? 1;
    return Array.from({ length: Math.max(0, threads - 1) }, () => new WorkerHelper(module, memory));
  });
}
