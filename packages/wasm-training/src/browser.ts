/**
 * `@tfzoo/wasm-training` in browsers (the package's `default` export condition; Node gets
 * `index.ts`): importing it registers the wasm training kernels and gradients and installs the lean
 * layers and the in-place variable updates, as in Node (`installWasmTraining`). The two-thread
 * loader is Node's (`worker_threads`); browsers get tfjs-backend-wasm's own threads where the page
 * is cross-origin isolated.
 *
 * @packageDocumentation
 */
import { installWasmTraining } from './common.js';

export * from './common.js';

installWasmTraining();
