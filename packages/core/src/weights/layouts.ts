/**
 * Weight layouts: how a PyTorch parameter becomes a TF.js layer weight (DESIGN §3). PyTorch stores
 * convolutions `[O, I, kh, kw]` (NCHW), TF.js `[kh, kw, I, O]` (NHWC); dense layers `[O, I]` versus
 * `[I, O]`; depthwise kernels `[C·m, 1, kh, kw]` versus `[kh, kw, C, m]`; and a dense layer after a
 * flatten sees its inputs in `C, H, W` order in PyTorch but `H, W, C` in TF.js.
 *
 * A {@link WeightTransform} converts in both directions; a layer class's {@link WeightLayout} says
 * which TF.js weight each PyTorch parameter fills and with which transform. Custom layer packages
 * register their classes with {@link registerWeightLayout} without core importing them.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describeValue, invalidArgument, ZooError } from '../errors.js';
import type { WeightDType } from './raw.js';

/** Converts one tensor between the reference (PyTorch) layout and the model (TF.js) layout. */
export interface WeightTransform {
  /** Short description for messages, e.g. `conv2d [O,I,kh,kw]→[kh,kw,I,O]`. */
  readonly name: string;
  /** The reference shape that corresponds to a model weight of `modelShape`. */
  referenceShape(modelShape: readonly number[]): number[];
  /** Reference layout → model layout; the result has `modelShape`. Does not dispose its input. */
  toModel(reference: tf.Tensor, modelShape: readonly number[]): tf.Tensor;
  /** Model layout → reference layout. Does not dispose its input. */
  toReference(model: tf.Tensor): tf.Tensor;
}

function inversePermutation(perm: readonly number[]): number[] {
  const inverse = new Array<number>(perm.length);
  perm.forEach((p, i) => {
    inverse[p] = i;
  });
  return inverse;
}

function requireRank(transform: string, shape: readonly number[], rank: number): void {
  if (shape.length !== rank) {
    throw new ZooError(
      'WEIGHTS_MISMATCH',
      `${transform} needs a rank-${rank} model weight; received shape ${describeValue(shape)}`,
      {
        received: shape,
        expected: `rank ${rank}`,
      },
    );
  }
}

/** Identity: the tensor has the same layout on both sides. */
export const identityTransform: WeightTransform = {
  name: 'identity',
  referenceShape: (shape) => [...shape],
  toModel: (x) => x.clone(),
  toReference: (x) => x.clone(),
};

/**
 * A pure axis permutation: `model = transpose(reference, perm)`.
 *
 * @param perm - for each model axis, the reference axis it comes from.
 */
export function permuteTransform(
  perm: readonly number[],
  name = `permute ${describeValue(perm)}`,
): WeightTransform {
  const inverse = inversePermutation(perm);
  return {
    name,
    referenceShape(modelShape) {
      requireRank(name, modelShape, perm.length);
      const shape = new Array<number>(perm.length);
      perm.forEach((p, i) => {
        shape[p] = modelShape[i]!;
      });
      return shape;
    },
    toModel: (x) => tf.transpose(x, [...perm]),
    toReference: (x) => tf.transpose(x, inverse),
  };
}

/** Conv2D (and Conv2DTranspose, whose PyTorch `[I,O,kh,kw]` maps the same way): `[O,I,kh,kw]→[kh,kw,I,O]`. */
export const conv2dTransform = permuteTransform([2, 3, 1, 0], 'conv2d [O,I,kh,kw]→[kh,kw,I,O]');
/** Conv1D: `[O,I,k]→[k,I,O]`. */
export const conv1dTransform = permuteTransform([2, 1, 0], 'conv1d [O,I,k]→[k,I,O]');
/** Conv3D: `[O,I,kd,kh,kw]→[kd,kh,kw,I,O]`. */
export const conv3dTransform = permuteTransform([2, 3, 4, 1, 0], 'conv3d [O,I,kd,kh,kw]→[kd,kh,kw,I,O]');
/** Dense: `[O,I]→[I,O]`. */
export const denseTransform = permuteTransform([1, 0], 'dense [O,I]→[I,O]');

