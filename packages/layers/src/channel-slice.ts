/**
 * A contiguous slice of the channel axis, the "channel split" of ShuffleNet V2 (Ma et al.,
 * "ShuffleNet V2: Practical Guidelines for Efficient CNN Architecture Design", ECCV 2018): torchvision's
 * `x1, x2 = x.chunk(2, dim=1)` (`models/shufflenetv2.py`) is two of these layers.
 *
 * TF.js layers have no slicing layer (and no serializable `Lambda`), so this is a small custom layer
 * following the tfjs-layers recipe: typed args, `static className`, `call` in `tidy`,
 * `computeOutputShape`, a round-tripping `getConfig`, and `registerClass` right after the class.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { LayerArgs } from '@tensorflow/tfjs-layers/dist/engine/topology.js';
import { invalidArgument, type Shape } from '@tfzoo/core';
import { CLASS_PREFIX } from './base.js';

/** Arguments of {@link ChannelSlice}. */
export interface ChannelSliceArgs extends LayerArgs {
  /** First channel kept (0-based). */
  start: number;
  /** Number of channels kept. */
  size: number;
}

function checkCount(what: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw invalidArgument(what, value, min === 0 ? 'a non-negative integer' : `an integer ≥ ${min}`);
  }
  return value;
}

/**
 * Keeps channels `[start, start + size)` of an NHWC (or any channels-last) tensor. No weights, zero
 * MACs.
 */
export class ChannelSlice extends tfl.layers.Layer {
  /** Serialization name. */
  static className = `${CLASS_PREFIX}ChannelSlice`;
  /** First channel kept. */
  readonly start: number;
  /** Number of channels kept. */
  readonly size: number;

  constructor(args: ChannelSliceArgs) {
    super(args);
    this.start = checkCount('start', args.start, 0);
    this.size = checkCount('size', args.size, 1);
  }

  private check(shape: Shape): void {
    const channels = shape[shape.length - 1];
    if (typeof channels === 'number' && this.start + this.size > channels) {
      throw invalidArgument(
        `${this.name} input channels`,
        channels,
        `at least start + size = ${this.start + this.size}`,
      );
    }
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    this.check(shape);
    return [...shape.slice(0, -1), this.size];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? (inputs[0] as tf.Tensor) : inputs;
      this.check(x.shape);
      const begin = x.shape.map(() => 0);
      begin[begin.length - 1] = this.start;
      const size = [...x.shape];
      size[size.length - 1] = this.size;
      return tf.slice(x, begin, size);
    });
  }

  /** Every constructor argument, for serialization. */
  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), start: this.start, size: this.size };
  }
}
tf.serialization.registerClass(ChannelSlice);
