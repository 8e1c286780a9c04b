/**
 * A clear error when the wasm backend's heap is full. tfjs-backend-wasm 4.22 allocates every tensor
 * with the module's `malloc` and does not check its result: when the heap (at most 4 GiB, wasm32)
 * cannot grow, `malloc` returns 0 and the kernel then writes over the start of the heap (and a
 * request of 4 GiB or more wraps around to a small one). What the
 * user sees is a `RuntimeError: memory access out of bounds` from a worker thread, a `TypeError` from
 * deep inside TF.js, or wrong numbers. Here `malloc` is wrapped so that a failed allocation throws a
 * {@link ZooError} with code `OUT_OF_MEMORY` before anything is written, naming the request and the
 * heap's size and limit.
 */
import { ZooError } from './errors.js';

/** The parts of tfjs-backend-wasm's Emscripten module the guard uses. */
interface WasmModule {
  _malloc(bytes: number): number;
  asm?: { malloc?: (bytes: number) => number };
  wasmMemory?: WebAssembly.Memory;
  HEAPU8?: Uint8Array;
}

/** Marks a module whose `malloc` is already guarded. */
const GUARDED = Symbol.for('tfzoo.wasmHeapGuard');

/** The largest heap a wasm32 module can have: 4 GiB. */
const WASM32_LIMIT = 2 ** 32;

function gib(bytes: number): string {
  return `${(bytes / 2 ** 30).toFixed(2)} GiB`;
}

/**
 * Makes allocation failures on a tfjs-backend-wasm backend throw a {@link ZooError}
 * (`OUT_OF_MEMORY`) instead of handing out address 0. Idempotent; a backend without a wasm module
 * (any other backend) is left alone. {@link initBackend} calls it when it sets the wasm backend.
 *
 * @param backend The backend instance (`tf.backend()`).
 * @returns whether `backend` is a wasm backend whose allocations are now guarded.
 */
export function guardWasmHeap(backend: unknown): boolean {
  const module = (backend as { wasm?: WasmModule } | null)?.wasm;
  if (module === undefined || typeof module._malloc !== 'function') return false;
  const tagged = module as WasmModule & { [GUARDED]?: true };
  if (tagged[GUARDED]) return true;
  // Emscripten's `_malloc` starts as a stub that replaces itself with the export on its first call
  // (which would drop a wrapper around the stub), so the export itself is wrapped when available.
  const exported = module.asm?.malloc;
  const malloc = typeof exported === 'function' ? exported : module._malloc.bind(module);
  module._malloc = (bytes: number): number => {
    // malloc takes a 32-bit size: a request of 4 GiB or more would wrap around to a small one.
    const address = bytes < WASM32_LIMIT ? malloc(bytes) : 0;
    if (address === 0 && bytes > 0) {
      const heap = wasmHeapBytes(backend);
      const size = heap === undefined ? '' : ` (heap ${gib(heap)} of at most ${gib(WASM32_LIMIT)})`;
      throw new ZooError(
        'OUT_OF_MEMORY',
        `the wasm heap cannot hold ${gib(bytes)} more${size}: use a smaller batch, accumulateSteps or gradientCheckpointing for training, or the webgpu backend`,
        { received: bytes, expected: `an allocation the ${gib(WASM32_LIMIT)} wasm heap can still hold` },
      );
    }
    return address;
  };
  tagged[GUARDED] = true;
  return true;
}

/** Marks a backend whose timer already rethrows. */
const SURFACED = Symbol.for('tfzoo.wasmTimerErrors');

/**
 * Makes a kernel error inside `tf.profile` (or `tf.time`) on the wasm backend throw as itself.
 * tfjs-backend-wasm's `time(f)` is an async function: when the kernel `f` throws, the error becomes
 * a rejected promise nobody awaits, TF.js's profiler then fails on the missing outputs with
 * `TypeError: Cannot read properties of undefined (reading 'map')`, and Emscripten's
 * `unhandledRejection` handler ends the Node process with the real error later. Here the error is
 * rethrown at once (and the promise's rejection handled). {@link initBackend} installs it with
 * {@link guardWasmHeap}.
 *
 * @param backend The backend instance (`tf.backend()`).
 * @returns whether `backend` has a timer that now rethrows (false: no `time` method).
 */
export function surfaceTimedKernelErrors(backend: unknown): boolean {
  const timed = backend as { time?: (f: () => void) => Promise<unknown>; [SURFACED]?: true } | null;
  if (timed === null || typeof timed?.time !== 'function') return false;
  if (timed[SURFACED]) return true;
  const time = timed.time.bind(timed);
  timed.time = (f: () => void): Promise<unknown> => {
    let failed = false;
    let error: unknown;
    const pending = time(() => {
      try {
        f();
      } catch (e) {
        failed = true;
        error = e;
        throw e;
      }
    });
    if (failed) {
      pending.catch(() => undefined);
      throw error;
    }
    return pending;
  };
  timed[SURFACED] = true;
  return true;
}

/**
 * The size of a tfjs-backend-wasm backend's heap (its linear memory), in bytes. The heap grows and
 * never shrinks, so this is the most memory the backend has needed so far: unlike the peak of
 * `tf.memory().numBytes`, which counts a buffer once for every tensor that views it (a reshape, an
 * identity), it is what the process holds, including XNNPACK's packed weights.
 *
 * @param backend The backend instance (`tf.backend()`).
 * @returns the heap's size, or undefined when `backend` is not a wasm backend.
 */
export function wasmHeapBytes(backend: unknown): number | undefined {
  const module = (backend as { wasm?: WasmModule } | null)?.wasm;
  if (module === undefined || typeof module._malloc !== 'function') return undefined;
  return module.wasmMemory?.buffer.byteLength ?? module.HEAPU8?.byteLength;
}
