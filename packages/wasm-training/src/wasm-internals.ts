/**
 * The private fields of tfjs-backend-wasm 4.22 that this package reads and writes: its record of
 * each tensor buffer, its `BackendWasm` and the Emscripten module under it. None of this is a public
 * API, so it is described once, here, and checked before use: `wasmBackendInternals` answers
 * `undefined` for any backend that lacks one of the fields, and its callers then leave tfjs-core's
 * and tfjs-backend-wasm's own behaviour in place.
 */
import type * as tf from '@tensorflow/tfjs-core';

/** tfjs-backend-wasm's record of one tensor buffer. */
export interface WasmTensorData {
  /** The buffer's id in the C++ registry (XNNPACK's operator caches are keyed by it). */
  id: number;
  /** Byte offset of the values on the heap (`null` for a string tensor). */
  memoryOffset: number | null;
  shape: number[];
  dtype: tf.DataType;
  /** How many tensors share the buffer. */
  refCount: number;
}

/** The parts of tfjs-backend-wasm's Emscripten module this package uses. */
export interface WasmEmscriptenModule {
  _malloc(bytes: number): number;
  _free(pointer: number): void;
  HEAPU8: Uint8Array;
  /** The threaded build's (shared) memory. */
  wasmMemory?: unknown;
  /** The single-threaded builds' exports, their memory among them. */
  asm?: { memory?: unknown };
  tfjs: {
    disposeData(id: number): void;
    registerTensor(id: number, size: number, memoryOffset: number): void;
  };
}

/** The fields of tfjs-backend-wasm's `BackendWasm` this package uses. */
export interface WasmBackendInternals {
  dataIdMap: { get(dataId: object): WasmTensorData | undefined; has(dataId: object): boolean };
  /** The id the next buffer registered will get. */
  dataIdNextNumber: number;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  disposeData(dataId: object, force?: boolean): boolean;
  wasm: WasmEmscriptenModule;
}

/** `backend`'s internals when it is tfjs-backend-wasm's `BackendWasm` with every field above. */
export function wasmBackendInternals(backend: unknown): WasmBackendInternals | undefined {
  if (typeof backend !== 'object' || backend === null) return undefined;
  const b = backend as Partial<WasmBackendInternals>;
  const wasm = b.wasm;
  if (
    typeof b.dataIdMap?.get !== 'function' ||
    typeof b.dataIdMap.has !== 'function' ||
    typeof b.dataIdNextNumber !== 'number' ||
    typeof b.makeOutput !== 'function' ||
    typeof b.disposeData !== 'function' ||
    typeof wasm?._malloc !== 'function' ||
    typeof wasm._free !== 'function' ||
    !(wasm.HEAPU8 instanceof Uint8Array) ||
    typeof wasm.tfjs?.disposeData !== 'function' ||
    typeof wasm.tfjs.registerTensor !== 'function'
  )
    return undefined;
  return b as WasmBackendInternals;
}
