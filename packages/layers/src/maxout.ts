/**
 * Maxout (Goodfellow et al., "Maxout Networks", 2013): the maximum over `numPieces` linear pieces,
 * taken over groups of consecutive channels.
 *
 * Reference: pylearn2 `Maxout`, TensorFlow `tf.contrib.layers.maxout` (consecutive pieces).
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { LayerArgs } from '@tensorflow/tfjs-layers/dist/engine/topology.js';
import { invalidArgument, type Shape } from '@tfzoo/core';
import { CLASS_PREFIX, checkInteger, defaultLayerName } from './base.js';

/** Arguments of {@link Maxout}. */
export interface MaxoutArgs extends LayerArgs {
  /** Pieces per output unit; the last dimension must be divisible by it. */
  numPieces: number;
}

/**
 * Maxout over the last axis: output unit `j` is `max(x[j·k], …, x[j·k + k − 1])` with
 * `k = numPieces`, so `C` channels become `C / k`. Put a `Dense` or a convolution with
 * `units · numPieces` outputs before it. No weights, zero MACs.
 */
export class Maxout extends tfl.layers.Layer {
  /** Serialization name. */
  static className = `${CLASS_PREFIX}Maxout`;
  /** Pieces per output unit. */
  readonly numPieces: number;

  constructor(args: MaxoutArgs) {
    super({ ...args, name: args.name ?? defaultLayerName('maxout') });
    this.numPieces = checkInteger('numPieces', args.numPieces);
  }

  private check(shape: Shape): number {
    const channels = shape[shape.length - 1];
    if (typeof channels !== 'number' || channels % this.numPieces !== 0) {
      throw invalidArgument(
        `${this.name} input channels`,
        channels,
        `a multiple of numPieces (${this.numPieces})`,
      );
    }
    return channels;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    const channels = this.check(shape);
    return [...shape.slice(0, -1), channels / this.numPieces];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? (inputs[0] as tf.Tensor) : inputs;
      const channels = this.check(x.shape);
      const units = channels / this.numPieces;
      const pieces = tf.reshape(x, [...x.shape.slice(0, -1), units, this.numPieces]);
      return tf.max(pieces, -1);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), numPieces: this.numPieces };
  }
}
tf.serialization.registerClass(Maxout);

/** Creates a {@link Maxout} layer. */
export function maxout(args: MaxoutArgs): Maxout {
  return new Maxout(args);
}
