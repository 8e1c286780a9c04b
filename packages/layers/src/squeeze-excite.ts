/**
 * Squeeze-and-excitation (Hu et al., "Squeeze-and-Excitation Networks", 2018): global average
 * pooling, a bottleneck of two 1×1 convolutions, and a gate that rescales each channel.
 *
 * References: timm `timm/layers/squeeze_excite.py` (`SEModule`), timm `legacy/senet.py`
 * (`SEModule`), torchvision `ops/misc.py` (`SqueezeExcitation`, used by MobileNetV3 with
 * `make_divisible(C / 4, 8)` channels, ReLU and hard sigmoid).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LayerVariable } from '@tensorflow/tfjs-layers';
import * as tfl from '@tensorflow/tfjs-layers';
import type { LayerArgs } from '@tensorflow/tfjs-layers/dist/engine/topology.js';
import type { Initializer } from '@tensorflow/tfjs-layers/dist/initializers.js';
import {
  convAsDenseTransform,
  invalidArgument,
  registerLayerCounter,
  registerWeightLayout,
  type Shape,
} from '@tfzoo/core';
import { ACTIVATION_NAMES, type ActivationName, activate } from './activations.js';
import {
  CLASS_PREFIX,
  checkInteger,
  checkNumber,
  checkOneOf,
  defaultLayerName,
  type InitializerSpec,
  resolveInitializer,
  serializeInitializer,
} from './base.js';

/** Gate of a {@link SqueezeExcite} block. */
export type SqueezeExciteGate = 'sigmoid' | 'hardSigmoid';

/**
 * Rounds `value` to a multiple of `divisor`, never below `minValue` (default `divisor`) and never
 * more than `1 − roundLimit` below `value`: timm's `make_divisible` and torchvision's
 * `_make_divisible` (round limit 0.9).
 */
export function makeDivisible(value: number, divisor = 8, minValue?: number, roundLimit = 0.9): number {
  checkNumber('value', value, { min: 0, minExclusive: true });
  checkInteger('divisor', divisor);
  const floor = minValue ?? divisor;
  let rounded = Math.max(floor, Math.floor((value + divisor / 2) / divisor) * divisor);
  if (rounded < roundLimit * value) rounded += divisor;
  return rounded;
}

/** Arguments of {@link SqueezeExcite}. */
export interface SqueezeExciteArgs extends LayerArgs {
  /**
   * Channels of the bottleneck. When absent they are
   * `makeDivisible(inChannels · ratio, divisor, undefined, roundLimit)`.
   */
  reducedChannels?: number;
  /** Bottleneck ratio used when `reducedChannels` is absent (default 0.25, torchvision MobileNetV3). */
  ratio?: number;
  /** Divisor of the computed bottleneck width (default 8; 1 gives plain rounding). */
  divisor?: number;
  /** Round limit of the computed bottleneck width (default 0.9; timm's `SEModule` uses 0). */
  roundLimit?: number;
  /** Activation between the two 1×1 convolutions (default `'relu'`). */
  activation?: ActivationName;
  /** Gate applied to the expanded vector (default `'sigmoid'`; MobileNetV3 uses `'hardSigmoid'`). */
  gate?: SqueezeExciteGate;
  /** Whether the two 1×1 convolutions have biases (default true, as every reference). */
  useBias?: boolean;
  /** Initializer of both kernels (default `'glorotUniform'`). */
  kernelInitializer?: InitializerSpec;
  /** Initializer of both biases (default `'zeros'`). */
  biasInitializer?: InitializerSpec;
}

/**
 * Squeeze-and-excitation block over NHWC input:
 * `y = x · gate(fc2(act(fc1(mean_hw(x)))))`, the structure of timm's `SEModule`, legacy SENet's
 * `SEModule` (ReLU, sigmoid) and torchvision's `SqueezeExcitation` (ReLU, hard sigmoid).
 *
 * Weights, for a weight mapping (C input channels, R = reduced channels):
 * - `fc1_kernel` `[C, R]` and `fc1_bias` `[R]`: the reduce 1×1 conv as a dense layer. A PyTorch
 *   `fc1.weight` `[R, C, 1, 1]` maps with `reshape([R, C])` then `transpose([1, 0])`
 *   (a `Linear` weight `[R, C]` with the transpose alone).
 * - `fc2_kernel` `[R, C]` and `fc2_bias` `[C]`: the expand conv, `fc2.weight` `[C, R, 1, 1]` →
 *   `reshape([C, R])` → `transpose([1, 0])`.
 * torchvision names them `fc1`/`fc2`, timm `fc1`/`fc2` (or `conv_reduce`/`conv_expand` in
 * EfficientNet-style blocks), legacy SENet `fc1`/`fc2`.
 *
 * MACs (summary): `2 · C · R` (the two 1×1 convolutions on the pooled vector).
 */
export class SqueezeExcite extends tfl.layers.Layer {
  /** Serialization name. */
  static className = `${CLASS_PREFIX}SqueezeExcite`;
  /** Explicit bottleneck width, if given. */
  readonly reducedChannels: number | undefined;
  /** Bottleneck ratio. */
  readonly ratio: number;
  /** Divisor of the computed width. */
  readonly divisor: number;
  /** Round limit of the computed width. */
  readonly roundLimit: number;
  /** Activation between the convolutions. */
  readonly activation: ActivationName;
  /** Gate. */
  readonly gate: SqueezeExciteGate;
  /** Whether the convolutions have biases. */
  readonly useBias: boolean;
  /** Kernel initializer. */
  readonly kernelInitializer: Initializer;
  /** Bias initializer. */
  readonly biasInitializer: Initializer;
  private fc1Kernel: LayerVariable | null = null;
  private fc1Bias: LayerVariable | null = null;
  private fc2Kernel: LayerVariable | null = null;
  private fc2Bias: LayerVariable | null = null;