/** Depthwise conv: PyTorch `[C·m,1,kh,kw]` (groups = C) → TF.js `[kh,kw,C,m]`. */
export const depthwiseTransform: WeightTransform = {
  name: 'depthwise [C·m,1,kh,kw]→[kh,kw,C,m]',
  referenceShape(modelShape) {
    requireRank('depthwise', modelShape, 4);
    const [kh, kw, c, m] = modelShape as [number, number, number, number];
    return [c * m, 1, kh, kw];
  },
  toModel(x, modelShape) {
    const [kh, kw, c, m] = modelShape as [number, number, number, number];
    return tf.tidy(() => tf.transpose(tf.reshape(x, [c, m, kh, kw]), [2, 3, 0, 1]));
  },
  toReference(x) {
    const [kh, kw, c, m] = x.shape as [number, number, number, number];
    return tf.tidy(() => tf.reshape(tf.transpose(x, [2, 3, 0, 1]), [c * m, 1, kh, kw]));
  },
};

/**
 * A dense layer after a flatten of a `[C,H,W]` (PyTorch) / `[H,W,C]` (TF.js) feature map:
 * reshape the reference to `[O,C,H,W]`, transpose to `[H,W,C,O]`, reshape to `[H·W·C,O]`.
 *
 * @param chw - the flattened feature map `[channels, height, width]`.
 * @param stored - the reference stores a `dense` `[O, C·H·W]` (torchvision VGG/AlexNet) or a
 *   `conv` `[O,C,H,W]` (timm `pre_logits` convs).
 */
export function flattenDenseTransform(
  chw: readonly [number, number, number],
  stored: 'dense' | 'conv' = 'dense',
): WeightTransform {
  const [c, h, w] = chw;
  if (![c, h, w].every((d) => Number.isSafeInteger(d) && d > 0)) {
    throw invalidArgument('flattenDenseTransform chw', chw, '[channels, height, width] positive integers');
  }
  const name = `flatten-dense ${stored === 'dense' ? `[O,${c}·${h}·${w}]` : `[O,${c},${h},${w}]`}→[${h}·${w}·${c},O]`;
  return {
    name,
    referenceShape(modelShape) {
      requireRank(name, modelShape, 2);
      const o = modelShape[1]!;
      if (modelShape[0] !== c * h * w) return [o, -1];
      return stored === 'dense' ? [o, c * h * w] : [o, c, h, w];
    },
    toModel(x, modelShape) {
      const o = modelShape[1]!;
      return tf.tidy(() =>
        tf.reshape(tf.transpose(tf.reshape(x, [o, c, h, w]), [2, 3, 1, 0]), [h * w * c, o]),
      );
    },
    toReference(x) {
      const o = x.shape[1]!;
      return tf.tidy(() => {
        const conv = tf.transpose(tf.reshape(x, [h, w, c, o]), [3, 2, 0, 1]);
        return stored === 'dense' ? tf.reshape(conv, [o, c * h * w]) : conv;
      });
    },
  };
}

/** A classifier stored as a 1×1 conv `[O,I,1,1]` loaded into a dense `[I,O]` (timm heads). */
export const convAsDenseTransform: WeightTransform = {
  name: 'conv-as-dense [O,I,1,1]→[I,O]',
  referenceShape(modelShape) {
    requireRank('conv-as-dense', modelShape, 2);
    return [modelShape[1]!, modelShape[0]!, 1, 1];
  },
  toModel: (x, modelShape) =>
    tf.tidy(() => tf.transpose(tf.reshape(x, [modelShape[1]!, modelShape[0]!]), [1, 0])),
  toReference: (x) => tf.tidy(() => tf.reshape(tf.transpose(x, [1, 0]), [x.shape[1]!, x.shape[0]!, 1, 1])),
};

/** The part of a tfjs-layers layer that layouts and mappings read. */
export interface MappableLayer {
  /** Layer name. */
  name: string;
  /** Class name, e.g. `Conv2D`. */
  getClassName(): string;
  /** Layer config (used to look at `dataFormat`, `depthMultiplier`, …). */
  getConfig(): Record<string, unknown>;
}

/** How one PyTorch parameter of a layer maps to a TF.js weight. */
export interface ParamLayout {
  /** Short name of the TF.js weight (`kernel`, `depthwise_kernel`, `gamma`, …). */
  weight: string;
  /** Transform; a function picks one from the layer (default identity). */
  transform?: WeightTransform | ((layer: MappableLayer) => WeightTransform);
}

/** A reference tensor a layer class has in PyTorch but not in TF.js (BN's `num_batches_tracked`). */
export interface ExtraReferenceTensor {
  /** dtype written by `saveWeights`. */
  dtype: WeightDType;
  /** Shape written by `saveWeights` (`[]` for a scalar). */
  shape: number[];
  /** Value of every element written by `saveWeights`. */
  value: number;
}

