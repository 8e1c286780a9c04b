/**
 * Multi-threaded TF.js wasm in Node.
 *
 * tfjs-backend-wasm 4.22 ships a threaded SIMD build (`wasm-out/tfjs-backend-wasm-threaded-simd.*`,
 * XNNPACK over an Emscripten pthread pool) but never uses it in Node: its
 * `WASM_HAS_MULTITHREAD_SUPPORT` flag answers false when `IS_NODE`
 * (https://github.com/tensorflow/tfjs/issues/3830), its pthread worker is handed to Emscripten as a
 * `blob:` URL that Node's `worker_threads` cannot load, and the XNNPACK pool size is capped at
 * `emscripten_num_logical_cores() / 2` (1 on a 2-vCPU machine). This module builds the same
 * threaded module the way Emscripten supports in Node — the worker script written to a file, the
 * main script given as a path, the core count answered through the `instantiateWasm` hook — and
 * registers it as the `wasm` backend, so `setBackend('wasm')` runs XNNPACK on N threads.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { invalidArgument, registerWasmThreadsLoader, ZooError } from '@tfzoo/core';

/** The most threads the threaded build supports (it pre-spawns 8 pthread workers). */
export const MAX_WASM_THREADS = 8;

/** Minimal view of the Emscripten module of tfjs-backend-wasm's threaded build. */
interface EmscriptenModule {
  cwrap(name: string, returnType: string | null, argTypes: string[]): (...args: number[]) => number;
  PThread?: { terminateAllThreads(): void; runningWorkers: unknown[] };
  HEAPU8: Uint8Array;
  tfjs?: unknown;
}

type ModuleFactory = (config: Record<string, unknown>) => Promise<EmscriptenModule>;

interface WasmPackage {
  BackendWasm: new (module: never) => tf.KernelBackend;
  setThreadsCount(threads: number): void;
  getThreadsCount(): number;
}

/** What {@link enableWasmThreads} set up. */
export interface WasmThreadsInfo {
  /** Threads requested for XNNPACK's pool (the calling thread included). */
  threads: number;
  /** The pthread worker script written for Node's `worker_threads`. */
  workerScript: string;
}

let enabled: { threads: number; module?: EmscriptenModule; info: WasmThreadsInfo } | undefined;

function isNode(): boolean {
  return typeof process === 'object' && typeof process.versions?.node === 'string';
}

/** Writes `contents` to a content-addressed file in the temp folder (once) and returns its path. */
function writeOnce(name: string, contents: string): string {
  const hash = createHash('sha256').update(contents).digest('hex').slice(0, 16);
  const path = join(tmpdir(), `${name}-${hash}.cjs`);
  if (!existsSync(path)) {
    const partial = `${path}.${process.pid}.tmp`;
    writeFileSync(partial, contents);
    renameSync(partial, path);
  }
  return path;
}

/**
 * Makes the TF.js `wasm` backend run multi-threaded in Node: registers a `wasm` backend factory
 * that instantiates tfjs-backend-wasm's threaded SIMD build with `threads` XNNPACK threads.
 *
 * Call it before the wasm backend creates tensors: if a wasm backend is already initialized it is
 * removed (its tensors are lost) and, when it was the active backend, set again. `@tfzoo/core`'s
 * `initBackend('wasm', { threads })` calls this once `@tfzoo/wasm-training` is imported.
 * Elementwise kernels and the composed gradient kernels' transposes stay single-threaded; XNNPACK
 * convolutions, matrix products and pooling use the pool.
 *
 * @example
 * ```ts
 * import '@tfzoo/wasm-training';
 * import { initBackend } from '@tfzoo/core';
 * await initBackend('wasm', { threads: 2 });
 * ```
 * @param threads - threads for XNNPACK's pool, 1 to {@link MAX_WASM_THREADS}; 1 gives the
 *   threaded build with a single thread.
 * @throws {@link @tfzoo/core!ZooError} `INVALID_ARGUMENT` for a bad count, `UNSUPPORTED` outside Node.
 */
