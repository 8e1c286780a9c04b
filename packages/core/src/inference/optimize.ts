/**
 * The inference form of a tfjs-layers model: its graph walked once and rewritten into a list of
 * steps that call TF.js's fused kernels directly (`tf.fused.conv2d`, `tf.fused.depthwiseConv2d`,
 * `tf.fused.matMul` with bias and activation), with batch-norm folded into the preceding
 * convolution or dense layer, zero padding folded into the convolution's own padding, dropout and
 * other identities removed, and every layer it does not know called as it is, so that the result
 * always computes what the model computes.
 *
 * Why not rebuild the model in tfjs-layers without batch-norm: tfjs-layers adds a convolution's
 * bias and activation as separate element-wise kernels (its `DepthwiseConv2D` never calls the
 * fused kernel), which on wasm cost more than the batch-norm they replace.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { describeValue, invalidArgument } from '../errors.js';
import {
  activationOfLayer,
  applyActivation,
  type FusedActivation,
  LINEAR,
  tfjsActivation,
  torchActivation,
} from './activation.js';
import { batchNormAffine, foldAffine } from './fold.js';

/** Options of {@link optimizeForInference}. */
export interface OptimizeOptions {
  /** Fold batch-norm layers into the preceding convolution or dense layer (default true). */
  foldBatchNorm?: boolean;
  /** Fuse bias and activation into the kernels (default true). */
  fuseActivations?: boolean;
}

const OPTION_KEYS = ['foldBatchNorm', 'fuseActivations'];

/** One step of an {@link InferenceModel}'s plan. */
export interface InferenceStep {
  /** What the step runs: `conv2d`, `depthwiseConv2d`, `matMul`, `add`, … or `layer` (the layer itself). */
  op: string;
  /** The model layers it replaces, in order. */
  layers: string[];
  /** Activation fused into the kernel (and applied after it), when there is one. */
  activation?: string;
}

/** A predict-only form of a model, made by {@link optimizeForInference}. */
export interface InferenceModel {
  /**
   * The model's outputs for `x` (one tensor, or an array with one tensor per model input), as the
   * source model's `predict(x)` (inference mode, whole batch at once): one tensor for a
   * single-output model, an array otherwise. The caller owns the result.
   */
  predict(x: tf.Tensor | tf.Tensor[]): tf.Tensor | tf.Tensor[];
  /** Releases the tensors this form made (folded weights); the source model is left alone. */
  dispose(): void;
  /** The steps `predict` runs, in order. */
  readonly plan: readonly InferenceStep[];
  /** The source model's name. */
  readonly name: string;
  /** The source model's input shapes (batch first, `null` where free). */
  readonly inputShapes: readonly (number | null)[][];
}

type Kwargs = Record<string, unknown>;

interface LayerNode {
  layer: tfl.layers.Layer;
  className: string;
  config: Record<string, unknown>;
  inputs: number[];
  outputs: number[];
  inputShapes: (number | null)[][];
}

interface Step extends InferenceStep {
  inputs: number[];
  outputs: number[];
  run(inputs: tf.Tensor[]): tf.Tensor | tf.Tensor[];
}

interface SymbolicLike {
  id: number;
  shape: (number | null)[];
}

interface NodeLike {
  inputTensors: SymbolicLike[];
  outputTensors: SymbolicLike[];
}

function nodesOf(model: tfl.LayersModel): LayerNode[] | null {
  const nodes: LayerNode[] = [];
  for (const layer of model.layers) {
    const className = layer.getClassName();
    if (className === 'InputLayer') continue;
    const inbound = (layer as unknown as { inboundNodes: NodeLike[] }).inboundNodes;
    // A layer called more than once (shared) or a model nested in another has several nodes:
    // the whole model then runs as it is.
    if (inbound.length !== 1) return null;
    const node = inbound[0] as NodeLike;
    nodes.push({
      layer,
      className,
      config: layer.getConfig() as Record<string, unknown>,
      inputs: node.inputTensors.map((t) => t.id),
      outputs: node.outputTensors.map((t) => t.id),
      inputShapes: node.inputTensors.map((t) => [...t.shape]),
    });
  }
  return nodes;
}

