/**
 * Activations with PyTorch's definitions (`torch.nn.functional`), as tensor functions and as
 * serializable layers: ReLU6, hard sigmoid and hard swish (Howard et al., "Searching for
 * MobileNetV3", 2019), SiLU (Elfwing et al., 2017; Ramachandran et al., "Searching for Activation
 * Functions", 2017), Mish (Misra, 2019) and GELU (Hendrycks & Gimpel, 2016).
 *
 * Reference: PyTorch `torch/nn/modules/activation.py` and ATen's `Activation.cpp`.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { LayerArgs } from '@tensorflow/tfjs-layers/dist/engine/topology.js';
import { CLASS_PREFIX, checkOneOf, defaultLayerName } from './base.js';

/** Names accepted by {@link activate} (and by layers that take an `activation`). */
export type ActivationName =
  | 'linear'
  | 'relu'
  | 'relu6'
  | 'sigmoid'
  | 'hardSigmoid'
  | 'hardSwish'
  | 'silu'
  | 'mish'
  | 'gelu'
  | 'geluTanh';

/** Every {@link ActivationName}, for validation. */
export const ACTIVATION_NAMES: readonly ActivationName[] = [
  'linear',
  'relu',
  'relu6',
  'sigmoid',
  'hardSigmoid',
  'hardSwish',
  'silu',
  'mish',
  'gelu',
  'geluTanh',
];

/** `min(max(x, 0), 6)`, PyTorch `F.relu6`. */
export function relu6Fn<T extends tf.Tensor>(x: T): T {
  return tf.relu6(x);
}

/** `relu6(x + 3) / 6`, PyTorch `F.hardsigmoid`. */
export function hardSigmoidFn<T extends tf.Tensor>(x: T): T {
  return tf.tidy(() => tf.div(tf.relu6(tf.add(x, 3)), 6)) as T;
}

/** `x · relu6(x + 3) / 6`, PyTorch `F.hardswish`. */
export function hardSwishFn<T extends tf.Tensor>(x: T): T {
  return tf.tidy(() => tf.div(tf.mul(x, tf.relu6(tf.add(x, 3))), 6)) as T;
}

/** `x · sigmoid(x)`, PyTorch `F.silu` (a.k.a. swish). */
export function siluFn<T extends tf.Tensor>(x: T): T {
  return tf.tidy(() => tf.mul(x, tf.sigmoid(x))) as T;
}

/** `x · tanh(softplus(x))`, PyTorch `F.mish`. */
export function mishFn<T extends tf.Tensor>(x: T): T {
  return tf.tidy(() => tf.mul(x, tf.tanh(tf.softplus(x)))) as T;
}

/**
 * GELU, PyTorch `F.gelu`: exact `x/2 · (1 + erf(x/√2))` (`approximate: 'none'`) or
 * `x/2 · (1 + tanh(√(2/π) · (x + 0.044715·x³)))` (`approximate: 'tanh'`).
 */
export function geluFn<T extends tf.Tensor>(x: T, approximate: GELUApproximation = 'none'): T {
  return tf.tidy(() => {
    if (approximate === 'tanh') {
      const inner = tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.pow(x, 3))));
      return tf.mul(tf.mul(0.5, x), tf.add(1, tf.tanh(inner)));
    }
    return tf.mul(tf.mul(0.5, x), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2))));
  }) as T;
}

/** Applies the named activation (see {@link ActivationName}) with PyTorch's definition. */
export function activate<T extends tf.Tensor>(x: T, activation: ActivationName): T {
  switch (activation) {
    case 'linear':
      return x;
    case 'relu':
      return tf.relu(x);
    case 'relu6':
      return relu6Fn(x);
    case 'sigmoid':
      return tf.sigmoid(x);
    case 'hardSigmoid':
      return hardSigmoidFn(x);
    case 'hardSwish':
      return hardSwishFn(x);
    case 'silu':
      return siluFn(x);
    case 'mish':
      return mishFn(x);
    case 'gelu':
      return geluFn(x, 'none');
    case 'geluTanh':
      return geluFn(x, 'tanh');
    default:
      checkOneOf('activation', activation, ACTIVATION_NAMES);
      return x;
  }
}

function single(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
  return Array.isArray(inputs) ? (inputs[0] as tf.Tensor) : inputs;
}

/** Arguments of the parameter-free activation layers. */
export interface ActivationLayerArgs extends LayerArgs {}

/** ReLU6 layer: `min(max(x, 0), 6)`, PyTorch `nn.ReLU6`. No weights, zero MACs. */
export class ReLU6 extends tfl.layers.Layer {
  /** Serialization name. */
  static className = `${CLASS_PREFIX}ReLU6`;

