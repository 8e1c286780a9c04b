/**
 * What magnitude pruning acts on: the kernels of convolutions (regular, depthwise, separable) and
 * dense layers — every layer weight of rank ≥ 2 whose name ends in `kernel` — as TF-MOT's
 * `prune_low_magnitude` prunes `Conv2D`/`Dense` kernels and leaves biases and batch-norm alone.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { invalidArgument } from '@tfzoo/core';

/** One prunable kernel of a model. */
export interface PrunableWeight {
  /** The layer's name. */
  layer: string;
  /** The variable's name (the key of gradients and optimizer state). */
  name: string;
  /** The variable itself. */
  variable: tf.Variable;
}

/** Options choosing which kernels are pruned. */
export interface PrunableOptions {
  /** Names of layers to leave dense (e.g. the classifier). */
  exclude?: readonly string[];
}

/** The model's prunable kernels, in layer order. */
export function prunableWeights(model: tfl.LayersModel, options: PrunableOptions = {}): PrunableWeight[] {
  if (typeof model?.getLayer !== 'function') throw invalidArgument('model', model, 'a tf.LayersModel');
  const exclude = new Set(options.exclude ?? []);
  for (const name of exclude) model.getLayer(name); // throws for an unknown layer name
  const out: PrunableWeight[] = [];
  for (const layer of model.layers) {
    if (exclude.has(layer.name)) continue;
    for (const weight of layer.weights) {
      if (weight.shape.length < 2 || !/kernel$/.test(weight.originalName)) continue;
      const variable = weight.read() as tf.Variable;
      out.push({ layer: layer.name, name: variable.name, variable });
    }
  }
  return out;
}
