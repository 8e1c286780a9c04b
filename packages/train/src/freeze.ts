/**
 * Fine-tuning helpers: freezing layers (with batch-norm kept in inference mode while frozen, as
 * Keras does since TF 2.0 for `trainable = False` BatchNormalization, and as PyTorch users get
 * with `module.eval()` + `requires_grad_(False)`), unfreezing, replacing the head, and feature
 * extraction (timm's `reset_classifier`, `forward_features`).
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { invalidArgument, ZooError } from '@tfzoo/core';

/**
 * Which layers to act on: a predicate, layer names / name prefixes (a stage name such as `layer1`
 * selects `layer1_0_conv1` …), a RegExp, or `'backbone'` (every layer before the classifier).
 */
export type FreezeTarget =
  | 'all'
  | 'backbone'
  | string
  | RegExp
  | readonly (string | RegExp)[]
  | ((layer: tfl.layers.Layer, index: number) => boolean);

type Callable = (inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>) => tf.Tensor | tf.Tensor[];
const ORIGINAL_CALL = Symbol('tfzoo.originalCall');
interface Patchable {
  call: Callable;
  [ORIGINAL_CALL]?: Callable;
}

/** Whether a layer normalizes with batch statistics in training mode (BatchNormalization and kin). */
function isBatchNorm(layer: tfl.layers.Layer): boolean {
  return /BatchNorm/i.test(layer.getClassName());
}

/**
 * Name of the classifier layer of a zoo model: the last layer with weights whose output is the
 * model's output (through activation / dropout / flatten layers without weights).
 */
export function classifierLayer(model: tfl.LayersModel): tfl.layers.Layer | undefined {
  for (let i = model.layers.length - 1; i >= 0; i--) {
    const layer = model.layers[i]!;
    if (layer.weights.length > 0) return layer;
  }
  return undefined;
}

function matcher(
  model: tfl.LayersModel,
  target: FreezeTarget = 'all',
): (layer: tfl.layers.Layer, i: number) => boolean {
  if (typeof target === 'function') return target;
  if (target === 'all') return () => true;
  if (target === 'backbone') {
    const head = classifierLayer(model);
    const headIndex = head ? model.layers.indexOf(head) : model.layers.length;
    return (_layer, i) => i < headIndex;
  }
  const patterns = (Array.isArray(target) ? target : [target]) as (string | RegExp)[];
  for (const p of patterns) {
    if (typeof p !== 'string' && !(p instanceof RegExp)) {
      throw invalidArgument(
        'target',
        target,
        "'all', 'backbone', layer names / prefixes, a RegExp or a predicate",
      );
    }
  }
  const matches = (layer: tfl.layers.Layer) =>
    patterns.some((p) =>
      typeof p === 'string'
        ? layer.name === p || layer.name.startsWith(`${p}_`) || layer.name.startsWith(`${p}.`)
        : p.test(layer.name),
    );
  const selected = model.layers.filter(matches);
  if (selected.length === 0) {
    throw new ZooError(
      'INVALID_ARGUMENT',
      `no layer of ${model.name} matches ${patterns.map(String).join(', ')}; its layers start with ${[
        ...new Set(model.layers.map((l) => l.name.split('_')[0])),
      ].join(', ')}`,
      { received: patterns.map(String), expected: 'layer names or stage prefixes of the model' },
    );
  }
  return (layer) => matches(layer);
}

function setInference(layer: tfl.layers.Layer, on: boolean): void {
  const target = layer as unknown as Patchable;
  if (on && !target[ORIGINAL_CALL]) {
    const original = target.call;
    target[ORIGINAL_CALL] = original;
    target.call = function (this: unknown, inputs, kwargs) {
      return original.call(this, inputs, { ...kwargs, training: false });
    };
  } else if (!on && target[ORIGINAL_CALL]) {
    target.call = target[ORIGINAL_CALL]!;
    delete target[ORIGINAL_CALL];
  }
}

/** Whether a layer's batch-norm is pinned to inference mode by {@link freeze}. */
export function isInferencePinned(layer: tfl.layers.Layer): boolean {
  return (layer as unknown as Patchable)[ORIGINAL_CALL] !== undefined;
}

/**
 * Freezes the selected layers: `trainable = false` (no gradients, no optimizer updates) and their
 * batch-norm layers run in inference mode (running statistics, not updated) even when the model is
 * called with `training: true`.
 *
 * @returns the names of the layers frozen.
 */
