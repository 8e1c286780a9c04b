/**
 * Variables updated in place on the wasm heap.
 *
 * `Variable.assign(newValue)` in tfjs-core makes the variable take the new value's buffer and
 * releases its own. An optimizer step on wasm therefore moves every weight to wherever the heap had
 * room for its new value, step after step. The weights, allocated once when the model was built,
 * end up scattered among the holes the step's activations leave, and the next step's activations
 * find the free space cut into pieces: VGG-16's first step at batch 16 fits a 4 GiB heap, its
 * second does not (no room left for fc6's 411 MB gradient at a 3.79 GiB heap with 1.8 GiB of
 * tensors alive). PyTorch's optimizers write into the weights' own storage.
 *
 * On the wasm backend, `assign` here copies the new value into the variable's buffer instead, when
 * nothing else reads that buffer (its reference count is 1: no clone, reshape or gradient-tape copy
 * of it is alive) and the new value has the variable's type and shape; the new value is left to its
 * owner to release, as before. The buffer's id in tfjs-backend-wasm's C++ registry is renewed, which
 * runs the disposal callbacks of the old id: XNNPACK's operators cached with a packed copy of the
 * old values (a convolution's filter, a product's right operand) are released with it and are never
 * used with stale values. In every other case, and on every other backend, `assign` is tfjs-core's.
 * The values are the same either way; only where they live differs.
 */
import * as tf from '@tensorflow/tfjs-core';
import { type WasmBackendInternals, wasmBackendInternals } from './wasm-internals.js';

/** The wasm backend's internals, when the current backend is tfjs-backend-wasm's. */
function wasmInternals(): WasmBackendInternals | undefined {
  return tf.getBackend() === 'wasm' ? wasmBackendInternals(tf.backend()) : undefined;
}

/**
 * Gives the buffer of `tensor` a new id in tfjs-backend-wasm's C++ registry, its memory and values
 * unchanged. Retiring the old id runs its disposal callbacks, which release the XNNPACK operators
 * (and their packed copies of the values) cached for it.
 *
 * @returns whether it did (false when `tensor` does not live in the current wasm backend's heap).
 */
export function renewWasmBufferId(tensor: tf.Tensor): boolean {
  const backend = wasmInternals();
  const data = backend?.dataIdMap.get(tensor.dataId);
  if (backend === undefined || data === undefined || data.memoryOffset == null) return false;
  backend.wasm.tfjs.disposeData(data.id);
  const id = backend.dataIdNextNumber++;
  backend.wasm.tfjs.registerTensor(id, tf.util.sizeFromShape(data.shape), data.memoryOffset);
  data.id = id;
  return true;
}

/**
 * Copies `value` into `variable`'s own buffer on the wasm heap (see the module comment).
 *
 * @returns whether it did; false leaves both untouched (another backend, a shared buffer, another
 *   type or shape, a disposed tensor).
 */
export function assignInPlace(variable: tf.Variable, value: tf.Tensor): boolean {
  if (variable.isDisposed || value.isDisposed) return false;
  if (variable.dtype !== value.dtype || (value.dtype !== 'float32' && value.dtype !== 'int32')) return false;
  if (!tf.util.arraysEqual(variable.shape, value.shape)) return false;
  const backend = wasmInternals();
  if (backend === undefined) return false;
  const target = backend.dataIdMap.get(variable.dataId);
  const source = backend.dataIdMap.get(value.dataId);
  if (target === undefined || source === undefined || target === source) return false;
  if (
    target.memoryOffset == null ||
    source.memoryOffset == null ||
    target.memoryOffset === source.memoryOffset
  )
    return false;
  if (target.refCount !== 1) return false;
  const bytes = tf.util.sizeFromShape(variable.shape) * 4;
  backend.wasm.HEAPU8.copyWithin(target.memoryOffset, source.memoryOffset, source.memoryOffset + bytes);
  renewWasmBufferId(variable);
  return true;
}

let originalAssign: ((this: tf.Variable, newValue: tf.Tensor) => void) | undefined;

/**
 * Makes `Variable.assign` update in place on the wasm backend (see the module comment). Idempotent;
 * importing `@tfzoo/wasm-training` calls it.
 *
 * @returns whether this call installed it (false when it already was).
 */
export function installInPlaceVariableUpdates(): boolean {
  if (originalAssign !== undefined) return false;
  const prototype = tf.Variable.prototype as unknown as {
    assign(this: tf.Variable, newValue: tf.Tensor): void;
  };
  const previous = prototype.assign;
  originalAssign = previous;
  prototype.assign = function assignInPlaceOnWasm(this: tf.Variable, newValue: tf.Tensor): void {
    if (!assignInPlace(this, newValue)) previous.call(this, newValue);
  };
  return true;
}
