/**
 * Backend selection: the fastest TF.js backend that loads here, each one an optional peer
 * dependency, with an error that says what was tried and why it failed.
 */
import * as tf from '@tensorflow/tfjs-core';
import { logicalCores } from '#weights-platform';
import { describeValue, invalidArgument, ZooError } from './errors.js';
import { guardWasmHeap, surfaceTimedKernelErrors } from './wasm-heap.js';
import {
  type GpuAdapterReport,
  isSoftwareAdapter,
  releaseWebGpu,
  setUpWebGpu,
  validateWebGpuOptions,
  type WebGpuOptions,
  webGpuAdapter,
} from './webgpu.js';

export {
  type GpuAdapterReport,
  type GpuPowerPreference,
  isSoftwareAdapter,
  releaseWebGpu,
  type WebGpuOptions,
  webGpuAdapter,
} from './webgpu.js';

/** Backends tfzoo knows, fastest first. */
export type BackendName = 'tensorflow-gpu' | 'tensorflow' | 'webgpu' | 'wasm' | 'cpu';

/** The default preference order: tfjs-node-gpu, tfjs-node, WebGPU, wasm, cpu. */
export const BACKEND_PREFERENCE: readonly BackendName[] = [
  'tensorflow-gpu',
  'tensorflow',
  'webgpu',
  'wasm',
  'cpu',
];

/** One attempt made by {@link initBackend}. */
export interface BackendAttempt {
  /** Backend that was tried. */
  backend: BackendName;
  /** Whether it loaded and became the active backend. */
  ok: boolean;
  /** Why it did not load, when it did not. */
  reason?: string;
}

/** What {@link initBackend} chose. */
export interface BackendInfo {
  /** The backend now active. */
  backend: BackendName;
  /** The name TF.js knows it by (`tf.getBackend()`); tfjs-node's is `tensorflow` for both variants. */
  tfName: string;
  /** Every attempt, in order, including the successful one. */
  attempts: BackendAttempt[];
  /** For `webgpu`: the adapter in use (vendor, architecture, description, limits). */
  adapter?: GpuAdapterReport;
}

/** Options of {@link initBackend}. */
export interface InitBackendOptions {
  /**
   * Silence TF.js's console banners and warnings by switching it to production mode
   * (default true: tfzoo prints nothing unless asked).
   */
  quiet?: boolean;
  /**
   * Threads for the wasm backend. Values above 1 need the thread loader that
   * `import '@tfzoo/wasm-training'` installs (see {@link registerWasmThreadsLoader}). Default: in
   * Node with that loader installed, {@link DEFAULT_WASM_THREADS} or the machine's logical cores if
   * fewer (the convolutions and matrix products gain from them; in tfzoo's profiles the
   * element-wise kernels do not); otherwise 1.
   */
  threads?: number;
  /** For `webgpu`: the adapter to ask for (power preference; in Node, a Dawn adapter name). */
  webgpu?: WebGpuOptions;
}

const OPTION_KEYS = ['quiet', 'threads', 'webgpu'];

/**
 * Brings up a multi-threaded wasm backend for `threads` threads (registers its backend factory);
 * called by {@link initBackend} before it sets the wasm backend.
 */
export type WasmThreadsLoader = (threads: number) => Promise<void>;

let wasmThreadsLoader: WasmThreadsLoader | null = null;

/** Threads {@link initBackend} gives wasm by default in Node (when the thread loader is installed). */
export const DEFAULT_WASM_THREADS = 2;

/** The wasm thread count when none is asked for (see {@link InitBackendOptions.threads}). */
async function defaultWasmThreads(): Promise<number> {
  // logicalCores is the machine's in Node and 1 in browsers (where the thread loader does not apply).
  if (wasmThreadsLoader === null) return 1;
  return Math.max(1, Math.min(DEFAULT_WASM_THREADS, logicalCores()));
}

/**
 * Installs (or, with `null`, removes) the loader {@link initBackend} uses for
 * `initBackend('wasm', { threads })` with more than one thread. TF.js 4.22 runs wasm
 * single-threaded in Node; `@tfzoo/wasm-training` installs a loader when imported. Core does not
 * depend on that package: the hook keeps the dependency pointing from it to core.
 */
export function registerWasmThreadsLoader(loader: WasmThreadsLoader | null): void {
  if (loader !== null && typeof loader !== 'function') {
    throw invalidArgument('loader', loader, 'a function (threads: number) => Promise<void>, or null');
  }
  wasmThreadsLoader = loader;
}

/** How one backend is brought up; `load` throws with the reason when it cannot. */
interface BackendLoader {
  tfName: string;
  load(options: InitBackendOptions): Promise<void>;
}

async function importOptional(specifier: string, why: string): Promise<unknown> {
  try {
    return await import(specifier);
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new Error(`could not import ${specifier} (${why}): ${message}`);
  }
}