/** Per-class weight layout: PyTorch parameter name → TF.js weight, plus reference-only tensors. */
export interface WeightLayout {
  /** By PyTorch parameter name (`weight`, `bias`, `running_mean`, …). */
  params: Readonly<Record<string, ParamLayout>>;
  /** Tensors the reference has and the layer does not: skipped on load, written on save. */
  extras?: Readonly<Record<string, ExtraReferenceTensor>>;
}

const layouts = new Map<string, WeightLayout>();

/**
 * Registers how PyTorch parameters map onto a layer class's weights. Custom layer packages call
 * this for their classes; registering a class again replaces its layout.
 *
 * @example
 * ```ts
 * registerWeightLayout('GroupConv2D', {
 *   params: { weight: { weight: 'kernel', transform: conv2dTransform }, bias: { weight: 'bias' } },
 * });
 * ```
 */
export function registerWeightLayout(className: string, layout: WeightLayout): void {
  if (typeof className !== 'string' || className.length === 0) {
    throw invalidArgument('className', className, 'a layer class name');
  }
  layouts.set(className, layout);
}

/** The registered layout of a layer class, if any. */
export function getWeightLayout(className: string): WeightLayout | undefined {
  return layouts.get(className);
}

const bias: ParamLayout = { weight: 'bias' };

/**
 * The transform of a Dense kernel: plain `[O,I]→[I,O]`, or {@link flattenDenseTransform} when the
 * layer reads (through shape-preserving layers such as Dropout) a Flatten of an `[H,W,C]` map with
 * `H·W > 1`, since PyTorch flattens `C,H,W`.
 */
function denseKernelTransform(layer: MappableLayer): WeightTransform {
  type Node = { inboundLayers?: unknown[]; inputShapes?: unknown; outputShapes?: unknown };
  type GraphLayer = MappableLayer & { inboundNodes?: Node[] };
  let current = layer as GraphLayer;
  for (let depth = 0; depth < 16; depth++) {
    const node = current.inboundNodes?.[0];
    const previous = node?.inboundLayers?.length === 1 ? (node.inboundLayers[0] as GraphLayer) : undefined;
    if (!previous) break;
    if (previous.getClassName() === 'Flatten') {
      const shapes = previous.inboundNodes?.[0]?.inputShapes as unknown[] | undefined;
      const input = (Array.isArray(shapes?.[0]) ? shapes[0] : shapes) as (number | null)[] | undefined;
      const dataFormat = previous.getConfig().dataFormat;
      if (Array.isArray(input) && input.length === 4 && dataFormat !== 'channelsFirst') {
        const [, h, w, c] = input as [null, number, number, number];
        if (h * w > 1) return flattenDenseTransform([c, h, w]);
      }
      break;
    }
    const previousNode = previous.inboundNodes?.[0];
    const inShape = JSON.stringify(previousNode?.inputShapes);
    if (!previousNode || inShape !== JSON.stringify(previousNode.outputShapes)) break;
    current = previous;
  }
  return denseTransform;
}

function convLayout(transform: WeightTransform): WeightLayout {
  return { params: { weight: { weight: 'kernel', transform }, bias } };
}

registerWeightLayout('Conv1D', convLayout(conv1dTransform));
registerWeightLayout('Conv2D', convLayout(conv2dTransform));
registerWeightLayout('Conv3D', convLayout(conv3dTransform));
registerWeightLayout('Conv2DTranspose', convLayout(conv2dTransform));
registerWeightLayout('DepthwiseConv2D', {
  params: { weight: { weight: 'depthwise_kernel', transform: depthwiseTransform }, bias },
});
registerWeightLayout('Dense', {
  params: { weight: { weight: 'kernel', transform: denseKernelTransform }, bias },
});
registerWeightLayout('BatchNormalization', {
  params: {
    weight: { weight: 'gamma' },
    bias: { weight: 'beta' },
    running_mean: { weight: 'moving_mean' },
    running_var: { weight: 'moving_variance' },
  },
  extras: { num_batches_tracked: { dtype: 'I64', shape: [], value: 0 } },
});
registerWeightLayout('LayerNormalization', {
  params: { weight: { weight: 'gamma' }, bias: { weight: 'beta' } },
});
registerWeightLayout('Embedding', { params: { weight: { weight: 'embeddings' } } });
registerWeightLayout('PReLU', { params: { weight: { weight: 'alpha' } } });

/** Resolves a param layout's transform for a given layer. */
export function resolveTransform(layout: ParamLayout | undefined, layer: MappableLayer): WeightTransform {
  const transform = layout?.transform;
  if (transform === undefined) return identityTransform;
  return typeof transform === 'function' ? transform(layer) : transform;
}
