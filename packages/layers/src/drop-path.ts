/**
 * Drop path, a.k.a. stochastic depth (Huang et al., "Deep Networks with Stochastic Depth", 2016):
 * drops a whole residual branch per sample during training.
 *
 * Reference: timm `timm/layers/drop.py` (`drop_path`, `DropPath`).
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { LayerArgs } from '@tensorflow/tfjs-layers/dist/engine/topology.js';
import { type CallKwargs, CLASS_PREFIX, checkNumber, defaultLayerName } from './base.js';

/** Arguments of {@link DropPath}. */
export interface DropPathArgs extends LayerArgs {
  /** Probability of dropping a sample's branch, in `[0, 1)` (timm's `drop_prob`; default 0). */
  rate?: number;
  /** Divide kept samples by `1 − rate` so the expectation is unchanged (default true, as timm). */
  scaleByKeep?: boolean;
}

/**
 * Drop path over any input rank, timm's `drop_path`: in training each sample is zeroed with
 * probability `rate` and otherwise scaled by `1 / (1 − rate)`; at inference it is the identity.
 * TF.js passes `{training: true}` to `call` during `fit`. No weights, zero MACs.
 */
export class DropPath extends tfl.layers.Layer {
  /** Serialization name. */
  static className = `${CLASS_PREFIX}DropPath`;
  /** Drop probability. */
  readonly rate: number;
  /** Whether kept samples are rescaled. */
  readonly scaleByKeep: boolean;

  constructor(args: DropPathArgs = {}) {
    super({ ...args, name: args.name ?? defaultLayerName('drop_path') });
    this.rate = checkNumber('rate', args.rate ?? 0, { min: 0, max: 1, maxExclusive: true });
    this.scaleByKeep = args.scaleByKeep ?? true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: CallKwargs = {}): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? (inputs[0] as tf.Tensor) : inputs;
      if (kwargs.training !== true || this.rate === 0) return tf.clone(x);
      const keep = 1 - this.rate;
      const maskShape = [x.shape[0], ...x.shape.slice(1).map(() => 1)];
      const mask = tf.floor(tf.add(tf.randomUniform(maskShape), keep));
      return tf.mul(x, this.scaleByKeep ? tf.div(mask, keep) : mask);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), rate: this.rate, scaleByKeep: this.scaleByKeep };
  }
}
tf.serialization.registerClass(DropPath);

/** Creates a {@link DropPath} layer. */
export function dropPath(args?: DropPathArgs): DropPath {
  return new DropPath(args);
}