const loaders: Record<BackendName, BackendLoader> = {
  'tensorflow-gpu': {
    tfName: 'tensorflow',
    load: async () => {
      await importOptional(
        '@tensorflow/tfjs-node-gpu',
        'its install step downloads libtensorflow 2.9.1, built for CUDA 11.2 and cuDNN 8.1 (GPUs newer than that TensorFlow, e.g. Hopper, run through PTX JIT); npm install @tensorflow/tfjs-node-gpu',
      );
    },
  },
  tensorflow: {
    tfName: 'tensorflow',
    load: async () => {
      await importOptional(
        '@tensorflow/tfjs-node',
        'its install step downloads libtensorflow 2.9.1 (CPU) from storage.googleapis.com; npm install @tensorflow/tfjs-node',
      );
    },
  },
  webgpu: {
    tfName: 'webgpu',
    load: async (options) => {
      await setUpWebGpu(options.webgpu);
    },
  },
  wasm: {
    tfName: 'wasm',
    load: async (options) => {
      const threads = options.threads ?? (await defaultWasmThreads());
      if (threads > 1 && wasmThreadsLoader === null) {
        throw new Error(
          `threads: ${threads} needs a thread loader: add import '@tfzoo/wasm-training' (TF.js 4.22 runs wasm single-threaded in Node)`,
        );
      }
      await importOptional('@tensorflow/tfjs-backend-wasm', 'npm install @tensorflow/tfjs-backend-wasm');
      if (threads > 1 && wasmThreadsLoader !== null) await wasmThreadsLoader(threads);
    },
  },
  cpu: {
    tfName: 'cpu',
    load: async () => {
      await importOptional('@tensorflow/tfjs-backend-cpu', 'npm install @tensorflow/tfjs-backend-cpu');
    },
  },
};

function isBackendName(value: unknown): value is BackendName {
  return typeof value === 'string' && (BACKEND_PREFERENCE as readonly string[]).includes(value);
}

/**
 * Loads the first backend in `preference` that works here and makes it active.
 *
 * With no preference, tries `tensorflow-gpu` (tfjs-node-gpu), `tensorflow` (tfjs-node), `webgpu`,
 * `wasm`, `cpu` in that order. Each is an optional peer dependency: install the ones you want.
 * A WebGPU adapter that is a software rasterizer (SwiftShader and the like, see
 * {@link isSoftwareAdapter}) is passed over in this order, as it is slower than wasm; naming
 * `webgpu` uses it.
 *
 * @example
 * ```ts
 * const { backend } = await initBackend();            // fastest available
 * await initBackend('wasm');                          // exactly wasm, or an error saying why not
 * await initBackend(['wasm', 'cpu']);                 // wasm, else cpu
 * ```
 * `webgpu` uses the page's `navigator.gpu` in browsers and Dawn (the optional npm package
 * `webgpu`) in Node; a Node process holding a GPU device does not exit until
 * {@link releaseBackend} is called.
 *
 * @throws {@link ZooError} `BACKEND_UNAVAILABLE` listing every attempt and its reason.
 */
export async function initBackend(
  preference?: BackendName | readonly BackendName[],
  options: InitBackendOptions = {},
): Promise<BackendInfo> {
  const order =
    preference === undefined
      ? BACKEND_PREFERENCE
      : typeof preference === 'string'
        ? [preference]
        : preference;
  if (!Array.isArray(order) || order.length === 0 || !order.every(isBackendName)) {
    throw invalidArgument('preference', preference, `one or more of ${BACKEND_PREFERENCE.join(', ')}`);
  }
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.includes(key)) throw invalidArgument('initBackend option', key, OPTION_KEYS.join(', '));
  }
  if (options.threads !== undefined && !(Number.isInteger(options.threads) && options.threads >= 1)) {
    throw invalidArgument('threads', options.threads, 'a positive integer');
  }
  validateWebGpuOptions(options.webgpu);
  if (options.quiet ?? true) tf.env().set('PROD', true);
  const attempts: BackendAttempt[] = [];
  for (const backend of order) {
    const loader = loaders[backend];
    try {
      const alreadyUp = backend === 'webgpu' && webGpuAdapter() !== null;
      await loader.load(options);
      const adapter = backend === 'webgpu' ? webGpuAdapter() : null;
      if (adapter && preference === undefined && !alreadyUp && isSoftwareAdapter(adapter)) {
        throw new Error(
          `the adapter is a software rasterizer (${adapter.description || adapter.architecture}), slower than wasm; ask for 'webgpu' by name to use it`,
        );
      }
      if (tf.findBackendFactory(loader.tfName) === null) {
        throw new Error(`importing it did not register a "${loader.tfName}" backend`);
      }
      const ok = await tf.setBackend(loader.tfName);
      if (!ok) throw new Error(`tf.setBackend('${loader.tfName}') failed to initialize it`);
      await tf.ready();
      if (backend === 'wasm') {
        guardWasmHeap(tf.backend());
        surfaceTimedKernelErrors(tf.backend());
      }
      attempts.push({ backend, ok: true });
      return { backend, tfName: tf.getBackend(), attempts, ...(adapter ? { adapter } : {}) };
    } catch (error) {
      if (backend === 'webgpu') releaseWebGpu();
      attempts.push({ backend, ok: false, reason: error instanceof Error ? error.message : String(error) });
    }
  }
  const tried = attempts.map((a) => `  - ${a.backend}: ${a.reason}`).join('\n');
  throw new ZooError(
    'BACKEND_UNAVAILABLE',
    `no backend of ${describeValue(order)} could be loaded; tried:\n${tried}`,
    { received: preference, expected: 'a backend whose package is installed and loads here' },
  );
}

/**
 * Releases what the active backends hold outside TF.js's tensors — today the WebGPU device (see
 * {@link releaseWebGpu}) — so that a Node process can exit. Call it when done with a GPU backend;
 * harmless otherwise. TF.js falls back to another registered backend afterwards.
 */
export function releaseBackend(): void {
  releaseWebGpu();
}
