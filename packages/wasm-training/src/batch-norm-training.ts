/**
 * Batch normalization in training mode with one saved activation instead of three, on wasm.
 *
 * tfjs-layers' `BatchNormalization` trains through `tf.moments` and `tf.batchNormalization`, so the
 * gradient tape keeps, per layer, the input, the centred input `x − μ` (saved by `Square`) and its
 * square (saved by the second `Mean`): two activation-sized tensors more than the backward pass
 * needs. PyTorch's batch norm saves its input and the per-channel statistics only
 * (`aten/src/ATen/native/Normalization.cpp`), and so does this: the statistics are computed off the
 * tape, and the normalization is one custom-gradient op saving `x` (whose buffer the producing
 * convolution keeps anyway), μ, σ² and γ, with the closed-form gradient
 * `∂x = γ·r·(dy − mean(dy) − x̂·mean(dy·x̂))`, `∂γ = Σ dy·x̂`, `∂β = Σ dy` (`r = 1/√(σ² + ε)`,
 * `x̂ = (x − μ)·r`, means and sums over every axis but the channels). The gradient releases each
 * activation-sized temporary as soon as it is read and forms `x̂` and the `x̂` terms of `∂x` with
 * the per-channel affine kernel (`tf.batchNorm`), so at most three such temporaries live at once.
 *
 * The forward values are those of tfjs-layers (the same kernels in the same order); the moving
 * statistics are updated with the same formula. It replaces `BatchNormalization.prototype.call`
 * and hands over to the original except in training mode on the wasm backend for a layer that
 * normalizes the last axis with both γ and β.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

/** The fields of tfjs-layers' `BatchNormalization` this reads. */
interface BatchNormLayer {
  axis: number;
  epsilon: number;
  momentum: number;
  center: boolean;
  scale: boolean;
  gamma: tfl.LayerVariable | null;
  beta: tfl.LayerVariable | null;
  movingMean: tfl.LayerVariable;
  movingVariance: tfl.LayerVariable;
}

type CallFn = (inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>) => tf.Tensor | tf.Tensor[];

/** Per-channel mean and (biased) variance over every axis but the last, off the gradient tape. */
function statistics(x: tf.Tensor, axes: number[]): [tf.Tensor, tf.Tensor] {
  // A custom-gradient op records one tape node saving nothing; its gradient is never asked for
  // (the statistics feed the moving averages and, as constants, the normalization below).
  const both = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [input, save] = args as [tf.Tensor, tf.GradSaveFunc];
    save([]);
    const value = tf.tidy(() => {
      const moments = tf.moments(input, axes);
      return tf.stack([moments.mean, moments.variance]);
    });
    return { value, gradFunc: () => [tf.zerosLike(input)] };
  })(x) as tf.Tensor;
  const [mean, variance] = tf.unstack(both) as [tf.Tensor, tf.Tensor];
  both.dispose();
  return [mean, variance];
}

/** `γ·(x − μ)/√(σ² + ε) + β` with μ, σ² the batch statistics, differentiated through them. */
function normalizeInTraining(
  x: tf.Tensor,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  mean: tf.Tensor,
  variance: tf.Tensor,
  epsilon: number,
  axes: number[],
): tf.Tensor {
  const count = axes.reduce((n, axis) => n * x.shape[axis]!, 1);
  return tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [input, g, b, save] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    save([input, mean, variance, g]);
    return {
      value: tf.batchNorm(input, mean, variance, b, g, epsilon),
      gradFunc: (dy, saved) => {
        const [xs, mu, sigma2, gs] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
        const grad = dy as tf.Tensor;
        // Activation-sized temporaries are released as soon as they are read, so at most three
        // live at once (left to the gradient's scope, all seven would live until it returns).
        const sumDy = tf.sum(grad, axes);
        // x̂ = (x − μ)·r through the per-channel affine kernel (one pass, no centred copy).
        const xhat = tf.batchNorm(xs, mu, sigma2, undefined, undefined, epsilon);
        const product = tf.mul(grad, xhat);
        xhat.dispose();
        const sumDyXhat = tf.sum(product, axes);
        product.dispose();
        const gr = tf.mul(gs, tf.rsqrt(tf.add(sigma2, epsilon)));
        // ∂x = γr·dy − (γr·Σdy·x̂/N)·x̂ − γr·Σdy/N; the last two terms are one affine map of x.
        const shifted = tf.batchNorm(
          xs,
          mu,
          sigma2,
          tf.neg(tf.mul(gr, tf.div(sumDy, count))),
          tf.neg(tf.mul(gr, tf.div(sumDyXhat, count))),
          epsilon,
        );
        const scaled = tf.mul(grad, gr);
        const dx = tf.add(scaled, shifted);
        tf.dispose([scaled, shifted]);
        return [dx, sumDyXhat, sumDy];
      },
    };
  })(x, gamma, beta) as tf.Tensor;
}

let original: CallFn | undefined;

/** The tfjs-layers `BatchNormalization` class (from the serialization registry it registers in). */
function batchNormalizationClass(): { prototype: { call: CallFn } } {
  const layer = tfl.layers.batchNormalization({});
  return layer.constructor as unknown as { prototype: { call: CallFn } };
}

/**
 * Puts the lean training-mode batch normalization in place (see the module comment). Idempotent;
 * importing `@tfzoo/wasm-training` calls it.
 *
 * @returns whether this call installed it (false when it already was).
 */
export function installLeanBatchNormTraining(): boolean {
  const prototype = batchNormalizationClass().prototype;
  if (original !== undefined) return false;
  const previous = prototype.call;
  original = previous;
  prototype.call = function leanCall(this: BatchNormLayer, inputs, kwargs) {
    const input = Array.isArray(inputs) ? inputs[0] : inputs;
    const rank = input?.rank ?? 0;
    const lastAxis = this.axis === -1 || this.axis === rank - 1;
    if (
      kwargs?.training !== true ||
      tf.getBackend() !== 'wasm' ||
      input === undefined ||
      rank < 2 ||
      !lastAxis ||
      input.dtype !== 'float32' ||
      this.gamma === null ||
      this.beta === null
    ) {
      return previous.call(this, inputs, kwargs);
    }
    return tf.tidy(() => {
      const axes = Array.from({ length: rank - 1 }, (_, i) => i);
      const [mean, variance] = statistics(input, axes);
      const y = normalizeInTraining(
        input,
        this.gamma!.read(),
        this.beta!.read(),
        mean,
        variance,
        this.epsilon,
        axes,
      );
      // tfjs-layers' update: moving ← moving − (moving − batch)·(1 − momentum).
      for (const [variable, value] of [
        [this.movingMean, mean],
        [this.movingVariance, variance],
      ] as const) {
        tf.tidy(() => {
          const current = variable.read();
          variable.write(tf.sub(current, tf.mul(tf.sub(current, value), 1 - this.momentum)));
        });
      }
      return y;
    });
  };
  return true;
}
