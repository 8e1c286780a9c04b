/**
 * `Tanh` for the wasm backend as a rational function on the wasm heap. tfjs-backend-wasm 4.22 calls
 * the C library's `tanh` per value (≈ 30 ns each here: 10 ms of LeNet-5's 45 ms training step on
 * its 400k activations), and so does JavaScript's `Math.tanh`. Here
 * `tanh(x) = x·P(x²)/Q(x²)` with P and Q of degree 4, evaluated in double precision and rounded to
 * float32: within 6·10⁻⁸ relative error of tanh on [0, 9] (a weighted least-squares fit of the
 * relative error, iterated on the denominator), at most one float32 unit in the last place from
 * the correctly rounded value; beyond |x| > 9, tanh rounds to ±1 in float32. NaN stays NaN.
 * Reference semantics: tfjs-backend-cpu `kernels/Tanh.ts` (`Math.tanh`), TensorFlow's `Tanh` op.
 */
import * as tf from '@tensorflow/tfjs-core';
import { composed } from './kernel-scope.js';

/** Numerator coefficients p₀…p₄ of P(s), s = x². */
const P = [
  0.9999999832234252, 0.13392425730117669, 0.0035091259584596334, 2.0831808716598697e-5,
  1.3663212783399104e-8,
] as const;
/** Denominator coefficients q₀…q₄ of Q(s), s = x². */
const Q = [1, 0.46725744378371625, 0.02592848921684439, 0.0003307772182924335, 7.902856911760903e-7] as const;

/** Writes tanh of every value of `x` into `out` (same length). */
export function tanhInto(x: Float32Array, out: Float32Array): void {
  const [p0, p1, p2, p3, p4] = P;
  const [, q1, q2, q3, q4] = Q;
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (v > 9) out[i] = 1;
    else if (v < -9) out[i] = -1;
    else {
      const s = v * v;
      out[i] =
        (v * (p0 + s * (p1 + s * (p2 + s * (p3 + s * p4))))) / (1 + s * (q1 + s * (q2 + s * (q3 + s * q4))));
    }
  }
}

/** Kernel function of `Tanh` on the wasm heap. */
export const tanhHeap: tf.KernelFunc = ({ inputs, backend }) => {
  const { x } = inputs as unknown as tf.UnaryInputs;
  return composed(backend as tf.KernelBackend, 'wasm', (scope) =>
    scope.written([...x!.shape], [x!], (out, values) => tanhInto(values!, out)),
  );
};

/** `Tanh` for the wasm backend (replaces tfjs-backend-wasm's per-value libm call). */
export const tanhConfig: tf.KernelConfig = {
  kernelName: tf.Tanh,
  backendName: 'wasm',
  kernelFunc: tanhHeap,
};
