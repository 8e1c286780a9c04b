/**
 * Structured pruning by the L1 norm of filters (Li, Kadav, Durdanovic, Samet & Graf, "Pruning
 * Filters for Efficient ConvNets", ICLR 2017, arXiv:1608.08710): each convolution loses the filters
 * whose kernels have the smallest sum of absolute weights, the next layer loses the matching input
 * channels (batch-norm statistics, the next convolution's input slices, the rows of a dense layer
 * after a flatten), and a new, smaller model is built — fewer parameters and fewer MACs, not zeros.
 *
 * Works on plain chains of layers (LeNet, AlexNet, VGG with or without batch-norm): every layer has
 * one input and feeds one layer. Residual and multi-branch models are refused, with the layer named.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { invalidArgument, ZooError } from '@tfzoo/core';
import { checkKeys, checkRange } from './validate.js';

/** Options of {@link pruneFilters}. */
export interface FilterPruningOptions {
  /** Fraction of each convolution's filters removed, in [0, 1). */
  ratio: number;
  /** Per-layer ratios overriding `ratio` (Li et al. prune sensitive layers less). */
  ratios?: Readonly<Record<string, number>>;
  /** Convolutions left whole. */
  exclude?: readonly string[];
}

/** What {@link pruneFilters} returns. */
export interface FilterPruningResult {
  /** The new, smaller model (the input model is left unchanged). */
  model: tfl.LayersModel;
  /** Indices of the original filters each pruned convolution keeps. */
  kept: Record<string, number[]>;
}

/** Layers that act on each channel alone and hold no weights: they pass a channel selection through. */
const CHANNELWISE = new Set([
  'InputLayer',
  'Activation',
  'ReLU',
  'LeakyReLU',
  'ELU',
  'Softmax',
  'ThresholdedReLU',
  'MaxPooling2D',
  'AveragePooling2D',
  'GlobalAveragePooling2D',
  'GlobalMaxPooling2D',
  'ZeroPadding2D',
  'Cropping2D',
  'UpSampling2D',
  'Dropout',
  'SpatialDropout2D',
  'GaussianNoise',
  'tfzoo>AdaptiveAveragePooling2D',
  'tfzoo>AdaptiveMaxPooling2D',
  'tfzoo>PaddedMaxPooling2D',
  'tfzoo>PaddedAveragePooling2D',
  'tfzoo>ReLU6',
  'tfzoo>HardSigmoid',
  'tfzoo>HardSwish',
  'tfzoo>SiLU',
  'tfzoo>Mish',
  'tfzoo>GELU',
]);

function unsupported(layer: tfl.layers.Layer, why: string): ZooError {
  return new ZooError('UNSUPPORTED', `filter pruning: layer ${layer.name} (${layer.getClassName()}) ${why}`, {
    received: layer.getClassName(),
    expected:
      'a plain chain of Conv2D, BatchNormalization, Dense and channel-wise layers (LeNet, AlexNet, VGG)',
  });
}

/** Sum of |w| of each output filter of a `[kh, kw, in, out]` kernel. */
async function filterNorms(kernel: tf.Tensor): Promise<Float32Array> {
  const norms = tf.tidy(() => tf.sum(tf.abs(kernel), [0, 1, 2]));
  const values = (await norms.data()) as Float32Array;
  norms.dispose();
  return values;
}

/** Indices of the `keep` largest norms, in increasing index order. */
function largest(norms: Float32Array, keep: number): number[] {
  return Array.from(norms.keys())
    .sort((a, b) => norms[b]! - norms[a]! || a - b)
    .slice(0, keep)
    .sort((a, b) => a - b);
}

/**
 * `tensor` restricted to `indices` along `axis`, as a fresh tensor with its own storage: the wasm
 * backend's gather returns a reshaped view whose storage keeps a rank-4 shape, which its fused
 * convolution then refuses as a bias ("FusedConv2D only supports rank-1 bias").
 */
async function gather(tensor: tf.Tensor, indices: number[] | null, axis: number): Promise<tf.Tensor> {
  const picked = indices === null ? tensor : tf.gather(tensor, indices, axis);
  const values = await picked.data();
  const out = tf.tensor(values, picked.shape, picked.dtype);
  if (picked !== tensor) picked.dispose();
  return out;
}

/**
 * Removes the fraction `ratio` of filters of smallest L1 norm from every convolution of a plain
 * chain and returns a new model with the remaining weights copied in; fine-tune it with `train`.
 *
 * @example
 * ```ts
 * const { model: small } = await pruneFilters(vgg, { ratio: 0.5, exclude: ['features_0'] });
 * await train({ model: small, data: loader, epochs: 1, optimizer });
 * ```
 */
