/**
 * `Identity` and same-type `Cast` for the wasm backend without a copy. tfjs-backend-wasm 4.22
 * copies the whole buffer for both; tfjs-core runs `Identity` for every gradient it passes through
 * unchanged and for `clone`, and `Cast` to the type a tensor already has in `moments` (batch
 * normalization's statistics) — in a small convolutional network's training step on wasm that is
 * hundreds of copies. Here the output shares the input's buffer and bumps its reference count, as
 * tfjs-backend-wasm's own `Reshape` does and as tfjs-backend-cpu's `Identity` does; tensors are
 * immutable in TF.js, so a shared buffer is never written through. A `Cast` that converts (and any
 * string tensor) runs on tfjs-backend-wasm's own kernel unchanged, except a cast to `bool`:
 * tfjs-backend-wasm 4.22 stores the numbers' low byte truncated (−2.2 becomes 254, 0.5 and 256
 * become 0, i.e. false), where TF.js means `x ≠ 0` (tfjs-backend-cpu, PyTorch's `.bool()`); here it
 * is wasm's `NotEqual` with a zero of the input's type.
 * Reference semantics: tfjs-core `clone` and `cast`.
 */
import '@tensorflow/tfjs-backend-wasm'; // its kernels must be registered before we capture them
import * as tf from '@tensorflow/tfjs-core';
import { composed } from './kernel-scope.js';

/** The reference counting of tfjs-backend-wasm's `BackendWasm`. */
interface RefCountedBackend {
  incRef(dataId: tf.DataId): void;
}

const wasmIdentity = tf.getKernel(tf.Identity, 'wasm');
const wasmCast = tf.getKernel(tf.Cast, 'wasm');

/** `x` itself as a new tensor: the same buffer, one more reference. */
function share(backend: tf.KernelBackend, x: tf.TensorInfo): tf.TensorInfo {
  (backend as unknown as RefCountedBackend).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

/** Kernel function of `Identity` on wasm: shares the buffer. */
export const identityShared: tf.KernelFunc = (args) => {
  const { x } = args.inputs as unknown as tf.IdentityInputs;
  if (x!.dtype === 'string') {
    if (wasmIdentity === undefined) throw new Error('tfjs-backend-wasm registered no Identity kernel');
    return wasmIdentity.kernelFunc(args);
  }
  return share(args.backend as tf.KernelBackend, x!);
};

/**
 * Kernel function of `Cast` on wasm: shares the buffer when the type does not change, casts a number
 * to `bool` as `x ≠ 0`.
 */
export const castShared: tf.KernelFunc = (args) => {
  const { x } = args.inputs as unknown as tf.CastInputs;
  const { dtype } = args.attrs as unknown as tf.CastAttrs;
  const backend = args.backend as tf.KernelBackend;
  if (x!.dtype === dtype && dtype !== 'string') return share(backend, x!);
  if (dtype === 'bool' && (x!.dtype === 'float32' || x!.dtype === 'int32')) {
    return composed(backend, 'wasm', (scope) => {
      const zero = scope.run(tf.Fill, {}, { shape: [], value: 0, dtype: x!.dtype });
      return scope.run(tf.NotEqual, { a: x!, b: zero });
    });
  }
  if (wasmCast === undefined) throw new Error('tfjs-backend-wasm registered no Cast kernel');
  return wasmCast.kernelFunc(args);
};

/** `Identity` for the wasm backend (no copy). */
export const identityConfig: tf.KernelConfig = {
  kernelName: tf.Identity,
  backendName: 'wasm',
  kernelFunc: identityShared,
  ...(wasmIdentity?.setupFunc ? { setupFunc: wasmIdentity.setupFunc } : {}),
};

/** `Cast` for the wasm backend (no copy when the type does not change; a correct cast to `bool`). */
export const castConfig: tf.KernelConfig = {
  kernelName: tf.Cast,
  backendName: 'wasm',
  kernelFunc: castShared,
  ...(wasmCast?.setupFunc ? { setupFunc: wasmCast.setupFunc } : {}),
};