export function freeze(model: tfl.LayersModel, target: FreezeTarget = 'backbone'): string[] {
  const select = matcher(model, target);
  const names: string[] = [];
  model.layers.forEach((layer, i) => {
    if (layer.getClassName() === 'InputLayer' || !select(layer, i)) return;
    layer.trainable = false;
    if (isBatchNorm(layer)) setInference(layer, true);
    names.push(layer.name);
  });
  return names;
}

/** Undoes {@link freeze} for the selected layers (default: all). @returns the names unfrozen. */
export function unfreeze(model: tfl.LayersModel, target: FreezeTarget = 'all'): string[] {
  const select = matcher(model, target);
  const names: string[] = [];
  model.layers.forEach((layer, i) => {
    if (layer.getClassName() === 'InputLayer' || !select(layer, i)) return;
    if (!layer.trainable || isInferencePinned(layer)) names.push(layer.name);
    layer.trainable = true;
    setInference(layer, false);
  });
  return names;
}

/** Options of {@link replaceHead}. */
export interface ReplaceHeadOptions {
  /** Name of the new dense layer (default: the old classifier's name). */
  name?: string;
  /** Dropout before the new head (default none). */
  dropRate?: number;
}

/**
 * A new model sharing every layer (and weight) of `model` up to its classifier, with a fresh dense
 * classifier of `numClasses` logits (timm's `reset_classifier`). Prefer
 * `createModel(id, { pretrained: true, numClasses })`, which does this at build time.
 */
export function replaceHead(
  model: tfl.LayersModel,
  numClasses: number,
  options: ReplaceHeadOptions = {},
): tfl.LayersModel {
  if (!Number.isInteger(numClasses) || numClasses < 1) {
    throw invalidArgument('numClasses', numClasses, 'a positive integer');
  }
  const head = classifierLayer(model);
  if (head?.getClassName() !== 'Dense') {
    throw new ZooError(
      'UNSUPPORTED',
      `replaceHead needs a model ending in a Dense classifier; ${model.name}'s last layer with weights is ${head?.getClassName() ?? 'none'}`,
      { received: head?.getClassName(), expected: 'Dense' },
    );
  }
  const features = head.input as tfl.SymbolicTensor;
  let x = features;
  if (options.dropRate)
    x = tfl.layers
      .dropout({ rate: options.dropRate, name: `${head.name}_drop` })
      .apply(x) as tfl.SymbolicTensor;
  const units = features.shape[features.shape.length - 1]!;
  const bound = 1 / Math.sqrt(units);
  const dense = tfl.layers.dense({
    units: numClasses,
    name: options.name ?? `${head.name}`,
    kernelInitializer: tfl.initializers.randomUniform({ minval: -bound, maxval: bound }),
    biasInitializer: tfl.initializers.randomUniform({ minval: -bound, maxval: bound }),
  });
  return tfl.model({ inputs: model.inputs, outputs: dense.apply(x) as tfl.SymbolicTensor, name: model.name });
}

/**
 * A model from the input to the features the classifier sees (or to the output of `layerName`):
 * for feature extraction (`model.predict` gives embeddings), sharing the weights.
 */
export function featureExtractor(model: tfl.LayersModel, layerName?: string): tfl.LayersModel {
  let output: tfl.SymbolicTensor;
  if (layerName !== undefined) {
    output = model.getLayer(layerName).output as tfl.SymbolicTensor;
  } else {
    const head = classifierLayer(model);
    if (!head)
      throw new ZooError('UNSUPPORTED', `${model.name} has no layer with weights`, {
        expected: 'a classifier',
      });
    output = head.input as tfl.SymbolicTensor;
  }
  return tfl.model({ inputs: model.inputs, outputs: output, name: `${model.name}_features` });
}

/** Runs a feature extractor over batches of images and returns the features `[n, d]` (caller disposes). */
export function extractFeatures(extractor: tfl.LayersModel, x: tf.Tensor4D, batchSize = 64): tf.Tensor2D {
  return tf.tidy(() => {
    const parts: tf.Tensor[] = [];
    for (let i = 0; i < x.shape[0]; i += batchSize) {
      const slice = tf.slice(x, [i, 0, 0, 0], [Math.min(batchSize, x.shape[0] - i), -1, -1, -1]);
      parts.push(tf.reshape(extractor.predict(slice) as tf.Tensor, [slice.shape[0], -1]));
    }
    return tf.concat(parts, 0) as tf.Tensor2D;
  });
}
