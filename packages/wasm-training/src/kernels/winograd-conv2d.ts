/**
 * 3×3 stride-1 convolutions on wasm by Winograd's F(2×2, 3×3) algorithm, in a kernel of this
 * package's own (`native/winograd.c`, wasm SIMD128): 16 multiplications per 2×2 output tile and
 * channel pair instead of 36.
 *
 * `FusedConv2D` and `Conv2D` of the wasm backend are replaced by kernels that take this path for a
 * float32 NHWC input whose filter is 3×3, with stride 1, dilation 1 and one pixel of zero padding
 * (`'same'` or `1`), input channels a multiple of 4 and output channels of 8, no bias or one per
 * output channel, and no activation, ReLU or ReLU6: every 3×3 convolution of ResNet's blocks and of
 * VGG, GoogLeNet's and SqueezeNet's. Every other call goes to tfjs-backend-wasm's XNNPACK kernel
 * unchanged. On the same threads the path takes about half of XNNPACK's time (ResNet-18's 3×3
 * layers at batch 1, 2 threads: 22 ms against 42; `setWinogradConvolution(false)` to compare).
 *
 * The result differs from a direct convolution by rounding only (the transforms add, subtract and
 * halve): about 1e-6 of a layer's largest output.
 *
 * The module works in place on tfjs-backend-wasm's heap: it imports that module's memory (shared, in
 * the threaded build, where Node's entry adds helper threads: `winograd-threads.ts`). A filter's
 * transform (16/9 of its size) is made on first use and kept on the wasm heap, keyed by the filter's
 * buffer and that buffer's id in tfjs-backend-wasm's registry (renewed when its values change in
 * place, see `installInPlaceVariableUpdates`); it is freed on the next call after the filter is
 * released.
 */
import '@tensorflow/tfjs-backend-wasm'; // its kernels first: the originals are delegated to
import * as tf from '@tensorflow/tfjs-core';
import { invalidArgument, ZooError } from '@tfzoo/core';
import {
  type WasmBackendInternals,
  type WasmEmscriptenModule,
  type WasmTensorData,
  wasmBackendInternals,
} from '../wasm-internals.js';
import { WINOGRAD_WASM_PLAIN, WINOGRAD_WASM_SHARED } from './winograd-wasm.js';

/** The functions `native/winograd.c` exports. */
interface WinogradExports {
  wino_transform_filter(filter: number, packed: number, c: number, co: number): void;
  wino_conv_chunks(...args: number[]): void;
}

/**
 * A thread that takes chunks of a call on the same memory (Node's entry provides them, see
 * `winograd-threads.ts`).
 */
export interface WinogradHelper {
  /** Starts `wino_conv_chunks` with these 15 arguments and returns at once. */
  start(args: readonly number[]): void;
  /**
   * Returns once the helper is done with the started call: at once when it has not taken the call
   * up (the calling thread, which has taken every chunk by then, withdraws it), else when its share
   * has returned. Throws, with the helper's message, when that share failed.
   */
  finish(): void;
  /** Ends the thread. */
  close(): void;
}

/** Makes the helper threads for a shared memory and the compiled module. */
export type WinogradHelperFactory = (
  module: WebAssembly.Module,
  memory: WebAssembly.Memory,
) => WinogradHelper[];

/** The module instantiated on one Emscripten module's memory, and its buffers there. */
interface HeapState {
  exports: WinogradExports;
  memory: WebAssembly.Memory;
  helpers: WinogradHelper[];
  /** The chunk counter threads take work from (0 until first needed). */
  counter: number;
  /** Transformed filters by the filter's `dataId`: the buffer id they were made from, the pointer. */
  filters: Map<object, { id: number; pointer: number }>;
  /** One scratch buffer per thread (a block's transformed tiles and products). */
  scratch: ({ pointer: number; bytes: number } | undefined)[];
}

/** How a call is cut into the chunks that its threads take in turn. */
export interface Chunking {
  /** Chunks of output tiles with every output channel, or of output channels with every tile. */
  byTiles: boolean;
  /** Tiles, or output channels (a multiple of 8), per chunk. */
  chunk: number;
}

const ACTIVATIONS: Readonly<Record<string, number>> = { linear: 0, relu: 1, relu6: 2 };

const compiled: { plain?: WebAssembly.Module; shared?: WebAssembly.Module } = {};
let compileStarted = false;
const states = new WeakMap<object, HeapState | null>();
let calls = 0;
let enabled = true;
let helperFactory: WinogradHelperFactory | undefined;
/** The helpers of the last heap they were made for: one wasm backend lives at a time. */
let liveHelpers: WinogradHelper[] = [];

