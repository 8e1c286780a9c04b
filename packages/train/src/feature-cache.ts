/**
 * Frozen-backbone fine-tuning from cached features (a linear probe in seconds): when every layer
 * below the head is frozen, deterministic (batch-norm pinned to inference mode by `freeze`, no
 * dropout) and the images do not change between epochs, the backbone's output for an image is the
 * same every epoch, so it is computed once and the head trains on it.
 *
 * Samples are recognised by their content (a 64-bit hash of the image's values), so the batches,
 * their order and every step are those of the uncached run: only the backbone's forward pass is
 * skipped for an image already seen. Augmented images hash differently; the first miss after the
 * first epoch turns the cache off (and frees it), and the run continues uncached.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ZooError } from '@tfzoo/core';
import { isInferencePinned } from './freeze.js';

/** Layers that are random in training mode. */
const STOCHASTIC = /Dropout|GaussianNoise|DropPath|StochasticDepth/i;

/** A model split into a frozen backbone and the head trained on its output. */
export interface HeadSplit {
  /** The model up to the head's input (shares the model's layers and weights). */
  backbone: tfl.LayersModel;
  /** The head's layers in order; the first takes the backbone's output, each the previous one's. */
  head: tfl.layers.Layer[];
}

function refuse(why: string): never {
  throw new ZooError('INVALID_ARGUMENT', `cacheFeatures: ${why}`, {
    received: why,
    expected:
      'a model whose layers below the head are frozen with freeze() (e.g. freeze(model, "backbone")), deterministic, and whose head is a chain of layers',
  });
}

/**
 * Splits `model` where training starts: before the first layer with trainable weights or random
 * behaviour (dropout). Everything before must be frozen and deterministic, everything after a
 * chain of single-input layers ending at the model's output.
 *
 * @throws `ZooError` (`INVALID_ARGUMENT`, from `@tfzoo/core`) saying which condition fails.
 */
export function splitAtHead(model: tfl.LayersModel): HeadSplit {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    refuse(
      `${model.name} has ${model.inputs.length} inputs and ${model.outputs.length} outputs, not one of each`,
    );
  }
  const layers = model.layers;
  const cut = layers.findIndex(
    (layer) =>
      (layer.trainable && layer.trainableWeights.length > 0) || STOCHASTIC.test(layer.getClassName()),
  );
  if (cut <= 0 || !layers.slice(0, cut).some((layer) => layer.weights.length > 0))
    refuse(`${model.name} has no frozen layers below its first trainable layer`);
  for (const layer of layers.slice(0, cut)) {
    if (/BatchNorm/i.test(layer.getClassName()) && !isInferencePinned(layer)) {
      refuse(`batch-norm layer ${layer.name} is not frozen with freeze(), so it would use batch statistics`);
    }
  }
  const head = layers.slice(cut);
  const first = head[0]!;
  if (first.inboundNodes.length !== 1 || first.inboundNodes[0]!.inputTensors.length !== 1) {
    refuse(`the head's first layer ${first.name} does not take exactly one input`);
  }
  for (let i = 1; i < head.length; i++) {
    const nodes = head[i]!.inboundNodes;
    if (
      nodes.length !== 1 ||
      nodes[0]!.inboundLayers.length !== 1 ||
      nodes[0]!.inboundLayers[0] !== head[i - 1]
    ) {
      refuse(`the head is not a chain: ${head[i]!.name} does not take ${head[i - 1]!.name}'s output alone`);
    }
  }
  if (head[head.length - 1]!.output !== model.outputs[0]) {
    refuse(`the head's last layer ${head[head.length - 1]!.name} is not the model's output`);
  }
  const features = first.inboundNodes[0]!.inputTensors[0]!;
  return { backbone: tfl.model({ inputs: model.inputs, outputs: features }), head };
}

/** A 64-bit hash (two FNV-1a lanes) of one sample's bytes, as a string key. */
function hashOf(bytes: Uint8Array, start: number, end: number): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ (end - start);
  for (let i = start; i < end; i++) {
    a = Math.imul(a ^ bytes[i]!, 0x01000193);
    b = Math.imul(b ^ bytes[i]!, 0x5bd1e995) ^ (b >>> 15);
  }
  return `${(a >>> 0).toString(36)}.${(b >>> 0).toString(36)}`;
}

/** Counts of a {@link FeatureCache}'s lookups. */
export interface FeatureCacheStats {
  /** Samples whose features came from the cache. */
  hits: number;
  /** Samples the backbone ran for. */
  misses: number;
  /** Whether the cache is still in use (false once the data changed between epochs). */
  active: boolean;
}

/** Features of the backbone per sample, by content. Used by `train({ cacheFeatures: true })`. */
export class FeatureCache {
  /** The split of the model. */
  readonly split: HeadSplit;
  private readonly store = new Map<string, Float32Array>();
  private readonly stats: FeatureCacheStats = { hits: 0, misses: 0, active: true };

  constructor(model: tfl.LayersModel) {
    this.split = splitAtHead(model);
  }

  /** Lookup counts so far. */
  get counts(): FeatureCacheStats {
    return { ...this.stats };
  }

  /**
   * The backbone's output for the batch `x` (a new tensor, the caller disposes it): cached rows
   * where the sample was seen, the backbone run on the others. `epoch` > 0 with a miss turns the
   * cache off: the images changed between epochs.
   */
  async features(x: tf.Tensor, epoch: number): Promise<tf.Tensor> {
    const { backbone } = this.split;
    if (!this.stats.active) return tf.tidy(() => backbone.apply(x, { training: true }) as tf.Tensor);
    const n = x.shape[0]!;
    const values = (await x.data()) as Float32Array | Int32Array | Uint8Array;
    const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
    const per = bytes.length / n;
    const keys = Array.from({ length: n }, (_, i) => hashOf(bytes, i * per, (i + 1) * per));
    const missing = keys.flatMap((key, i) => (this.store.has(key) ? [] : [i]));
    if (missing.length > 0 && epoch > 0) {
      this.stats.active = false;
      this.store.clear();
      this.stats.misses += n;
      return tf.tidy(() => backbone.apply(x, { training: true }) as tf.Tensor);
    }
    this.stats.hits += n - missing.length;
    this.stats.misses += missing.length;
    const featureShape = (backbone.outputs[0]!.shape as number[]).slice(1);
    const size = featureShape.reduce((a, b) => a * b, 1);
    if (missing.length > 0) {
      const computed = tf.tidy(() => {
        const subset = missing.length === n ? x : tf.gather(x, tf.tensor1d(missing, 'int32'));
        return backbone.apply(subset, { training: true }) as tf.Tensor;
      });
      const data = (await computed.data()) as Float32Array;
      computed.dispose();
      missing.forEach((i, j) => {
        this.store.set(keys[i]!, data.slice(j * size, (j + 1) * size));
      });
    }
    const out = new Float32Array(n * size);
    keys.forEach((key, i) => {
      out.set(this.store.get(key)!, i * size);
    });
    return tf.tensor(out, [n, ...featureShape]);
  }

  /** The head on features (training mode). */
  head(features: tf.Tensor): tf.Tensor {
    let t = features;
    for (const layer of this.split.head) t = layer.apply(t, { training: true }) as tf.Tensor;
    return t;
  }

  /** Frees the cached features and the backbone model object (not the shared layers). */
  dispose(): void {
    this.store.clear();
  }
}