export async function pruneFilters(
  model: tfl.LayersModel,
  options: FilterPruningOptions,
): Promise<FilterPruningResult> {
  if (typeof model?.getLayer !== 'function') throw invalidArgument('model', model, 'a tf.LayersModel');
  const given = checkKeys(options, ['ratio', 'ratios', 'exclude']);
  const range = { min: 0, max: 1, maxExclusive: true };
  const ratio = checkRange(given.ratio, undefined, 'ratio', range);
  const ratios = given.ratios ?? {};
  for (const [name, r] of Object.entries(ratios)) {
    model.getLayer(name);
    checkRange(r, undefined, `ratios.${name}`, range);
  }
  const exclude = new Set(given.exclude ?? []);
  for (const name of exclude) model.getLayer(name);

  const layers = model.layers;
  // A chain: layer i's only input is layer i − 1.
  layers.forEach((layer, i) => {
    if (i === 0) return;
    const inbound = layer.inboundNodes.flatMap((node) => node.inboundLayers);
    if (inbound.length !== 1 || inbound[0] !== layers[i - 1])
      throw unsupported(layer, 'is not part of a plain chain');
    if (layer.outboundNodes.length > 1) throw unsupported(layer, 'feeds more than one layer');
  });

  const topology = model.toJSON(null, false) as unknown as {
    config: { layers: { name: string; config: Record<string, unknown> }[] };
  };
  const configs = new Map(topology.config.layers.map((entry) => [entry.name, entry.config]));
  // The model's output channels stay: a convolution with no conv / dense after it is left whole.
  const weighted = layers.filter((l) => l.getClassName() === 'Conv2D' || l.getClassName() === 'Dense');
  const outputConv = weighted.at(-1)?.getClassName() === 'Conv2D' ? weighted.at(-1) : undefined;
  const newWeights = new Map<string, tf.Tensor[]>();
  const kept: Record<string, number[]> = {};
  /** Original indices of the channels (or flat features) the current tensor keeps; null: all. */
  let channels: number[] | null = null;
  try {
    for (const layer of layers) {
      const cls = layer.getClassName();
      const values = layer.getWeights();
      if (cls === 'Conv2D') {
        const [kernel, bias] = values as [tf.Tensor, tf.Tensor | undefined];
        const out = kernel.shape[3]!;
        const r = exclude.has(layer.name) || layer === outputConv ? 0 : (ratios[layer.name] ?? ratio);
        const keep = Math.max(1, out - Math.round(r * out));
        const sliced = await gather(kernel, channels, 2);
        const selection = keep < out ? largest(await filterNorms(kernel), keep) : null;
        const weights = [await gather(sliced, selection, 3)];
        sliced.dispose();
        if (bias) weights.push(await gather(bias, selection, 0));
        newWeights.set(layer.name, weights);
        if (selection) {
          kept[layer.name] = selection;
          configs.get(layer.name)!.filters = keep;
        }
        channels = selection;
      } else if (cls === 'BatchNormalization') {
        const axis = (layer.getConfig().axis as number | number[]) ?? -1;
        if (
          axis !== -1 &&
          axis !== 3 &&
          !(Array.isArray(axis) && axis.length === 1 && (axis[0] === -1 || axis[0] === 3))
        ) {
          throw unsupported(layer, `normalizes axis ${JSON.stringify(axis)}, not the channel axis`);
        }
        newWeights.set(layer.name, await Promise.all(values.map((v) => gather(v, channels, 0))));
      } else if (cls === 'Flatten') {
        if (channels !== null) {
          const shape = (layer.input as tfl.SymbolicTensor).shape;
          const [h, w, c] = shape.slice(1) as number[];
          const flat: number[] = [];
          for (let p = 0; p < h! * w!; p++) for (const ch of channels) flat.push(p * c! + ch);
          channels = flat;
        }
      } else if (cls === 'Dense') {
        if ((layer.input as tfl.SymbolicTensor).shape.length !== 2)
          throw unsupported(layer, 'acts on a rank > 2 input');
        const [kernel, ...rest] = values as [tf.Tensor, ...tf.Tensor[]];
        newWeights.set(layer.name, [
          await gather(kernel, channels, 0),
          ...(await Promise.all(rest.map((v) => gather(v, null, 0)))),
        ]);
        channels = null;
      } else if (CHANNELWISE.has(cls)) {
        if (values.length > 0) throw unsupported(layer, 'holds weights');
        if (cls === 'Softmax' || (cls === 'Activation' && layer.getConfig().activation === 'softmax')) {
          if (channels !== null) throw unsupported(layer, 'mixes channels (softmax over pruned channels)');
        }
      } else {
        throw unsupported(layer, 'is not a layer filter pruning knows how to follow');
      }
    }
    const pruned = await tfl.models.modelFromJSON({
      modelTopology: topology as unknown as tf.io.ModelJSON['modelTopology'],
    });
    for (const layer of pruned.layers) {
      const weights = newWeights.get(layer.name);
      if (weights) layer.setWeights(weights);
    }
    return { model: pruned, kept };
  } finally {
    for (const weights of newWeights.values()) tf.dispose(weights);
  }
}
