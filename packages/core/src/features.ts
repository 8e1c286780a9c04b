/**
 * Feature extraction with timm's `features_only` semantics for any built model: one feature map per
 * resolution the network passes through (the last layer at each spatial size, i.e. the end of each
 * stage), with its channels and its reduction relative to the input; `outIndices` picks levels.
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { describeValue, invalidArgument } from './errors.js';
import type { BuildOptions } from './options.js';

/** One feature level: where it is tapped, its channels and its reduction (timm's `feature_info`). */
export interface FeatureLevel {
  /** Index used in `outIndices`. */
  index: number;
  /** Name of the tapped layer in the built model. */
  layerName: string;
  /** Channels of the feature map. */
  channels: number;
  /** Input height over the map's height (the total stride where the network downsamples by integers). */
  reduction: number;
}

/** The feature-extraction part of `BuildOptions`. */
export type FeatureOptions = Pick<BuildOptions, 'featuresOnly' | 'outIndices'>;

const infos = new WeakMap<object, readonly FeatureLevel[]>();

/** Records the feature levels a features-only model returns (families with their own taps call it). */
export function attachFeatureInfo(model: tfl.LayersModel, levels: readonly FeatureLevel[]): void {
  infos.set(model, Object.freeze([...levels]));
}

/** The feature levels a `featuresOnly` model returns, in output order; `undefined` for other models. */
export function featureInfo(model: tfl.LayersModel): readonly FeatureLevel[] | undefined {
  return infos.get(model);
}

function shapeOf(layer: tfl.layers.Layer): number[] | undefined {
  const shape = layer.outputShape as (number | null)[] | (number | null)[][];
  if (!Array.isArray(shape) || Array.isArray(shape[0])) return undefined;
  return shape.length === 4 ? (shape as number[]) : undefined;
}

/**
 * The block a layer belongs to, from its path-like name: the name up to its first run of numeric
 * segments (`blocks_1_0_bn1_act` → `blocks_1_0`, `features_2_conv_0_2` → `features_2`); a name
 * without one is its own block.
 */
function blockOf(name: string): string {
  const tokens = name.split('_');
  const first = tokens.findIndex((token) => /^\d+$/.test(token));
  if (first < 0) return name;
  let end = first;
  while (end + 1 < tokens.length && /^\d+$/.test(tokens[end + 1]!)) end++;
  return tokens.slice(0, end + 1).join('_');
}

/**
 * The feature levels of a model that ends in its last feature map (`includeTop: false`, no pooling):
 * for each spatial size smaller than the input, from large to small, the last layer (in topological
 * order) with that size that is a block's output — layers inside a block that downsamples (an
 * inverted residual's expansion, a shuffle unit's first branch) belong to the next stage, as in
 * timm's `feature_info`. Sizes below the final map's (squeeze-and-excitation's 1×1) are not levels.
 */
export function findFeatureLevels(model: tfl.LayersModel): FeatureLevel[] {
  const inputHeight = model.inputs[0]?.shape[1];
  const last = model.outputs[0]?.shape;
  if (typeof inputHeight !== 'number' || !last || last.length !== 4) {
    throw invalidArgument('model', model.name, 'a model ending in a 4-D feature map (includeTop: false)');
  }
  const finalHeight = last[1] as number;
  const smallest = new Map<string, number>();
  for (const layer of model.layers) {
    const shape = shapeOf(layer);
    if (!shape) continue;
    const block = blockOf(layer.name);
    smallest.set(block, Math.min(smallest.get(block) ?? Number.POSITIVE_INFINITY, shape[1]!));
  }
  const bySize = new Map<string, { layerName: string; height: number; channels: number }>();
  for (const layer of model.layers) {
    // Explicit padding enlarges a map on its way into a strided layer: not a stage output.
    if (layer.getClassName() === 'InputLayer' || /Padding/.test(layer.getClassName())) continue;
    const shape = shapeOf(layer);
    if (!shape) continue;
    const [, h, w, c] = shape as [null, number, number, number];
    if (h >= inputHeight || h < finalHeight) continue;
    // Inside a block whose output is smaller: the input side of a downsampling block.
    if ((smallest.get(blockOf(layer.name)) ?? h) < h) continue;
    bySize.set(`${h}x${w}`, { layerName: layer.name, height: h, channels: c });
  }
  return [...bySize.values()]
    .sort((a, b) => b.height - a.height)
    .map((level, index) => ({
      index,
      layerName: level.layerName,
      channels: level.channels,
      reduction: inputHeight / level.height,
    }));
}

/**
 * Wraps a model that ends in its last feature map as a multi-output feature extractor (its layers and
 * weights are shared), with {@link featureInfo} recorded.
 *
 * @throws {@link ZooError} when `outIndices` is not ascending, unique and within the levels.
 */
export function featureExtractor(
  body: tfl.LayersModel,
  options: { outIndices?: readonly number[]; name?: string } = {},
): tfl.LayersModel {
  const levels = findFeatureLevels(body);
  const indices = options.outIndices ?? levels.map((level) => level.index);
  if (
    !Array.isArray(indices) ||
    indices.length === 0 ||
    !indices.every(
      (i, k) => Number.isInteger(i) && i >= 0 && i < levels.length && (k === 0 || i > indices[k - 1]!),
    )
  ) {
    throw invalidArgument(
      'outIndices',
      indices,
      `ascending unique integers in [0, ${levels.length}) for ${body.name} (levels ${describeValue(
        levels.map((l) => `${l.channels}@1/${l.reduction}`),
      )})`,
    );
  }
  const selected = indices.map((i) => levels[i]!);
  const outputs = selected.map((level) => body.getLayer(level.layerName).output as tfl.SymbolicTensor);
  const model = tfl.model({ inputs: body.inputs, outputs, name: options.name ?? body.name });
  attachFeatureInfo(model, selected);
  return model;
}

/**
 * The `featuresOnly` path of a builder: `undefined` when features are not asked for; else the
 * builder's body (`includeTop: false`, no pooling) wrapped by {@link featureExtractor}.
 */
export function buildFeatures<T extends BuildOptions & FeatureOptions>(
  options: T | undefined,
  build: (options: Omit<T, keyof FeatureOptions>) => tfl.LayersModel,
): tfl.LayersModel | undefined {
  const featuresOnly = options?.featuresOnly ?? false;
  if (typeof featuresOnly !== 'boolean') throw invalidArgument('featuresOnly', featuresOnly, 'a boolean');
  if (!featuresOnly || !options) return undefined;
  const { featuresOnly: _, outIndices, ...rest } = options;
  const body = build({ ...rest, includeTop: false, pooling: null } as Omit<T, keyof FeatureOptions>);
  return featureExtractor(body, outIndices === undefined ? {} : { outIndices });
}