/** The layer's weight whose name ends in `/short` (tfjs-layers scopes names by layer). */
function weight(layer: tfl.layers.Layer, short: string): tf.Tensor | undefined {
  for (const w of layer.weights) {
    const name = w.originalName ?? w.name;
    const bare = name.replace(/_\d+$/, '');
    if (bare === short || bare.endsWith(`/${short}`)) return w.read();
  }
  return undefined;
}

const IDENTITY_LAYERS = new Set([
  'Dropout',
  'SpatialDropout1D',
  'SpatialDropout2D',
  'GaussianDropout',
  'GaussianNoise',
  'AlphaDropout',
  'tfzoo>DropPath',
]);

type LinearKind = 'conv2d' | 'depthwiseConv2d' | 'groupConv2d' | 'matMul';

type Pad = 'valid' | 'same' | [[0, 0], [number, number], [number, number], [0, 0]];

interface LinearSpec {
  kind: LinearKind;
  kernel: tf.Tensor;
  bias?: tf.Tensor1D;
  strides: [number, number];
  dilations: [number, number];
  pad: Pad;
  groups: number;
  activation: FusedActivation;
  /** The layer's own activation when it does not fuse (applied by the layer's activation object). */
  ownActivation?: (y: tf.Tensor) => tf.Tensor;
}

function pair(value: unknown, fallback: number): [number, number] {
  if (typeof value === 'number') return [value, value];
  if (Array.isArray(value) && value.length === 2) return [value[0] as number, value[1] as number];
  return [fallback, fallback];
}

function explicitPad(value: unknown): [number, number, number, number] | null {
  if (typeof value === 'number') return [value, value, value, value];
  if (Array.isArray(value) && value.every((v) => typeof v === 'number')) {
    if (value.length === 2) return [value[0], value[0], value[1], value[1]];
    if (value.length === 4) return [value[0], value[1], value[2], value[3]];
  }
  return null;
}

function padOf(value: unknown): Pad | null {
  if (value === 'valid' || value === 'same') return value;
  const p = explicitPad(value);
  return p
    ? [
        [0, 0],
        [p[0], p[1]],
        [p[2], p[3]],
        [0, 0],
      ]
    : null;
}

/** How a linear layer runs, or null when this module does not know it (it then runs as it is). */
function linearSpec(node: LayerNode): LinearSpec | null {
  const { layer, className, config } = node;
  if (config.dataFormat !== undefined && config.dataFormat !== 'channelsLast') return null;
  const own = tfjsActivation(config.activation ?? 'linear');
  // A layer activation that does not fuse runs after the kernel, under its own name.
  const activation = own ?? { ...LINEAR, label: String(config.activation) };
  const ownActivation = own
    ? undefined
    : (y: tf.Tensor) =>
        (layer as unknown as { activation: { apply(t: tf.Tensor): tf.Tensor } }).activation.apply(y);
  const bias = weight(layer, 'bias') as tf.Tensor1D | undefined;
  const base = { bias, activation, ...(ownActivation ? { ownActivation } : {}) };
  switch (className) {
    case 'Conv2D': {
      const kernel = weight(layer, 'kernel');
      const pad = padOf(config.padding);
      if (!kernel || !pad) return null;
      const strides = pair(config.strides, 1);
      const dilations = pair(config.dilationRate, 1);
      return { kind: 'conv2d', kernel, strides, dilations, pad, groups: 1, ...base };
    }
    case 'DepthwiseConv2D': {
      const kernel = weight(layer, 'depthwise_kernel');
      const pad = padOf(config.padding);
      if (!kernel || !pad) return null;
      const strides = pair(config.strides, 1);
      const dilations = pair(config.dilationRate, 1);
      return { kind: 'depthwiseConv2d', kernel, strides, dilations, pad, groups: 1, ...base };
    }
    case 'tfzoo>GroupConv2D': {
      const kernel = weight(layer, 'kernel');
      const pad = padOf(config.padding);
      const dilations = pair(config.dilationRate, 1);
      if (!kernel || !pad || dilations[0] !== 1 || dilations[1] !== 1) return null;
      const groups = typeof config.groups === 'number' ? config.groups : 1;
      const channels = node.inputShapes[0]?.[3];
      const kind = groups === 1 ? 'conv2d' : groups === channels ? 'depthwiseConv2d' : 'groupConv2d';
      const shaped =
        kind === 'depthwiseConv2d'
          ? tf.reshape(kernel, [
              kernel.shape[0] as number,
              kernel.shape[1] as number,
              groups,
              (kernel.shape[3] as number) / groups,
            ])
          : kernel;
      return {
        kind,
        kernel: shaped,
        strides: pair(config.strides, 1),
        dilations,
        pad,
        groups,
        bias,
        activation: LINEAR,
      };
    }
    case 'Dense': {
      const kernel = weight(layer, 'kernel');
      if (!kernel || node.inputShapes[0]?.length !== 2) return null;
      return { kind: 'matMul', kernel, strides: [1, 1], dilations: [1, 1], pad: 'valid', groups: 1, ...base };
    }
    default:
      return null;
  }
}