  constructor(args: SqueezeExciteArgs = {}) {
    super({ ...args, name: args.name ?? defaultLayerName('squeeze_excite') });
    this.reducedChannels =
      args.reducedChannels === undefined ? undefined : checkInteger('reducedChannels', args.reducedChannels);
    this.ratio = checkNumber('ratio', args.ratio ?? 0.25, { min: 0, minExclusive: true });
    this.divisor = checkInteger('divisor', args.divisor ?? 8);
    this.roundLimit = checkNumber('roundLimit', args.roundLimit ?? 0.9, { min: 0, max: 1 });
    this.activation = checkOneOf('activation', args.activation ?? 'relu', ACTIVATION_NAMES);
    this.gate = checkOneOf('gate', args.gate ?? 'sigmoid', ['sigmoid', 'hardSigmoid'] as const);
    this.useBias = args.useBias ?? true;
    this.kernelInitializer = resolveInitializer(
      'kernelInitializer',
      args.kernelInitializer ?? 'glorotUniform',
    );
    this.biasInitializer = resolveInitializer('biasInitializer', args.biasInitializer ?? 'zeros');
  }

  /** Bottleneck width for `channels` input channels. */
  reducedFor(channels: number): number {
    return (
      this.reducedChannels ?? makeDivisible(channels * this.ratio, this.divisor, undefined, this.roundLimit)
    );
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    const channels = shape[3];
    if (shape.length !== 4 || typeof channels !== 'number') {
      throw invalidArgument(
        `${this.name} input shape`,
        shape,
        '[batch, height, width, channels] with known channels',
      );
    }
    const reduced = this.reducedFor(channels);
    this.fc1Kernel = this.addWeight('fc1_kernel', [channels, reduced], 'float32', this.kernelInitializer);
    this.fc2Kernel = this.addWeight('fc2_kernel', [reduced, channels], 'float32', this.kernelInitializer);
    if (this.useBias) {
      this.fc1Bias = this.addWeight('fc1_bias', [reduced], 'float32', this.biasInitializer);
      this.fc2Bias = this.addWeight('fc2_bias', [channels], 'float32', this.biasInitializer);
    }
    this.inputSpec = [new tfl.InputSpec({ ndim: 4, axes: { [-1]: channels } })];
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    return [...shape];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
      if (!this.fc1Kernel || !this.fc2Kernel)
        throw invalidArgument(this.name, 'unbuilt layer', 'a built layer');
      const pooled = tf.mean(x, [1, 2]) as tf.Tensor2D;
      let hidden = tf.matMul(pooled, this.fc1Kernel.read() as tf.Tensor2D);
      if (this.fc1Bias) hidden = tf.add(hidden, this.fc1Bias.read());
      hidden = activate(hidden, this.activation);
      let scale = tf.matMul(hidden, this.fc2Kernel.read() as tf.Tensor2D);
      if (this.fc2Bias) scale = tf.add(scale, this.fc2Bias.read());
      scale = activate(scale, this.gate);
      return tf.mul(x, tf.reshape(scale, [x.shape[0], 1, 1, x.shape[3]]));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    const config: tf.serialization.ConfigDict = {
      ...super.getConfig(),
      ratio: this.ratio,
      divisor: this.divisor,
      roundLimit: this.roundLimit,
      activation: this.activation,
      gate: this.gate,
      useBias: this.useBias,
      kernelInitializer: serializeInitializer(this.kernelInitializer),
      biasInitializer: serializeInitializer(this.biasInitializer),
    };
    if (this.reducedChannels !== undefined) config.reducedChannels = this.reducedChannels;
    return config;
  }
}
tf.serialization.registerClass(SqueezeExcite);

// The reference modules (timm `se.fc1`/`se.fc2`, legacy SENet `se_module.fc1`/`fc2`, torchvision
// `SqueezeExcitation.fc1`/`fc2`) are 1×1 convs with bias: `[R, C, 1, 1]` → `fc1_kernel` `[C, R]`.
registerWeightLayout(SqueezeExcite.className, {
  params: {
    'fc1.weight': { weight: 'fc1_kernel', transform: convAsDenseTransform },
    'fc1.bias': { weight: 'fc1_bias' },
    'fc2.weight': { weight: 'fc2_kernel', transform: convAsDenseTransform },
    'fc2.bias': { weight: 'fc2_bias' },
  },
});

registerLayerCounter(SqueezeExcite.className, ({ weightShapes }) => {
  const fc1 = weightShapes.fc1_kernel;
  const fc2 = weightShapes.fc2_kernel;
  return (fc1 ? (fc1[0] ?? 0) * (fc1[1] ?? 0) : 0) + (fc2 ? (fc2[0] ?? 0) * (fc2[1] ?? 0) : 0);
});

/** Creates a {@link SqueezeExcite} layer. */
export function squeezeExcite(args?: SqueezeExciteArgs): SqueezeExcite {
  return new SqueezeExcite(args);
}