function decode(base64: string): Uint8Array<ArrayBuffer> {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/**
 * Compiles both modules asynchronously, once (a page's main thread may not compile more than 4 KiB
 * synchronously): started by the first convolution that needs them, which, like every one until
 * they are ready, goes to XNNPACK. Node's entry compiles them synchronously at import instead
 * (`compileWinogradModules`), so this never runs there.
 */
function compileModulesAsync(): void {
  if (compileStarted) return;
  compileStarted = true;
  WebAssembly.compile(decode(WINOGRAD_WASM_PLAIN)).then(
    (m) => {
      compiled.plain ??= m;
    },
    () => undefined,
  );
  if (typeof SharedArrayBuffer === 'function')
    WebAssembly.compile(decode(WINOGRAD_WASM_SHARED)).then(
      (m) => {
        compiled.shared ??= m;
      },
      () => undefined,
    );
}

/** Compiles both modules now, synchronously (Node's entry calls it on import). Idempotent. */
export function compileWinogradModules(): void {
  compiled.plain ??= new WebAssembly.Module(decode(WINOGRAD_WASM_PLAIN));
  compiled.shared ??= new WebAssembly.Module(decode(WINOGRAD_WASM_SHARED));
}

function isMemory(value: unknown): value is WebAssembly.Memory {
  return typeof WebAssembly === 'object' && value instanceof WebAssembly.Memory;
}

/** The module instantiated on `heap`'s memory; `null` when that memory cannot be found or used. */
function stateFor(heap: WasmEmscriptenModule): HeapState | null | undefined {
  const known = states.get(heap);
  if (known !== undefined) return known;
  const memory = isMemory(heap.wasmMemory)
    ? heap.wasmMemory
    : isMemory(heap.asm?.memory)
      ? heap.asm.memory
      : undefined;
  if (memory === undefined || memory.buffer !== heap.HEAPU8.buffer) {
    states.set(heap, null);
    return null;
  }
  const isShared = typeof SharedArrayBuffer === 'function' && memory.buffer instanceof SharedArrayBuffer;
  const module = isShared ? compiled.shared : compiled.plain;
  if (module === undefined) {
    compileModulesAsync(); // browsers: not remembered, asked again once compiled
    return undefined;
  }
  let state: HeapState | null;
  try {
    const instance = new WebAssembly.Instance(module, { env: { memory } });
    for (const helper of liveHelpers) helper.close();
    liveHelpers = isShared && helperFactory !== undefined ? helperFactory(module, memory) : [];
    state = {
      exports: instance.exports as unknown as WinogradExports,
      memory,
      helpers: liveHelpers,
      counter: 0,
      filters: new Map(),
      scratch: [],
    };
  } catch {
    state = null;
  }
  states.set(heap, state);
  return state;
}

/** The activation's code for `native/winograd.c` when this call takes the Winograd path. */
function eligible(inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap): number | undefined {
  if (!enabled) return undefined;
  const { x, filter, bias, preluActivationWeights } = inputs;
  if (x === undefined || filter === undefined || preluActivationWeights !== undefined) return undefined;
  if (x.dtype !== 'float32' || filter.dtype !== 'float32' || x.shape.length !== 4) return undefined;
  const [fh, fw, c, co] = filter.shape;
  if (fh !== 3 || fw !== 3 || c === undefined || co === undefined) return undefined;
  if (x.shape[3] !== c || c % 4 !== 0 || co % 8 !== 0) return undefined;
  if (tf.util.sizeFromShape(x.shape) === 0) return undefined;
  if (bias !== undefined && (bias.dtype !== 'float32' || tf.util.sizeFromShape(bias.shape) !== co))
    return undefined;
  if ((attrs.dataFormat ?? 'NHWC') !== 'NHWC') return undefined;
  const activation = ACTIVATIONS[(attrs.activation as string | undefined) ?? 'linear'];
  if (activation === undefined) return undefined;
  let info: tf.backend_util.Conv2DInfo;
  try {
    info = tf.backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number],
      filter.shape as [number, number, number, number],
      (attrs.strides ?? 1) as number | [number, number],
      (attrs.dilations ?? 1) as number | [number, number],
      attrs.pad as 'same' | 'valid' | number | tf.backend_util.ExplicitPadding,
      attrs.dimRoundingMode as 'floor' | 'round' | 'ceil' | undefined,
    );
  } catch {
    return undefined; // attributes XNNPACK's kernel reports as wrong
  }
  const { strideHeight, strideWidth, dilationHeight, dilationWidth, padInfo } = info;
  if (strideHeight !== 1 || strideWidth !== 1 || dilationHeight !== 1 || dilationWidth !== 1)
    return undefined;
  const { top, bottom, left, right } = padInfo;
  return top === 1 && bottom === 1 && left === 1 && right === 1 ? activation : undefined;
}