function isLinear(spec: LinearSpec): boolean {
  const a = spec.activation;
  return a.fused === 'linear' && !a.post && !a.biasOffset && !spec.ownActivation;
}

function fusedArgs(activation: FusedActivation): {
  activation: FusedActivation['fused'];
  leakyreluAlpha?: number;
} {
  return activation.fused === 'leakyrelu'
    ? { activation: 'leakyrelu', leakyreluAlpha: activation.leakyreluAlpha ?? 0.2 }
    : { activation: activation.fused };
}

/** The fused call of a linear layer with its (folded) weights. */
function linearRun(spec: LinearSpec, own: (t: tf.Tensor) => void): (x: tf.Tensor) => tf.Tensor {
  const { kernel, bias, strides, dilations, pad, activation } = spec;
  const fused = fusedArgs(activation);
  let run: (x: tf.Tensor) => tf.Tensor;
  switch (spec.kind) {
    case 'conv2d':
      run = (x) =>
        tf.fused.conv2d({
          x: x as tf.Tensor4D,
          filter: kernel as tf.Tensor4D,
          strides,
          pad,
          dilations,
          bias,
          ...fused,
        });
      break;
    case 'depthwiseConv2d':
      run = (x) =>
        tf.fused.depthwiseConv2d({
          x: x as tf.Tensor4D,
          filter: kernel as tf.Tensor4D,
          strides,
          // Explicit padding: the op's type omits it, but every backend's kernel takes it
          // (`computeConv2DInfo`), as the unfused depthwiseConv2d's type says.
          pad: pad as 'valid',
          dilations,
          bias,
          ...fused,
        });
      break;
    case 'groupConv2d': {
      const kernels = tf.split(kernel, spec.groups, 3) as tf.Tensor4D[];
      const biases = bias ? (tf.split(bias, spec.groups) as tf.Tensor1D[]) : undefined;
      for (const t of [...kernels, ...(biases ?? [])]) own(t);
      run = (x) => {
        const xs = tf.split(x, spec.groups, 3) as tf.Tensor4D[];
        return tf.concat(
          xs.map((xg, g) =>
            tf.fused.conv2d({
              x: xg,
              filter: kernels[g] as tf.Tensor4D,
              strides,
              pad,
              bias: biases?.[g],
              ...fused,
            }),
          ),
          3,
        );
      };
      break;
    }
    default:
      run = (x) => tf.fused.matMul({ a: x as tf.Tensor2D, b: kernel as tf.Tensor2D, bias, ...fused });
  }
  const after = spec.ownActivation ?? activation.post;
  return after ? (x) => after(run(x)) : run;
}

function zeroPadding(node: LayerNode): [number, number, number, number] | null {
  if (node.config.dataFormat !== undefined && node.config.dataFormat !== 'channelsLast') return null;
  const p = node.config.padding;
  if (Array.isArray(p) && p.length === 2 && p.every((a) => Array.isArray(a) && a.length === 2)) {
    const [[t, b], [l, r]] = p as [[number, number], [number, number]];
    return [t, b, l, r];
  }
  return null;
}

function addPad(pad: Pad, extra: [number, number, number, number]): Pad | null {
  if (pad === 'same') return null;
  const [t, b, l, r] = extra;
  const base = pad === 'valid' ? [0, 0, 0, 0] : [pad[1][0], pad[1][1], pad[2][0], pad[2][1]];
  return [
    [0, 0],
    [(base[0] as number) + t, (base[1] as number) + b],
    [(base[2] as number) + l, (base[3] as number) + r],
    [0, 0],
  ];
}

