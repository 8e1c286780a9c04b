/**
 * Leaner gradients for the wasm backend: batch normalization's (`FusedBatchNorm`) and those of the
 * reductions its statistics use (`Mean`, `Sum`). tfjs-core 4.22 writes them with full-size
 * intermediates it does not need — `ones(x.shape)` multiplied in to broadcast a reduced gradient
 * back (two passes where one `broadcastTo` does), and for batch norm a per-channel vector tiled to
 * the activation's shape, and an activation-sized product for each of its five gradients, most of
 * which are per-channel sums. These compute the same values (the standard closed forms) with
 * fewer passes over the activation; on a `[128, 28, 28, 16]` activation a batch-norm layer's
 * training step on wasm (forward and backward, with this package's kernels) takes about half the
 * time of tfjs-core's gradients.
 *
 * The gradient registry of tfjs-core is global, not per backend, so each gradient here hands over to
 * the one it replaced whenever the active backend is not `wasm`.
 */
import '@tensorflow/tfjs-layers'; // registers tfjs-core's gradients first, so these take their place
import * as tf from '@tensorflow/tfjs-core';

/** One gradient of {@link WASM_GRADIENTS}. */
export interface WasmGradient {
  /** The kernel it differentiates (a tfjs-core kernel name). */
  kernelName: string;
  /** The gradient function, in tfjs-core's `GradConfig` form. */
  gradFunc: tf.GradConfig['gradFunc'];
}

type GradFunc = WasmGradient['gradFunc'];

/** `shape` with the `axes` set to 1. */
function keptDims(shape: readonly number[], axes: readonly number[]): number[] {
  const out = shape.slice();
  for (const axis of axes) out[axis] = 1;
  return out;
}

/** Sums `t` over the axes along which a tensor of `shape` broadcasts to it, then takes `shape`. */
function reduceTo(t: tf.Tensor, shape: number[]): tf.Tensor {
  const axes = tf.backend_util.getReductionAxes(shape, t.shape);
  return tf.reshape(axes.length > 0 ? tf.sum(t, axes, true) : t, shape);
}

const meanGrad: GradFunc = (dy, saved, attrs) => {
  const [x] = saved as [tf.Tensor];
  const axes = tf.util.parseAxisParam((attrs as unknown as tf.MeanAttrs).axis, x.shape);
  const count = axes.reduce((product, axis) => product * x.shape[axis]!, 1);
  return {
    x: () => tf.broadcastTo(tf.div(tf.reshape(dy as tf.Tensor, keptDims(x.shape, axes)), count), x.shape),
  };
};

const sumGrad: GradFunc = (dy, saved, attrs) => {
  const [x] = saved as [tf.Tensor];
  const axes = tf.util.parseAxisParam((attrs as unknown as tf.SumAttrs).axis, x.shape);
  return { x: () => tf.broadcastTo(tf.reshape(dy as tf.Tensor, keptDims(x.shape, axes)), x.shape) };
};

/**
 * `y = (x − μ)·γ·r + β` with `r = 1/√(σ² + ε)`. With `S₁ = Σ dy` and `S₂ = Σ dy·(x − μ)` over the
 * axes along which μ broadcasts: `∂x = dy·γ·r`, `∂μ = −S₁·γ·r`, `∂σ² = −½·S₂·γ·r³`, `∂γ = S₂·r`,
 * `∂β = S₁` (each summed further to its own input's shape where that broadcasts).
 */
