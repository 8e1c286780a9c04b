/**
 * A fixed per-channel affine map over channels-last input, without weights: GoogLeNet's
 * `transform_input` (torchvision `models/googlenet.py`, `GoogLeNet._transform_input`), which turns
 * ImageNet-normalized input into the `(x − 0.5) / 0.5` normalization the ported weights expect.
 * A small custom layer following the tfjs-layers recipe: typed args, `static className`, `call` in
 * `tidy`, a round-tripping `getConfig`, and `registerClass` right after the class.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { LayerArgs } from '@tensorflow/tfjs-layers/dist/engine/topology.js';
import { invalidArgument, type Shape } from '@tfzoo/core';
import { CLASS_PREFIX } from './base.js';

/** Arguments of {@link ChannelAffine}. */
export interface ChannelAffineArgs extends LayerArgs {
  /** Per-channel factor. */
  scale: number[];
  /** Per-channel offset, added after the factor. */
  shift: number[];
}

/**
 * A fixed per-channel affine map `y_c = x_c · scale_c + shift_c` over NHWC input, without
 * weights. GoogLeNet's `transform_input` is one: it turns ImageNet-normalized input
 * (`(x − mean) / std`) into the `(x − 0.5) / 0.5` normalization the ported weights were trained on.
 */
export class ChannelAffine extends tfl.layers.Layer {
  /** Serialization name. */
  static className = `${CLASS_PREFIX}ChannelAffine`;
  /** Per-channel factor. */
  readonly scale: number[];
  /** Per-channel offset. */
  readonly shift: number[];

  constructor(args: ChannelAffineArgs) {
    super(args);
    const valid = (values: unknown) =>
      Array.isArray(values) &&
      values.length > 0 &&
      values.every((v) => typeof v === 'number' && Number.isFinite(v));
    if (!valid(args.scale)) throw invalidArgument('scale', args.scale, 'a non-empty array of finite numbers');
    if (!valid(args.shift) || args.shift.length !== args.scale.length) {
      throw invalidArgument('shift', args.shift, `${args.scale.length} finite numbers, one per channel`);
    }
    this.scale = [...args.scale];
    this.shift = [...args.shift];
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    if (shape[shape.length - 1] !== this.scale.length) {
      throw invalidArgument(`${this.name} input shape`, shape, `${this.scale.length} channels`);
    }
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? (inputs[0] as tf.Tensor) : inputs;
      return tf.add(tf.mul(x, tf.tensor1d(this.scale)), tf.tensor1d(this.shift));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), scale: [...this.scale], shift: [...this.shift] };
  }
}
tf.serialization.registerClass(ChannelAffine);