function batchNormOf(node: LayerNode, channelsAxisRank: number) {
  const axis = node.config.axis;
  const last =
    axis === -1 ||
    axis === channelsAxisRank - 1 ||
    (Array.isArray(axis) && axis.length === 1 && (axis[0] === -1 || axis[0] === channelsAxisRank - 1));
  const mean = weight(node.layer, 'moving_mean') as tf.Tensor1D | undefined;
  const variance = weight(node.layer, 'moving_variance') as tf.Tensor1D | undefined;
  if (!last || !mean || !variance || typeof node.config.epsilon !== 'number') return null;
  return {
    mean,
    variance,
    gamma: weight(node.layer, 'gamma') as tf.Tensor1D | undefined,
    beta: weight(node.layer, 'beta') as tf.Tensor1D | undefined,
    epsilon: node.config.epsilon,
  };
}

function squeezeExciteRun(node: LayerNode, owned: tf.Tensor[]): ((x: tf.Tensor) => tf.Tensor) | null {
  const { layer, config } = node;
  const fc1 = weight(layer, 'fc1_kernel') as tf.Tensor2D | undefined;
  const fc2 = weight(layer, 'fc2_kernel') as tf.Tensor2D | undefined;
  const b1 = weight(layer, 'fc1_bias') as tf.Tensor1D | undefined;
  const b2 = weight(layer, 'fc2_bias') as tf.Tensor1D | undefined;
  const hidden = torchActivation(config.activation);
  const gate = torchActivation(config.gate);
  if (!fc1 || !fc2 || !hidden || !gate || hidden.biasOffset) return null;
  let gateBias = b2;
  if (gate.biasOffset) {
    gateBias = tf.add(b2 ?? tf.zeros([fc2.shape[1]]), gate.biasOffset) as tf.Tensor1D;
    owned.push(gateBias);
  }
  const first = fusedArgs(hidden);
  const second = fusedArgs(gate);
  return (x) => {
    const [n, , , c] = x.shape as number[];
    const pooled = globalAveragePool(x);
    let h: tf.Tensor = tf.fused.matMul({ a: pooled, b: fc1, bias: b1, ...first });
    if (hidden.post) h = hidden.post(h);
    let s: tf.Tensor = tf.fused.matMul({ a: h as tf.Tensor2D, b: fc2, bias: gateBias, ...second });
    if (gate.post) s = gate.post(s);
    return tf.mul(x, tf.reshape(s, [n as number, 1, 1, c as number]));
  };
}

/**
 * The mean over height and width of an NHWC batch, `[n, c]`, as one average pooling over the whole
 * map: XNNPACK's kernel on wasm, where `tf.mean` transposes the batch and then reduces it (MobileNetV2's
 * 7×7×1280 map at batch 1: 122 against 168 µs; ResNet-50's at batch 16: 0.75 against 5.5 ms). A 1×1
 * map is only reshaped (XNNPACK refuses a 1×1 pooling window).
 */
function globalAveragePool(x: tf.Tensor): tf.Tensor2D {
  const [n, h, w, c] = x.shape as [number, number, number, number];
  if (h * w === 1) return tf.reshape(x, [n, c]);
  return tf.reshape(tf.avgPool(x as tf.Tensor4D, [h, w], 1, 'valid'), [n, c]);
}

function single(inputs: tf.Tensor[]): tf.Tensor {
  return inputs[0] as tf.Tensor;
}