/** Frees the transforms of filters that have been released since. */
function sweep(state: HeapState, backend: WasmBackendInternals): void {
  for (const [dataId, entry] of state.filters) {
    // `has` first: tfjs-core's `DataStorage.get` of a released buffer asks the engine to move it.
    const data = backend.dataIdMap.has(dataId) ? backend.dataIdMap.get(dataId) : undefined;
    if (data === undefined || data.id !== entry.id) {
      backend.wasm._free(entry.pointer);
      state.filters.delete(dataId);
    }
  }
}

/**
 * `bytes` on the wasm heap. `@tfzoo/core`'s `initBackend` makes `_malloc` throw when the heap is
 * full; with tfjs's own, a 0 is answered, and this throws instead.
 */
function allocate(backend: WasmBackendInternals, bytes: number): number {
  const pointer = backend.wasm._malloc(bytes);
  if (pointer === 0) {
    throw new ZooError(
      'OUT_OF_MEMORY',
      `the wasm heap cannot hold ${bytes} more bytes for a Winograd convolution`,
      {
        received: bytes,
        expected: 'an allocation the wasm heap can still hold',
      },
    );
  }
  return pointer;
}

/** The transformed filter's pointer, made on first use. */
function transformedFilter(
  state: HeapState,
  backend: WasmBackendInternals,
  filter: tf.TensorInfo,
  id: number,
  offset: number,
): number {
  const known = state.filters.get(filter.dataId);
  if (known !== undefined && known.id === id) return known.pointer;
  const [, , c, co] = filter.shape as [number, number, number, number];
  const pointer = allocate(backend, 16 * c * co * 4);
  state.exports.wino_transform_filter(offset, pointer, c, co);
  state.filters.set(filter.dataId, { id, pointer });
  return pointer;
}

/** Thread `index`'s scratch buffer of at least `bytes` on the heap, reused across calls. */
function scratch(state: HeapState, backend: WasmBackendInternals, index: number, bytes: number): number {
  const known = state.scratch[index];
  if (known !== undefined && known.bytes >= bytes) return known.pointer;
  if (known !== undefined) {
    backend.wasm._free(known.pointer);
    state.scratch[index] = undefined;
  }
  const pointer = allocate(backend, bytes);
  state.scratch[index] = { pointer, bytes };
  return pointer;
}

/**
 * How a call is cut into chunks for `threads` threads: about three per thread, so that one that
 * starts late costs little. Chunks of tiles while a chunk keeps at least 32 of them (each chunk
 * reads the whole transformed filter, so fewer tiles per chunk would mostly move filter values);
 * else chunks of output channels (the small maps of a network's last stages), each with every tile.
 * One thread takes blocks of `tilesPerBlock` tiles.
 */
export function chunkWork(tiles: number, co: number, threads: number, tilesPerBlock: number): Chunking {
  if (threads <= 1) return { byTiles: true, chunk: tilesPerBlock };
  const tilesPerChunk = Math.min(tilesPerBlock, 4 * Math.ceil(tiles / (3 * threads) / 4));
  if (tilesPerChunk >= 32) return { byTiles: true, chunk: tilesPerChunk };
  return { byTiles: false, chunk: Math.max(8, 8 * Math.floor(co / (3 * threads) / 8)) };
}

