/**
 * Batch-norm folding (Jacob et al., "Quantization and Training of Neural Networks for Efficient
 * Integer-Arithmetic-Only Inference", 2018, §3.2; PyTorch `torch/nn/utils/fusion.py`,
 * `fuse_conv_bn_weights`): an inference-mode batch-norm after a linear layer is a per-channel
 * affine map `y·s + t`, with `s = γ / √(σ² + ε)` and `t = β − μ·s`, which the linear layer absorbs
 * as `W·s` and `(b − μ)·s + β`.
 */
import * as tf from '@tensorflow/tfjs-core';

/** A batch-norm in inference form: `y · scale + shift`, per channel. */
export interface ChannelAffine {
  /** `γ / √(σ² + ε)`, one value per channel. */
  scale: tf.Tensor1D;
  /** `β − μ · scale`, one value per channel. */
  shift: tf.Tensor1D;
}

/** The moving statistics and affine parameters of a batch-norm layer. */
export interface BatchNormParameters {
  /** Moving mean μ. */
  mean: tf.Tensor1D;
  /** Moving variance σ². */
  variance: tf.Tensor1D;
  /** γ, or undefined when the layer does not scale. */
  gamma?: tf.Tensor1D;
  /** β, or undefined when the layer does not center. */
  beta?: tf.Tensor1D;
  /** ε. */
  epsilon: number;
}

/** The per-channel affine map a batch-norm computes at inference. */
export function batchNormAffine(bn: BatchNormParameters): ChannelAffine {
  return tf.tidy(() => {
    const inv = tf.rsqrt(tf.add(bn.variance, bn.epsilon));
    const scale = (bn.gamma ? tf.mul(inv, bn.gamma) : inv) as tf.Tensor1D;
    const shifted = tf.neg(tf.mul(bn.mean, scale));
    const shift = (bn.beta ? tf.add(shifted, bn.beta) : shifted) as tf.Tensor1D;
    return { scale, shift };
  });
}

/**
 * Folds `affine` into a linear layer whose output channels are the last axis of `kernel` (conv
 * `[kh, kw, in, out]`, dense `[in, out]`); for a depthwise kernel `[kh, kw, C, m]`, pass
 * `depthwise` so that output channel `c·m + j` takes scale `c·m + j`. Returns new tensors.
 */
export function foldAffine(
  kernel: tf.Tensor,
  bias: tf.Tensor1D | undefined,
  affine: ChannelAffine,
  depthwise = false,
): { kernel: tf.Tensor; bias: tf.Tensor1D } {
  return tf.tidy(() => {
    const scale = depthwise
      ? tf.reshape(affine.scale, [kernel.shape[2] as number, kernel.shape[3] as number])
      : affine.scale;
    const folded = tf.mul(kernel, scale);
    const newBias = (
      bias ? tf.add(tf.mul(bias, affine.scale), affine.shift) : tf.clone(affine.shift)
    ) as tf.Tensor1D;
    return { kernel: folded, bias: newBias };
  });
}