/** The step of a layer this module runs with plain ops, or null. */
function simpleStep(node: LayerNode): ((inputs: tf.Tensor[]) => tf.Tensor) | null {
  const { className, config } = node;
  if (IDENTITY_LAYERS.has(className)) return (inputs) => tf.clone(single(inputs));
  const activation = activationOfLayer(className, config);
  if (activation) return (inputs) => applyActivation(single(inputs), activation);
  switch (className) {
    case 'Add':
      return (inputs) =>
        inputs.length === 2 ? tf.add(inputs[0] as tf.Tensor, inputs[1] as tf.Tensor) : tf.addN(inputs);
    case 'Multiply':
      return (inputs) => inputs.slice(1).reduce((a, b) => tf.mul(a, b), inputs[0] as tf.Tensor);
    case 'Concatenate': {
      const axis = typeof config.axis === 'number' ? config.axis : -1;
      return (inputs) => tf.concat(inputs, axis);
    }
    case 'GlobalAveragePooling2D':
      if (config.dataFormat !== undefined && config.dataFormat !== 'channelsLast') return null;
      if (config.keepDims === true) return null;
      return (inputs) => globalAveragePool(single(inputs));
    case 'Flatten':
      if (config.dataFormat !== undefined && config.dataFormat !== 'channelsLast') return null;
      return (inputs) => {
        const x = single(inputs);
        return tf.reshape(x, [x.shape[0] as number, -1]);
      };
    default:
      return null;
  }
}

/**
 * Rewrites `model` into its inference form: a predict-only object whose `predict` gives the
 * model's outputs (within float rounding: batch-norm folded into the weights changes the order of
 * operations) and runs fewer, fused kernels.
 *
 * - a `Conv2D`, `DepthwiseConv2D`, `@tfzoo/layers` `GroupConv2D` or `Dense` (on a rank-2 input)
 *   absorbs the `BatchNormalization` after it and then the activation layer after that (ReLU,
 *   ReLU6, sigmoid, ELU, leaky ReLU fused in the kernel; PyTorch's hard sigmoid as ReLU6 with
 *   `+3` folded into the bias; hard swish and SiLU as the fewest element-wise ops after the
 *   kernel), and the `ZeroPadding2D` before it becomes the kernel's own padding;
 * - a squeeze-excite block (`@tfzoo/layers` `SqueezeExcite`) runs its two dense layers as fused
 *   `matMul`s;
 * - dropout, drop-path and the noise layers are removed (identities at inference);
 * - every other layer is called as it is (`layer.call(inputs, { training: false })`).
 *
 * A step absorbs a layer only when nothing else reads the layer's input from it (one consumer,
 * not a model output). The inference form reads the model's weights as they are now: make it
 * after loading weights, and keep the model alive while it is in use (unfolded weights and the
 * layers it calls are the model's). Works on every backend.
 *
 * @example
 * ```ts
 * const model = await createModel('resnet18', { pretrained: true });
 * const fast = optimizeForInference(model);
 * const logits = fast.predict(images) as tf.Tensor2D;
 * fast.dispose();
 * ```
 */
export function optimizeForInference(model: tfl.LayersModel, options: OptimizeOptions = {}): InferenceModel {
  if (model === null || typeof model !== 'object' || !Array.isArray((model as { layers?: unknown }).layers)) {
    throw invalidArgument('model', model, 'a tfjs-layers LayersModel');
  }
  if (options === null || typeof options !== 'object') {
    throw invalidArgument('options', options, `an object with keys ${OPTION_KEYS.join(', ')}`);
  }
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.includes(key))
      throw invalidArgument('optimizeForInference option', key, OPTION_KEYS.join(', '));
  }
  const foldBn = options.foldBatchNorm ?? true;
  const fuse = options.fuseActivations ?? true;
  const inputIds = model.inputs.map((t) => (t as unknown as SymbolicLike).id);
  const outputIds = model.outputs.map((t) => (t as unknown as SymbolicLike).id);
  const inputShapes = model.inputs.map((t) => [...t.shape]);
  const owned: tf.Tensor[] = [];
  const nodes = nodesOf(model);
  let steps: Step[];
  if (nodes === null) {
    steps = [
      {
        op: 'model',
        layers: [model.name],
        inputs: inputIds,
        outputs: outputIds,
        run: (inputs) =>
          model.predict(inputs.length === 1 ? single(inputs) : inputs) as tf.Tensor | tf.Tensor[],
      },
    ];
  } else {
    let planned: Step[] = [];
    tf.tidy(() => {
      planned = plan(nodes, outputIds, foldBn, fuse, owned);
      // Folded weights outlive this tidy.
      for (const t of owned) tf.keep(t);
    });
    steps = planned;
  }
  return new PlannedModel(model.name, inputShapes, inputIds, outputIds, steps, owned);
}