/** Runs the Winograd convolution, or returns `undefined` when this call is not one it takes. */
function winograd(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
  attrs?: tf.NamedAttrMap;
}): tf.TensorInfo | undefined {
  const activation = eligible(args.inputs, args.attrs ?? {});
  if (activation === undefined) return undefined;
  const backend = wasmBackendInternals(args.backend);
  if (backend === undefined) return undefined;
  const state = stateFor(backend.wasm);
  if (!state) return undefined;
  const x = args.inputs.x as tf.TensorInfo;
  const filter = args.inputs.filter as tf.TensorInfo;
  const bias = args.inputs.bias;
  const xData = backend.dataIdMap.get(x.dataId);
  const filterData = backend.dataIdMap.get(filter.dataId);
  const biasData = bias === undefined ? undefined : backend.dataIdMap.get(bias.dataId);
  const xOffset = xData?.memoryOffset;
  const filterOffset = filterData?.memoryOffset;
  const biasOffset = bias === undefined ? 0 : biasData?.memoryOffset;
  if (filterData === undefined || xOffset == null || filterOffset == null || biasOffset == null) {
    return undefined;
  }
  sweep(state, backend);
  const [n, h, w, c] = x.shape as [number, number, number, number];
  const co = filter.shape[3] as number;
  const u = transformedFilter(state, backend, filter, filterData.id, filterOffset);
  const tilesPerBlock = Math.max(4, Math.min(64, Math.floor(16384 / c) & ~3));
  const tiles = n * Math.ceil(h / 2) * Math.ceil(w / 2);
  const threads = 1 + state.helpers.length;
  const { byTiles, chunk } = chunkWork(tiles, co, threads, tilesPerBlock);
  const scratchBytes = 16 * (tilesPerBlock * (c + co) + 32) * 4;
  const work = Array.from({ length: threads }, (_, i) => scratch(state, backend, i, scratchBytes));
  if (state.counter === 0) state.counter = allocate(backend, 64);
  const out = backend.makeOutput([n, h, w, co], 'float32');
  const y = (backend.dataIdMap.get(out.dataId) as WasmTensorData).memoryOffset as number;
  const argsOf = (i: number): number[] => [
    xOffset,
    u,
    biasOffset,
    y,
    work[i] as number,
    h,
    w,
    c,
    co,
    tiles,
    tilesPerBlock,
    activation,
    state.counter,
    byTiles ? 1 : 0,
    chunk,
  ];
  Atomics.store(new Int32Array(state.memory.buffer, state.counter, 1), 0, 0);
  // Every helper is waited for, whatever failed: none may still write into `out` or the scratch.
  let failed = false;
  let failure: unknown;
  try {
    state.helpers.forEach((helper, i) => {
      helper.start(argsOf(i + 1));
    });
    state.exports.wino_conv_chunks(...argsOf(0));
  } catch (error) {
    failed = true;
    failure = error;
  }
  for (const helper of state.helpers) {
    try {
      helper.finish();
    } catch (error) {
      if (!failed) failure = error;
      failed = true;
    }
  }
  if (failed) {
    backend.disposeData(out.dataId, true);
    throw failure;
  }
  calls++;
  return out;
}

function replacement(kernelName: string): tf.KernelConfig {
  const original = tf.getKernel(kernelName, 'wasm');
  if (original === undefined)
    throw new Error(`tfjs-backend-wasm registers no ${kernelName} kernel to replace`);
  return {
    kernelName,
    backendName: 'wasm',
    ...(original.setupFunc === undefined ? {} : { setupFunc: original.setupFunc }),
    ...(original.disposeFunc === undefined ? {} : { disposeFunc: original.disposeFunc }),
    kernelFunc: (args) => winograd(args as Parameters<typeof winograd>[0]) ?? original.kernelFunc(args),
  };
}

/** `FusedConv2D` (convolution, bias, activation) with the Winograd path for 3×3 stride-1 filters. */
export const winogradFusedConv2dConfig: tf.KernelConfig = replacement('FusedConv2D');
/** `Conv2D` with the Winograd path for 3×3 stride-1 filters. */
export const winogradConv2dConfig: tf.KernelConfig = replacement('Conv2D');

/**
 * Sets how helper threads are made for a shared memory (the Node entry's `installWinogradThreads`);
 * without a factory the calling thread computes every call alone. Applies to wasm backends created
 * after the call.
 */
export function setWinogradHelpers(factory: WinogradHelperFactory | undefined): void {
  helperFactory = factory;
}

/**
 * Switches the Winograd path of the wasm `Conv2D`/`FusedConv2D` kernels on (the default) or off
 * (every call then goes to tfjs-backend-wasm's XNNPACK kernel), e.g. to compare.
 *
 * @returns whether it was on before.
 */
export function setWinogradConvolution(on: boolean): boolean {
  if (typeof on !== 'boolean') throw invalidArgument('setWinogradConvolution: on', on, 'a boolean');
  const before = enabled;
  enabled = on;
  return before;
}

/** How many convolutions took the Winograd path since this package was loaded. */
export function winogradConvolutionCalls(): number {
  return calls;
}
