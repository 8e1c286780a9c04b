/**
 * Backend selection: the fastest TF.js backend that loads here, each one an optional peer
 * dependency, with an error that says what was tried and why it failed.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describeValue, invalidArgument, ZooError } from './errors.js';

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
}

/** Options of {@link initBackend}. */
export interface InitBackendOptions {
  /**
   * Silence TF.js's console banners and warnings by switching it to production mode
   * (default true: tfzoo prints nothing unless asked).
   */
  quiet?: boolean;
  /**
   * Threads for the wasm backend (default 1). Values above 1 need the thread loader that
   * `import '@tfzoo/wasm-training'` installs (see {@link registerWasmThreadsLoader}).
   */
  threads?: number;
}

/**
 * Brings up a multi-threaded wasm backend for `threads` threads (registers its backend factory);
 * called by {@link initBackend} before it sets the wasm backend.
 */
export type WasmThreadsLoader = (threads: number) => Promise<void>;

let wasmThreadsLoader: WasmThreadsLoader | null = null;

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
        'needs libtensorflow 2.9.1 with CUDA 11.2 and cuDNN 8.1; npm install @tensorflow/tfjs-node-gpu',
      );
    },
  },
  tensorflow: {
    tfName: 'tensorflow',
    load: async () => {
      await importOptional(
        '@tensorflow/tfjs-node',
        'its install step downloads libtensorflow 2.9.1; npm install @tensorflow/tfjs-node',
      );
    },
  },
  webgpu: {
    tfName: 'webgpu',
    load: async () => {
      const nav = (globalThis as { navigator?: { gpu?: unknown } }).navigator;
      if (!nav?.gpu) {
        throw new Error(
          'navigator.gpu is not available (a WebGPU browser, or Node with the `webgpu` package installed as navigator.gpu)',
        );
      }
      await importOptional('@tensorflow/tfjs-backend-webgpu', 'npm install @tensorflow/tfjs-backend-webgpu');
    },
  },
  wasm: {
    tfName: 'wasm',
    load: async (options) => {
      const threads = options.threads ?? 1;
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
 *
 * @example
 * ```ts
 * const { backend } = await initBackend();            // fastest available
 * await initBackend('wasm');                          // exactly wasm, or an error saying why not
 * await initBackend(['wasm', 'cpu']);                 // wasm, else cpu
 * ```
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
  if (options.threads !== undefined && !(Number.isInteger(options.threads) && options.threads >= 1)) {
    throw invalidArgument('threads', options.threads, 'a positive integer');
  }
  if (options.quiet ?? true) tf.env().set('PROD', true);
  const attempts: BackendAttempt[] = [];
  for (const backend of order) {
    const loader = loaders[backend];
    try {
      await loader.load(options);
      if (tf.findBackendFactory(loader.tfName) === null) {
        throw new Error(`importing it did not register a "${loader.tfName}" backend`);
      }
      const ok = await tf.setBackend(loader.tfName);
      if (!ok) throw new Error(`tf.setBackend('${loader.tfName}') failed to initialize it`);
      await tf.ready();
      attempts.push({ backend, ok: true });
      return { backend, tfName: tf.getBackend(), attempts };
    } catch (error) {
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
