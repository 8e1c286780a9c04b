/**
 * Local response normalization across channels (Krizhevsky et al., "ImageNet Classification with
 * Deep Convolutional Neural Networks", 2012), with PyTorch `nn.LocalResponseNorm` semantics.
 *
 * Reference: PyTorch `torch/nn/functional.py` (`local_response_norm`).
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { LayerArgs } from '@tensorflow/tfjs-layers/dist/engine/topology.js';
import { invalidArgument, type Shape } from '@tfzoo/core';
import { CLASS_PREFIX, checkInteger, checkNumber, defaultLayerName } from './base.js';

/** Arguments of {@link LocalResponseNormalization}, named as PyTorch's. */
export interface LocalResponseNormalizationArgs extends LayerArgs {
  /** Number of neighbouring channels summed, the centre included. */
  size: number;
  /** Multiplicative factor (default 1e-4); the sum is scaled by `alpha / size`. */
  alpha?: number;
  /** Exponent (default 0.75). */
  beta?: number;
  /** Additive constant (default 1). */
  k?: number;
}

/**
 * Local response normalization over the channels of NHWC input, PyTorch
 * `nn.LocalResponseNorm(size, alpha, beta, k)`:
 * `b_c = a_c · (k + alpha / size · Σ a_{c'}²)^(−beta)`, the sum over channels
 * `c − floor(size / 2) … c + floor((size − 1) / 2)` that exist (zero padding, divisor always
 * `size`). Odd sizes run TF.js's `localResponseNormalization` kernel; even sizes (an asymmetric
 * window TF.js lacks) a banded matrix product. No weights; counted as zero MACs.
 */
export class LocalResponseNormalization extends tfl.layers.Layer {
  /** Serialization name. */
  static className = `${CLASS_PREFIX}LocalResponseNormalization`;
  /** Window size in channels. */
  readonly size: number;
  /** Multiplicative factor. */
  readonly alpha: number;
  /** Exponent. */
  readonly beta: number;
  /** Additive constant. */
  readonly k: number;

  constructor(args: LocalResponseNormalizationArgs) {
    super({ ...args, name: args.name ?? defaultLayerName('local_response_normalization') });
    this.size = checkInteger('size', args.size);
    this.alpha = checkNumber('alpha', args.alpha ?? 1e-4);
    this.beta = checkNumber('beta', args.beta ?? 0.75);
    this.k = checkNumber('k', args.k ?? 1);
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    return [...shape];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? (inputs[0] as tf.Tensor) : inputs;
      if (x.rank !== 4) {
        throw invalidArgument(`${this.name} input shape`, x.shape, '[batch, height, width, channels]');
      }
      if (this.size % 2 === 1) {
        return tf.localResponseNormalization(
          x as tf.Tensor4D,
          (this.size - 1) / 2,
          this.k,
          this.alpha / this.size,
          this.beta,
        );
      }
      const channels = x.shape[3] as number;
      const before = Math.floor(this.size / 2);
      const after = Math.floor((this.size - 1) / 2);
      // band[i, c] = 1 when input channel i lies in the window of output channel c.
      const index = tf.range(0, channels, 1, 'int32');
      const offset = tf.sub(tf.reshape(index, [channels, 1]), tf.reshape(index, [1, channels]));
      const band = tf.cast(
        tf.logicalAnd(tf.greaterEqual(offset, -before), tf.lessEqual(offset, after)),
        'float32',
      );
      const squares = tf.reshape(tf.square(x), [-1, channels]);
      const sums = tf.reshape(tf.matMul(squares, band), x.shape);
      const denominator = tf.pow(tf.add(tf.mul(sums, this.alpha / this.size), this.k), this.beta);
      return tf.div(x, denominator);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), size: this.size, alpha: this.alpha, beta: this.beta, k: this.k };
  }
}
tf.serialization.registerClass(LocalResponseNormalization);

/** Creates a {@link LocalResponseNormalization} layer. */
export function localResponseNormalization(args: LocalResponseNormalizationArgs): LocalResponseNormalization {
  return new LocalResponseNormalization(args);
}