function plan(
  nodes: LayerNode[],
  outputIds: number[],
  foldBn: boolean,
  fuse: boolean,
  owned: tf.Tensor[],
): Step[] {
  const consumers = new Map<number, LayerNode[]>();
  const producer = new Map<number, LayerNode>();
  for (const node of nodes) {
    for (const id of node.inputs) consumers.set(id, [...(consumers.get(id) ?? []), node]);
    for (const id of node.outputs) producer.set(id, node);
  }
  const outputs = new Set(outputIds);
  /** The one layer reading `node`'s single output, when nothing else reads it. */
  const onlyConsumer = (node: LayerNode): LayerNode | undefined => {
    if (node.outputs.length !== 1) return undefined;
    const id = node.outputs[0] as number;
    const readers = consumers.get(id) ?? [];
    return readers.length === 1 && !outputs.has(id) ? readers[0] : undefined;
  };
  const absorbed = new Set<LayerNode>();
  const steps: Step[] = [];
  // Tensors made here (folded, reshaped, split weights) belong to the inference form; the
  // model's own variables stay the model's.
  const own = (t: tf.Tensor | undefined): void => {
    if (t && !(t instanceof tf.Variable) && !owned.includes(t)) owned.push(t);
  };
  const specs = new Map<LayerNode, LinearSpec>();
  for (const node of nodes) {
    const spec = linearSpec(node);
    if (spec) specs.set(node, spec);
  }
  // A ZeroPadding2D read only by a convolution becomes the convolution's padding.
  const padInto = new Map<LayerNode, LayerNode>();
  for (const node of nodes) {
    const spec = specs.get(node);
    const source = producer.get(node.inputs[0] as number);
    if (!spec || spec.kind === 'matMul' || source?.className !== 'ZeroPadding2D') continue;
    const pads = zeroPadding(source);
    const padded = pads ? addPad(spec.pad, pads) : null;
    if (padded && onlyConsumer(source) === node) {
      spec.pad = padded;
      padInto.set(node, source);
      absorbed.add(source);
    }
  }
  for (const node of nodes) {
    if (absorbed.has(node)) continue;
    const spec = specs.get(node);
    if (spec) {
      const layers = [node.layer.name];
      let inputs = node.inputs;
      const pad = padInto.get(node);
      if (pad) {
        layers.unshift(pad.layer.name);
        inputs = pad.inputs;
      }
      let last = node;
      let next = onlyConsumer(last);
      if (foldBn && next?.className === 'BatchNormalization' && isLinear(spec) && !spec.ownActivation) {
        const rank = spec.kind === 'matMul' ? 2 : 4;
        const bn = batchNormOf(next, rank);
        if (bn) {
          const affine = batchNormAffine(bn);
          const folded = foldAffine(spec.kernel, spec.bias, affine, spec.kind === 'depthwiseConv2d');
          spec.kernel = folded.kernel;
          spec.bias = folded.bias;
          layers.push(next.layer.name);
          absorbed.add(next);
          last = next;
          next = onlyConsumer(last);
        }
      }
      if (fuse && next && isLinear(spec) && !spec.ownActivation) {
        const activation = activationOfLayer(next.className, next.config);
        if (activation) {
          spec.activation = activation;
          layers.push(next.layer.name);
          absorbed.add(next);
          last = next;
        }
      }
      if (spec.activation.biasOffset) {
        const bias = spec.bias ?? tf.zeros([spec.kernel.shape[spec.kernel.rank - 1] as number]);
        spec.bias = tf.add(bias, spec.activation.biasOffset) as tf.Tensor1D;
      }
      own(spec.kernel);
      own(spec.bias);
      const runLinear = linearRun(spec, own);
      steps.push({
        op: spec.kind,
        layers,
        inputs,
        outputs: last.outputs,
        ...(isLinear(spec) ? {} : { activation: spec.activation.label }),
        run: (xs) => runLinear(single(xs)),
      });
      continue;
    }
    if (node.className === 'tfzoo>SqueezeExcite') {
      const se = squeezeExciteRun(node, owned);
      if (se) {
        steps.push({
          op: 'squeezeExcite',
          layers: [node.layer.name],
          inputs: node.inputs,
          outputs: node.outputs,
          run: (xs) => se(single(xs)),
        });
        continue;
      }
    }
    const simple = simpleStep(node);
    const layer = node.layer;
    steps.push({
      op: simple ? (IDENTITY_LAYERS.has(node.className) ? 'identity' : node.className) : 'layer',
      layers: [layer.name],
      inputs: node.inputs,
      outputs: node.outputs,
      run:
        simple ??
        ((xs) =>
          layer.call(xs.length === 1 ? single(xs) : xs, { training: false } as Kwargs) as
            | tf.Tensor
            | tf.Tensor[]),
    });
  }
  return removeIdentities(steps, outputs);
}

