/**
 * Helper threads for the Winograd convolution in Node (`kernels/winograd-conv2d.ts`).
 *
 * XNNPACK's pthread pool belongs to tfjs-backend-wasm's Emscripten module and cannot run other code,
 * so with the threaded build (N threads) the convolution brings N − 1 helpers of its own:
 * `worker_threads` that instantiate the same module on the same shared memory and wait on an
 * `Atomics` word to take their part of a call: chunks of output tiles or output channels, from a
 * counter on the heap that every thread of the call takes chunks from until none is left. The calling
 * thread takes chunks too, and when none is left it withdraws the call from every helper that has
 * not taken it up yet (one still waking, or kept off the other core by XNNPACK's pool thread, which
 * spins there for a millisecond or two after each of XNNPACK's calls) and waits only for those that
 * have, which are in their last chunk. The kernel so stays synchronous, as TF.js kernels are, and
 * never waits for a thread that has not started; a helper that died before taking a call up costs
 * nothing. A helper's error comes back with its message. The helpers are `unref`'d: they never keep
 * a process alive.
 */
import { Worker } from 'node:worker_threads';
import {
  compileWinogradModules,
  setWinogradHelpers,
  type WinogradHelper,
} from './kernels/winograd-conv2d.js';
import { wasmThreadsCount } from './threads.js';

/**
 * Control words: [0] the number of the call last offered, [1] of the call last finished, [2] a
 * call failed, [3] closing, [4] the offer: the offered call's number while no helper has taken it
 * up, its negative once the helper has, 0 once the calling thread has withdrawn it; then the 15
 * arguments.
 */
const POSTED = 0;
const DONE = 1;
const FAILED = 2;
const CLOSING = 3;
const OFFER = 4;
const ARGS = 5;
const WORDS = ARGS + 15;
/** Bytes for a helper's error message (UTF-8, zero-padded). */
const MESSAGE_BYTES = 512;
/** How long the calling thread spins for a helper's share before it sleeps on the word. */
const SPIN_MS = 0.5;
/** How long a call waits for a helper that took it up (one that died never answers). */
const HELPER_TIMEOUT_MS = 120_000;

const HELPER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { module, memory, control, message } = workerData;
const conv = new WebAssembly.Instance(module, { env: { memory } }).exports.wino_conv_chunks;
const ctl = new Int32Array(control);
const text = new Uint8Array(message);
let seen = 0;
for (;;) {
  Atomics.wait(ctl, ${POSTED}, seen);
  seen = Atomics.load(ctl, ${POSTED});
  if (Atomics.load(ctl, ${CLOSING}) !== 0) break;
  // Take the call up, unless the calling thread has already done every chunk and withdrawn it.
  if (Atomics.compareExchange(ctl, ${OFFER}, seen, -seen) !== seen) continue;
  try {
    const a = ctl.subarray(${ARGS}, ${WORDS});
    conv(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14]);
  } catch (error) {
    text.fill(0);
    new TextEncoder().encodeInto(String((error && error.message) || error).slice(0, ${MESSAGE_BYTES / 4}), text);
    Atomics.store(ctl, ${FAILED}, 1);
  }
  Atomics.store(ctl, ${DONE}, seen);
  Atomics.notify(ctl, ${DONE});
}
`;

/**
 * One helper thread of the Winograd convolution: a `worker_threads` worker running the module on the
 * shared memory (see the module comment). `installWinogradThreads` makes `threads − 1` of them per
 * threaded wasm backend; a factory given to `setWinogradHelpers` may make them itself.
 */
export class WinogradWorkerHelper implements WinogradHelper {
  private readonly control = new Int32Array(new SharedArrayBuffer(WORDS * 4));
  private readonly message = new Uint8Array(new SharedArrayBuffer(MESSAGE_BYTES));
  private readonly worker: Worker;
  private call = 0;
  private taken = 0;
  private withdrawn = 0;

  /** Starts the worker: `module` (the shared-memory build) instantiated on `memory`. */
  constructor(module: WebAssembly.Module, memory: WebAssembly.Memory) {
    this.worker = new Worker(HELPER_SOURCE, {
      eval: true,
      workerData: { module, memory, control: this.control.buffer, message: this.message.buffer },
    });
    this.worker.unref();
  }

  /** Offers a call of `wino_conv_chunks` with these 15 arguments and returns at once. */
  start(args: readonly number[]): void {
    this.call = (this.call % 0x3fffffff) + 1; // positive and never 0, so that −call is the taken mark
    this.control.set(args, ARGS);
    Atomics.store(this.control, OFFER, this.call);
    Atomics.store(this.control, POSTED, this.call);
    Atomics.notify(this.control, POSTED);
  }

  /** See {@link WinogradHelper.finish}. */
  finish(): void {
    const call = this.call;
    // Not taken up yet (the helper is still waking, or busy elsewhere): the calling thread has done
    // every chunk, so the call is withdrawn and nothing is waited for.
    if (Atomics.compareExchange(this.control, OFFER, call, 0) === call) {
      this.withdrawn++;
      return;
    }
    this.taken++;
    const deadline = Date.now() + HELPER_TIMEOUT_MS;
    // A short spin first: the helper is in its last chunk, usually done within microseconds.
    const spinUntil = performance.now() + SPIN_MS;
    while (Atomics.load(this.control, DONE) !== call && performance.now() < spinUntil);
    for (;;) {
      const done = Atomics.load(this.control, DONE);
      if (done === call) break;
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`a Winograd helper thread did not answer in ${HELPER_TIMEOUT_MS / 1000} s`);
      Atomics.wait(this.control, DONE, done, left);
    }
    if (Atomics.exchange(this.control, FAILED, 0) !== 0) {
      const bytes = this.message.slice(); // a copy: TextDecoder reads no shared memory
      const end = bytes.indexOf(0);
      const text = new TextDecoder().decode(end < 0 ? bytes : bytes.subarray(0, end));
      throw new Error(`the Winograd convolution failed in a helper thread: ${text}`);
    }
  }

  /** How many calls the helper took up, and how many were withdrawn before it could. */
  counts(): { taken: number; withdrawn: number } {
    return { taken: this.taken, withdrawn: this.withdrawn };
  }

  /** Ends the thread; calls offered afterwards are withdrawn by the calling thread. */
  close(): void {
    Atomics.store(this.control, CLOSING, 1);
    Atomics.add(this.control, POSTED, 1);
    Atomics.notify(this.control, POSTED);
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
    return Array.from({ length: Math.max(0, threads - 1) }, () => new WinogradWorkerHelper(module, memory));
  });
}
