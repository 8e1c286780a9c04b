/**
 * Dense layers in training mode on wasm without a packed copy of their kernel kept for the step.
 *
 * tfjs-backend-wasm multiplies through XNNPACK, which packs (copies) the right operand and keeps the
 * packed copy while that operand's buffer lives. In a forward pass the right operand is the layer's
 * kernel, whose buffer lives until the optimizer replaces it: during the whole backward pass, the
 * step's peak, a second copy of every dense kernel sits on the heap (411 MB for VGG's first
 * 25088×4096 layer). Inference reuses that copy on every call, which is what it is for; a training
 * step uses it once, since the update changes the kernel.
 *
 * So in training mode on the wasm backend, a dense layer with a 2-D input multiplies by a copy of
 * its kernel, released (with XNNPACK's packed copy) as soon as the product is made: one pass over
 * the kernel more per step, which XNNPACK's packing made anyway. The product is a custom-gradient op
 * saving the input and the kernel itself, with `∂x = dy·Wᵀ` and `∂W = xᵀ·dy` (this package's
 * `BatchMatMul` computes `dy·Wᵀ` as `(W·dyᵀ)ᵀ`, packing neither `W` nor a transpose of it). The bias
 * and the activation follow as tfjs-layers' own ops. It replaces `Dense.prototype.call` and hands
 * over to the original in every other case.
 *
 * An inference call before training (an evaluation, a check of the logits) leaves XNNPACK's packed
 * copy of the kernel behind, kept until the kernel's buffer goes. So an inference call on wasm marks
 * the kernel, and the next training-mode call retires the id of a marked kernel's buffer first
 * (`renewWasmBufferId`: the values stay where they are), which releases the packed copy before the
 * step's activations are made.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { renewWasmBufferId } from './in-place-update.js';

/** The fields of tfjs-layers' `Dense` this reads. */
interface DenseLayer {
  invokeCallHook?(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): void;
  kernel: tfl.LayerVariable | null;
  bias: tfl.LayerVariable | null;
  activation: { apply(x: tf.Tensor): tf.Tensor } | null;
}

type CallFn = (inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>) => tf.Tensor | tf.Tensor[];

/** `x·W` whose forward pass releases the packed copy of `W` at once (see the module comment). */
function productReleasingPackedKernel(x: tf.Tensor2D, kernel: tf.Tensor2D): tf.Tensor2D {
  return tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [input, w, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
    save([input, w]);
    // A buffer of its own: XNNPACK's packed copy is keyed to it and released with it.
    const value = tf.tidy(() => tf.matMul(input, tf.mul(w, 1)));
    return {
      value,
      gradFunc: (dy, saved) => {
        const [xs, ws] = saved as [tf.Tensor2D, tf.Tensor2D];
        return [tf.matMul(dy as tf.Tensor2D, ws, false, true), tf.matMul(xs, dy as tf.Tensor2D, true, false)];
      },
    };
  })(x, kernel) as tf.Tensor2D;
}

let original: CallFn | undefined;

/** Kernels an inference call on wasm has multiplied by: XNNPACK keeps a packed copy of each. */
const packedByInference = new WeakSet<tf.Variable>();

/** The tfjs-layers `Dense` class (from a layer it builds). */
function denseClass(): { prototype: { call: CallFn } } {
  const layer = tfl.layers.dense({ units: 1 });
  return layer.constructor as unknown as { prototype: { call: CallFn } };
}

/**
 * Puts the lean training-mode dense layer in place (see the module comment). Idempotent; importing
 * `@tfzoo/wasm-training` calls it.
 *
 * @returns whether this call installed it (false when it already was).
 */
export function installLeanDenseTraining(): boolean {
  if (original !== undefined) return false;
  const prototype = denseClass().prototype;
  const previous = prototype.call;
  original = previous;
  prototype.call = function leanDenseCall(this: DenseLayer, inputs, kwargs) {
    const input = Array.isArray(inputs) ? inputs[0] : inputs;
    if (
      kwargs?.training !== true ||
      tf.getBackend() !== 'wasm' ||
      input === undefined ||
      input.rank !== 2 ||
      input.dtype !== 'float32' ||
      this.kernel === null
    ) {
      if (kwargs?.training !== true && this.kernel !== null && tf.getBackend() === 'wasm')
        packedByInference.add(this.kernel.read() as tf.Variable);
      return previous.call(this, inputs, kwargs);
    }
    const kernel = this.kernel.read() as tf.Variable;
    if (packedByInference.delete(kernel)) renewWasmBufferId(kernel);
    return tf.tidy(() => {
      this.invokeCallHook?.(inputs, kwargs);
      let output: tf.Tensor = productReleasingPackedKernel(
        input as tf.Tensor2D,
        kernel as tf.Tensor as tf.Tensor2D,
      );
      if (this.bias !== null) output = tf.add(output, this.bias.read());
      if (this.activation !== null) output = this.activation.apply(output);
      return output;
    });
  };
  return true;
}