  constructor(args: ActivationLayerArgs = {}) {
    super({ ...args, name: args.name ?? defaultLayerName('relu6') });
    this.supportsMasking = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => relu6Fn(single(inputs)));
  }
}
tf.serialization.registerClass(ReLU6);

/** Hard sigmoid layer: `relu6(x + 3) / 6`, PyTorch `nn.Hardsigmoid`. No weights, zero MACs. */
export class HardSigmoid extends tfl.layers.Layer {
  /** Serialization name. */
  static className = `${CLASS_PREFIX}HardSigmoid`;

  constructor(args: ActivationLayerArgs = {}) {
    super({ ...args, name: args.name ?? defaultLayerName('hard_sigmoid') });
    this.supportsMasking = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => hardSigmoidFn(single(inputs)));
  }
}
tf.serialization.registerClass(HardSigmoid);

/** Hard swish layer: `x · relu6(x + 3) / 6`, PyTorch `nn.Hardswish`. No weights, zero MACs. */
export class HardSwish extends tfl.layers.Layer {
  /** Serialization name. */
  static className = `${CLASS_PREFIX}HardSwish`;

  constructor(args: ActivationLayerArgs = {}) {
    super({ ...args, name: args.name ?? defaultLayerName('hard_swish') });
    this.supportsMasking = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => hardSwishFn(single(inputs)));
  }
}
tf.serialization.registerClass(HardSwish);

/** SiLU (swish) layer: `x · sigmoid(x)`, PyTorch `nn.SiLU`. No weights, zero MACs. */
export class SiLU extends tfl.layers.Layer {
  /** Serialization name. */
  static className = `${CLASS_PREFIX}SiLU`;

  constructor(args: ActivationLayerArgs = {}) {
    super({ ...args, name: args.name ?? defaultLayerName('silu') });
    this.supportsMasking = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => siluFn(single(inputs)));
  }
}
tf.serialization.registerClass(SiLU);

/** Mish layer: `x · tanh(softplus(x))`, PyTorch `nn.Mish`. No weights, zero MACs. */
export class Mish extends tfl.layers.Layer {
  /** Serialization name. */
  static className = `${CLASS_PREFIX}Mish`;

  constructor(args: ActivationLayerArgs = {}) {
    super({ ...args, name: args.name ?? defaultLayerName('mish') });
    this.supportsMasking = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => mishFn(single(inputs)));
  }
}
tf.serialization.registerClass(Mish);

/** How {@link GELU} evaluates: PyTorch's `approximate` argument. */
export type GELUApproximation = 'none' | 'tanh';

/** Arguments of {@link GELU}. */
export interface GELUArgs extends LayerArgs {
  /** `'none'` (default): the exact erf form; `'tanh'`: the tanh approximation, as PyTorch's `approximate`. */
  approximate?: GELUApproximation;
}

/** GELU layer, PyTorch `nn.GELU(approximate=…)`. No weights, zero MACs. */
export class GELU extends tfl.layers.Layer {
  /** Serialization name. */
  static className = `${CLASS_PREFIX}GELU`;
  /** Exact erf form or tanh approximation. */
  readonly approximate: GELUApproximation;

  constructor(args: GELUArgs = {}) {
    super({ ...args, name: args.name ?? defaultLayerName('gelu') });
    this.approximate = checkOneOf('approximate', args.approximate ?? 'none', ['none', 'tanh'] as const);
    this.supportsMasking = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => geluFn(single(inputs), this.approximate));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), approximate: this.approximate };
  }
}
tf.serialization.registerClass(GELU);

/** Creates a {@link ReLU6} layer. */
export function relu6(args?: ActivationLayerArgs): ReLU6 {
  return new ReLU6(args);
}
/** Creates a {@link HardSigmoid} layer. */
export function hardSigmoid(args?: ActivationLayerArgs): HardSigmoid {
  return new HardSigmoid(args);
}
/** Creates a {@link HardSwish} layer. */
export function hardSwish(args?: ActivationLayerArgs): HardSwish {
  return new HardSwish(args);
}
/** Creates a {@link SiLU} layer. */
export function silu(args?: ActivationLayerArgs): SiLU {
  return new SiLU(args);
}
/** Creates a {@link Mish} layer. */
export function mish(args?: ActivationLayerArgs): Mish {
  return new Mish(args);
}
/** Creates a {@link GELU} layer. */
export function gelu(args?: GELUArgs): GELU {
  return new GELU(args);
}
