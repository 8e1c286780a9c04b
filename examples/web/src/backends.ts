/**
 * The page's backend choice: WebGPU, then WebGL, then wasm (then the pure-JS cpu backend), the first
 * that initializes; `?backend=<name>` or the page's selector forces one. The wasm binaries come from
 * tfjs-backend-wasm's package as Vite assets.
 */
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import * as tf from '@tensorflow/tfjs-core';
// Registers the wasm gradient kernels tfjs-backend-wasm lacks (convolution filters, depthwise).
import '@tfzoo/wasm-training';

setWasmPaths({
  'tfjs-backend-wasm.wasm': wasmPlain,
  'tfjs-backend-wasm-simd.wasm': wasmSimd,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded,
});

/** The backends the page offers, in preference order. */
export const PAGE_BACKENDS = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;

/** One of {@link PAGE_BACKENDS}. */
export type PageBackend = (typeof PAGE_BACKENDS)[number];

/** What {@link chooseBackend} did: the backend now active and why the ones before it failed. */
export interface BackendChoice {
  backend: PageBackend;
  skipped: string[];
}

async function tryBackend(name: PageBackend): Promise<string | undefined> {
  if (name === 'webgpu' && !('gpu' in navigator)) return 'navigator.gpu is missing';
  try {
    const ok = await tf.setBackend(name);
    if (!ok) return 'it did not initialize';
    await tf.ready();
    // A first kernel proves the device works (a lost adapter fails here, not later).
    const probe = tf.tidy(() => tf.add(tf.scalar(1), tf.scalar(1)));
    const value = (await probe.data())[0];
    probe.dispose();
    return value === 2 ? undefined : `1 + 1 gave ${value}`;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/**
 * Activates `forced`, or else the first of {@link PAGE_BACKENDS} that works.
 *
 * @throws Error when the forced backend fails, or none does.
 */
export async function chooseBackend(forced?: PageBackend): Promise<BackendChoice> {
  tf.enableProdMode();
  const skipped: string[] = [];
  for (const name of forced ? [forced] : PAGE_BACKENDS) {
    const reason = await tryBackend(name);
    if (reason === undefined) return { backend: name, skipped };
    skipped.push(`${name}: ${reason}`);
  }
  throw new Error(`no TF.js backend works here (${skipped.join('; ')})`);
}