export async function enableWasmThreads(threads: number): Promise<WasmThreadsInfo> {
  if (!Number.isInteger(threads) || threads < 1 || threads > MAX_WASM_THREADS) {
    throw invalidArgument('threads', threads, `an integer from 1 to ${MAX_WASM_THREADS}`);
  }
  if (!isNode()) {
    throw new ZooError(
      'UNSUPPORTED',
      'enableWasmThreads() is for Node; in a browser tfjs-backend-wasm uses threads by itself when the page is cross-origin isolated',
      { received: 'a non-Node runtime', expected: 'Node.js >= 20' },
    );
  }
  if (enabled?.threads === threads && tf.findBackendFactory('wasm') !== null) return enabled.info;

  const wasmPackage = (await import('@tensorflow/tfjs-backend-wasm')) as unknown as WasmPackage;
  const require = createRequire(import.meta.url);
  const packageDir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
  const out = join(packageDir, 'wasm-out');
  const mainScript = join(out, 'tfjs-backend-wasm-threaded-simd.js');
  const binaryPath = join(out, 'tfjs-backend-wasm-threaded-simd.wasm');
  const factory = require(mainScript) as ModuleFactory;
  const { wasmWorkerContents } = require(join(out, 'tfjs-backend-wasm-threaded-simd.worker.js')) as {
    wasmWorkerContents: string;
  };
  // The worker source is a JS string whose "\n" escapes became newlines inside string literals;
  // tfjs escapes them the same way before making its blob.
  const workerScript = writeOnce(
    'tfzoo-tfjs-backend-wasm-threaded-simd.worker',
    wasmWorkerContents.replace(/\n/g, '\\n'),
  );

  const wasActive = tf.engine().backendName === 'wasm';
  if (tf.findBackendFactory('wasm') !== null) tf.removeBackend('wasm');
  enabled?.module?.PThread?.terminateAllThreads();
  const info: WasmThreadsInfo = { threads, workerScript };
  const state: { threads: number; module?: EmscriptenModule; info: WasmThreadsInfo } = { threads, info };
  enabled = state;

  tf.registerBackend(
    'wasm',
    async () => {
      const module = await factory({
        locateFile: (path: string, prefix: string) =>
          path.endsWith('.worker.js') ? workerScript : path.endsWith('.wasm') ? binaryPath : prefix + path,
        // A path, not a Blob: each worker loads the main script with fs.readFileSync.
        mainScriptUrlOrBlob: mainScript,
        instantiateWasm: (
          imports: { env: Record<string, unknown> },
          receive: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void,
        ) => {
          // tfjs sizes the XNNPACK pool as min(requested, logical cores / 2): report 2·threads.
          imports.env.emscripten_num_logical_cores = () => 2 * threads;
          // Synchronous, so a failure reaches Emscripten, which rejects the module promise.
          const compiled = new WebAssembly.Module(readFileSync(binaryPath));
          const instance = new WebAssembly.Instance(compiled, imports as WebAssembly.Imports);
          receive(instance, compiled);
          return instance.exports;
        },
      });
      module.tfjs = {
        init: module.cwrap('init', null, []),
        initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
        getThreadsCount: module.cwrap('get_threads_count', 'number', []),
        registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
        disposeData: module.cwrap('dispose_data', null, ['number']),
        dispose: module.cwrap('dispose', null, []),
      };
      state.module = module;
      wasmPackage.setThreadsCount(threads);
      const backend = new wasmPackage.BackendWasm(module as never);
      // The pool's threads only work while the main thread is inside a kernel call, so they must not
      // keep Node's event loop (and the process) alive.
      for (const worker of module.PThread?.runningWorkers ?? []) (worker as { unref?: () => void }).unref?.();
      return backend;
    },
    2,
  );
  if (wasActive) await tf.setBackend('wasm');
  return info;
}

/**
 * The number of threads the active wasm backend's XNNPACK pool really runs (the calling thread
 * included), as the wasm module reports it; `undefined` when the wasm backend is not initialized.
 */
export function wasmThreadsCount(): number | undefined {
  const backend = tf.findBackend('wasm') as unknown as {
    wasm?: { tfjs?: { getThreadsCount?: () => number } };
  } | null;
  return backend?.wasm?.tfjs?.getThreadsCount?.();
}

/** Lets `initBackend('wasm', { threads })` of `@tfzoo/core` bring up the threaded build. */
export function installWasmThreadsLoader(): void {
  registerWasmThreadsLoader(async (threads) => {
    await enableWasmThreads(threads);
  });
}