/** Drops identity steps (but those giving a model output) by pointing their readers at their input. */
function removeIdentities(steps: Step[], outputs: Set<number>): Step[] {
  const alias = new Map<number, number>();
  const resolve = (id: number): number => alias.get(id) ?? id;
  const kept: Step[] = [];
  for (const step of steps) {
    const inputs = step.inputs.map(resolve);
    const output = step.outputs[0] as number;
    if (step.op === 'identity' && inputs.length === 1 && step.outputs.length === 1 && !outputs.has(output)) {
      alias.set(output, inputs[0] as number);
      continue;
    }
    kept.push({ ...step, inputs });
  }
  return kept;
}

class PlannedModel implements InferenceModel {
  readonly plan: readonly InferenceStep[];
  private disposed = false;
  private readonly lastUse = new Map<number, number>();

  constructor(
    readonly name: string,
    readonly inputShapes: (number | null)[][],
    private readonly inputIds: number[],
    private readonly outputIds: number[],
    private readonly steps: Step[],
    private readonly owned: tf.Tensor[],
  ) {
    this.plan = steps.map(({ op, layers, activation }) => ({
      op,
      layers,
      ...(activation ? { activation } : {}),
    }));
    steps.forEach((step, index) => {
      // An output nothing reads (an unused output of a multi-output layer) goes right away.
      for (const id of step.outputs) this.lastUse.set(id, index);
      for (const id of step.inputs) this.lastUse.set(id, index);
    });
  }

  predict(x: tf.Tensor | tf.Tensor[]): tf.Tensor | tf.Tensor[] {
    if (this.disposed) throw invalidArgument('inference model', this.name, 'a model not yet disposed');
    const xs = Array.isArray(x) ? x : [x];
    if (xs.length !== this.inputIds.length || !xs.every((t) => t instanceof tf.Tensor)) {
      throw invalidArgument(`${this.name} input`, x, `${this.inputIds.length} tensor(s)`);
    }
    xs.forEach((t, i) => {
      const expected = this.inputShapes[i] as (number | null)[];
      const fits =
        t.rank === expected.length && expected.every((d, axis) => d === null || d === t.shape[axis]);
      if (!fits) {
        throw invalidArgument(
          `${this.name} input ${i} shape`,
          t.shape,
          `${describeValue(expected)} (null: any size)`,
        );
      }
    });
    const values = new Map<number, tf.Tensor>();
    this.inputIds.forEach((id, i) => {
      values.set(id, xs[i] as tf.Tensor);
    });
    const keep = new Set<number>([...this.inputIds, ...this.outputIds]);
    try {
      this.steps.forEach((step, index) => {
        const inputs = step.inputs.map((id) => values.get(id) as tf.Tensor);
        const result = tf.tidy(() => step.run(inputs));
        const results = Array.isArray(result) ? result : [result];
        step.outputs.forEach((id, i) => {
          values.set(id, results[i] as tf.Tensor);
        });
        for (const id of new Set([...step.inputs, ...step.outputs])) {
          if (this.lastUse.get(id) === index && !keep.has(id)) {
            values.get(id)?.dispose();
            values.delete(id);
          }
        }
      });
    } catch (error) {
      for (const [id, t] of values) if (!this.inputIds.includes(id)) t.dispose();
      throw error;
    }
    const outs = this.outputIds.map((id) => {
      const t = values.get(id) as tf.Tensor;
      // An output that is also a model input (no layers between) is returned as a copy.
      return this.inputIds.includes(id) ? tf.clone(t) : t;
    });
    return outs.length === 1 ? (outs[0] as tf.Tensor) : outs;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const t of this.owned) t.dispose();
    this.owned.length = 0;
  }
}
