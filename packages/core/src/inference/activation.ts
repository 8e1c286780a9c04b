/**
 * Activations as the fused kernels see them: the part a `tf.fused.*` call applies itself (ReLU,
 * ReLU6, sigmoid, ELU, leaky ReLU), a constant added to the bias first (PyTorch's hard sigmoid is
 * `relu6(y + 3) / 6`), and element-wise work left after the kernel (the `/ 6`, hard swish, SiLU).
 */
import * as tf from '@tensorflow/tfjs-core';

/** Activations every TF.js backend fuses into `conv2d`, `depthwiseConv2d` and `matMul`. */
export type FusedActivationName = 'linear' | 'relu' | 'relu6' | 'sigmoid' | 'elu' | 'leakyrelu';

/** An activation split into what a fused kernel does and what runs after it. */
export interface FusedActivation {
  /** Applied inside the fused kernel. */
  fused: FusedActivationName;
  /** Slope of `leakyrelu`. */
  leakyreluAlpha?: number;
  /** Added to every bias value before the kernel (PyTorch hard sigmoid's `+ 3`). */
  biasOffset?: number;
  /** Element-wise work after the kernel, or undefined. */
  post?: (y: tf.Tensor) => tf.Tensor;
  /** Short name for plans and reports (`relu`, `hardSwish`, …). */
  label: string;
}

/** No activation. */
export const LINEAR: FusedActivation = { fused: 'linear', label: 'linear' };

function hardSwish(y: tf.Tensor): tf.Tensor {
  return tf.mul(tf.mul(y, tf.relu6(tf.add(y, 3))), 1 / 6);
}

/**
 * tfjs-layers' serialized activation names (the `activation` of `Conv2D`, `Dense`, `Activation`)
 * that fuse whole. The others (tanh, softmax, Keras's hard sigmoid `clip(0.2x + 0.5)`, …) are
 * applied after the kernel by the layer's own activation object.
 */
const TFJS_FUSABLE: Record<string, FusedActivationName> = {
  linear: 'linear',
  relu: 'relu',
  relu6: 'relu6',
  sigmoid: 'sigmoid',
  elu: 'elu',
};

/** A tfjs-layers activation name as a fused activation, or undefined when it does not fuse. */
export function tfjsActivation(name: unknown): FusedActivation | undefined {
  if (typeof name !== 'string') return undefined;
  const fused = TFJS_FUSABLE[name];
  return fused === undefined ? undefined : { fused, label: name };
}

/**
 * tfzoo's activation names (`@tfzoo/layers`'s `ActivationName`, PyTorch definitions) as fused
 * activations, or undefined for those left to the layer (mish, GELU).
 */
export function torchActivation(name: unknown): FusedActivation | undefined {
  switch (name) {
    case 'linear':
    case 'relu':
    case 'relu6':
    case 'sigmoid':
      return { fused: name, label: name };
    case 'hardSigmoid':
      return { fused: 'relu6', biasOffset: 3, post: (y) => tf.mul(y, 1 / 6), label: 'hardSigmoid' };
    case 'hardSwish':
      return { fused: 'linear', post: hardSwish, label: 'hardSwish' };
    case 'silu':
      return { fused: 'linear', post: (y) => tf.mul(y, tf.sigmoid(y)), label: 'silu' };
    default:
      return undefined;
  }
}

/** tfzoo's parameter-free activation layers (`@tfzoo/layers`) by class name. */
const TORCH_ACTIVATION_LAYERS: Record<string, string> = {
  'tfzoo>ReLU6': 'relu6',
  'tfzoo>HardSigmoid': 'hardSigmoid',
  'tfzoo>HardSwish': 'hardSwish',
  'tfzoo>SiLU': 'silu',
};

/**
 * The activation a parameter-free activation layer computes, as a fused activation: tfjs-layers'
 * `ReLU` (with no cap or a cap of 6), `Activation`, `LeakyReLU`, `ELU` (α = 1) and tfzoo's
 * activation layers; undefined for any other layer.
 */
export function activationOfLayer(
  className: string,
  config: Record<string, unknown>,
): FusedActivation | undefined {
  switch (className) {
    case 'ReLU': {
      const max = config.maxValue;
      if (max === null || max === undefined) return { fused: 'relu', label: 'relu' };
      return max === 6 ? { fused: 'relu6', label: 'relu6' } : undefined;
    }
    case 'Activation':
      return tfjsActivation(config.activation);
    case 'LeakyReLU':
      return typeof config.alpha === 'number'
        ? { fused: 'leakyrelu', leakyreluAlpha: config.alpha, label: 'leakyrelu' }
        : undefined;
    case 'ELU':
      return config.alpha === 1 ? { fused: 'elu', label: 'elu' } : undefined;
    default: {
      const torch = TORCH_ACTIVATION_LAYERS[className];
      return torch === undefined ? undefined : torchActivation(torch);
    }
  }
}

/** Applies `activation` to `y` with plain ops (for layers that are not fused). */
export function applyActivation(y: tf.Tensor, activation: FusedActivation): tf.Tensor {
  let out = activation.biasOffset ? tf.add(y, activation.biasOffset) : y;
  switch (activation.fused) {
    case 'relu':
      out = tf.relu(out);
      break;
    case 'relu6':
      out = tf.relu6(out);
      break;
    case 'sigmoid':
      out = tf.sigmoid(out);
      break;
    case 'elu':
      out = tf.elu(out);
      break;
    case 'leakyrelu':
      out = tf.leakyRelu(out, activation.leakyreluAlpha ?? 0.2);
      break;
    default:
      break;
  }
  return activation.post ? activation.post(out) : out;
}
