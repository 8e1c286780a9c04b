/**
 * Channel shuffle (Zhang et al., "ShuffleNet: An Extremely Efficient Convolutional Neural Network
 * for Mobile Devices", 2018): lets information cross the groups of consecutive grouped
 * convolutions.
 *
 * Reference: torchvision `models/shufflenetv2.py` (`channel_shuffle`).
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { LayerArgs } from '@tensorflow/tfjs-layers/dist/engine/topology.js';
import { invalidArgument, type Shape } from '@tfzoo/core';
import { CLASS_PREFIX, checkInteger, defaultLayerName } from './base.js';

/** Arguments of {@link ChannelShuffle}. */
export interface ChannelShuffleArgs extends LayerArgs {
  /** Number of groups; the channel count must be divisible by it. */
  groups: number;
}

/**
 * Channel shuffle over NHWC input, torchvision's `channel_shuffle(x, groups)`: channel
 * `g · (C / groups) + k` moves to `k · groups + g`. No weights, zero MACs.
 */
export class ChannelShuffle extends tfl.layers.Layer {
  /** Serialization name. */
  static className = `${CLASS_PREFIX}ChannelShuffle`;
  /** Number of groups. */
  readonly groups: number;

  constructor(args: ChannelShuffleArgs) {
    super({ ...args, name: args.name ?? defaultLayerName('channel_shuffle') });
    this.groups = checkInteger('groups', args.groups);
  }

  private check(shape: Shape): number {
    const channels = shape[shape.length - 1];
    if (typeof channels !== 'number' || channels % this.groups !== 0) {
      throw invalidArgument(`${this.name} input channels`, channels, `a multiple of groups (${this.groups})`);
    }
    return channels;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    this.check(shape);
    return [...shape];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? (inputs[0] as tf.Tensor) : inputs;
      const channels = this.check(x.shape);
      if (this.groups === 1) return tf.clone(x);
      const rows = x.size / channels;
      const grouped = tf.reshape(x, [rows, this.groups, channels / this.groups]);
      return tf.reshape(tf.transpose(grouped, [0, 2, 1]), x.shape);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), groups: this.groups };
  }
}
tf.serialization.registerClass(ChannelShuffle);

/** Creates a {@link ChannelShuffle} layer. */
export function channelShuffle(args: ChannelShuffleArgs): ChannelShuffle {
  return new ChannelShuffle(args);
}