const fusedBatchNormGrad: GradFunc = (dy, saved, attrs) => {
  const [x, mean, variance, scale] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor | null];
  const { varianceEpsilon } = attrs as unknown as tf.FusedBatchNormAttrs;
  const g = dy as tf.Tensor;
  const axes = tf.backend_util.getReductionAxes(mean.shape, x.shape);
  const r = tf.rsqrt(tf.add(variance, varianceEpsilon));
  const gain = scale == null ? r : tf.mul(scale, r);
  // tfjs-core runs each input's gradient in its own tidy, so the two sums cannot be shared between
  // them: each closure computes what it needs, and only the needed closures run.
  const sumDy = () => tf.sum(g, axes, true);
  const sumDyCentered = () => tf.sum(tf.mul(g, tf.sub(x, mean)), axes, true);
  return {
    x: () => tf.mul(g, gain),
    mean: () => reduceTo(tf.neg(tf.mul(sumDy(), gain)), mean.shape),
    variance: () =>
      reduceTo(tf.mul(sumDyCentered(), tf.mul(gain, tf.mul(tf.square(r), -0.5))), variance.shape),
    scale: () => reduceTo(tf.mul(sumDyCentered(), r), (scale ?? r).shape),
    offset: () => reduceTo(sumDy(), mean.shape),
  };
};

/** The gradients this package puts in place of tfjs-core's while the wasm backend is active. */
export const WASM_GRADIENTS: readonly WasmGradient[] = [
  { kernelName: tf.Mean, gradFunc: meanGrad },
  { kernelName: tf.Sum, gradFunc: sumGrad },
  { kernelName: tf.FusedBatchNorm, gradFunc: fusedBatchNormGrad },
];

const installed = new Set<GradFunc>();

/**
 * Registers the wasm gradients of {@link WASM_GRADIENTS}, each delegating to the gradient it
 * replaces on every other backend. Idempotent. Importing `@tfzoo/wasm-training` calls this; a
 * library that registers tfjs-core's gradients again afterwards (importing `@tensorflow/tfjs` later,
 * say) puts the originals back, which is correct, only slower — call this again then.
 *
 * @returns the kernel names whose gradient this call replaced.
 */
export function registerWasmTrainingGradients(): string[] {
  const replaced: string[] = [];
  for (const { kernelName, gradFunc } of WASM_GRADIENTS) {
    const current = tf.getGradient(kernelName);
    if (current !== undefined && installed.has(current.gradFunc)) continue;
    if (current === undefined) {
      throw new Error(
        `tfjs-core registered no gradient for ${kernelName}; expected one to replace on wasm only`,
      );
    }
    const original = current.gradFunc;
    const wrapped: GradFunc = (dy, saved, attrs) =>
      tf.getBackend() === 'wasm' ? gradFunc(dy, saved, attrs) : original(dy, saved, attrs);
    installed.add(wrapped);
    tf.registerGradient({ ...current, gradFunc: wrapped });
    replaced.push(kernelName);
  }
  return replaced;
}

/** ReLU's gradient from its output (see {@link registerReluGradientFromOutput}). */
const reluFromOutput: GradFunc = (dy, saved) => {
  const [y] = saved as [tf.Tensor];
  return { x: () => tf.mul(dy as tf.Tensor, tf.step(y)) };
};

/**
 * Puts ReLU's gradient from its output in place of tfjs-core's from its input:
 * `relu'(x) = step(x) = step(relu(x))` (both 0 at 0), so the values are the same, and the input (a
 * batch norm's output in a ResNet, a convolution's pre-activation in VGG) need not live until the
 * backward pass: the output is kept anyway, by the next layer that reads it. PyTorch's in-place
 * ReLU keeps one tensor the same way. Unlike {@link WASM_GRADIENTS}, it is registered for every
 * backend: what a kernel saves is part of its gradient's registration, not chosen per call, and the
 * values are the same on all. Idempotent; importing `@tfzoo/wasm-training` calls it.
 *
 * @returns whether this call registered it (false when it already was).
 */
export function registerReluGradientFromOutput(): boolean {
  const current = tf.getGradient(tf.Relu);
  if (current?.gradFunc === reluFromOutput) return false;
  tf.registerGradient({ kernelName: tf.Relu, outputsToSave: [true], gradFunc: reluFromOutput });
  return true;
}
