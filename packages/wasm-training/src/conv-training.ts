/**
 * A network's first convolution in training mode on wasm without its input gradient.
 *
 * tfjs-layers' `Conv2D` convolves through `tf.fused.conv2d`, whose gradient is a custom op that
 * computes the input's and the filter's gradients together, whether or not the input's is used.
 * Below a network's first convolution (its stem) there are no weights, only the images and layers
 * such as zero padding, so that input gradient is thrown away: ResNet-18's 7×7 stem at 224×224,
 * batch 16, spent 0.2 s of a 3.9 s step on it (two threads). The core's `tf.conv2d` has a gradient
 * per input, and the backward pass (TF.js's, and `@tfzoo/train`'s `leanVariableGrads`) computes
 * only the ones it needs.
 *
 * So on the wasm backend, in training mode, a 2-D convolution layer with a linear activation
 * whose input depends on no trainable weight (every layer below it, back to the model's inputs,
 * has none) convolves with `tf.conv2d` and adds its bias with `tf.add`: the same values, and the
 * input gradient is never computed. It replaces `Conv2D.prototype.call` and hands over to the
 * original in every other case (layers with a fused activation keep the fused kernel, whose
 * activation gradient it computes in one pass).
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

/** The fields of tfjs-layers' `Conv2D` (and its layers' graph) this reads. */
interface ConvLayer {
  rank: number;
  strides: [number, number];
  padding: string;
  dataFormat: string;
  dilationRate: [number, number];
  kernel: tfl.LayerVariable | null;
  bias: tfl.LayerVariable | null;
  activation: { getClassName(): string } | null;
}

interface GraphLayer {
  trainableWeights: unknown[];
  inboundNodes?: { inboundLayers: GraphLayer[] }[];
}

type CallFn = (inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>) => tf.Tensor | tf.Tensor[];

let original: CallFn | undefined;

/** Per layer: whether its input depends on no trainable weight (see {@link inputIsConstant}). */
const constantInput = new WeakMap<object, boolean>();

/**
 * Whether every layer below `layer` in its model, back to the inputs, has no trainable weights
 * (false for a layer outside a model, or one called more than once).
 */
function inputIsConstant(layer: GraphLayer): boolean {
  const known = constantInput.get(layer);
  if (known !== undefined) return known;
  const nodes = layer.inboundNodes ?? [];
  let result = nodes.length === 1;
  for (const below of nodes[0]?.inboundLayers ?? []) {
    if (!result) break;
    const belowNodes = below.inboundNodes ?? [];
    // An input layer has one inbound node with no layers below it.
    const isInput = belowNodes.length === 1 && belowNodes[0]!.inboundLayers.length === 0;
    result = below.trainableWeights.length === 0 && (isInput || inputIsConstant(below));
  }
  constantInput.set(layer, result);
  return result;
}

/** The tfjs-layers `Conv2D` class (from a layer it builds). */
function conv2dClass(): { prototype: { call: CallFn } } {
  const layer = tfl.layers.conv2d({ filters: 1, kernelSize: 1 });
  return layer.constructor as unknown as { prototype: { call: CallFn } };
}

/**
 * Puts the stem convolution without an input gradient in place (see the module comment).
 * Idempotent; importing `@tfzoo/wasm-training` calls it.
 *
 * @returns whether this call installed it (false when it already was).
 */
export function installLeanStemConvTraining(): boolean {
  if (original !== undefined) return false;
  const prototype = conv2dClass().prototype;
  const previous = prototype.call;
  original = previous;
  prototype.call = function leanStemConvCall(this: ConvLayer, inputs, kwargs) {
    const input = Array.isArray(inputs) ? inputs[0] : inputs;
    if (
      kwargs?.training !== true ||
      tf.getBackend() !== 'wasm' ||
      input === undefined ||
      input.rank !== 4 ||
      this.rank !== 2 ||
      this.dataFormat !== 'channelsLast' ||
      this.kernel === null ||
      (this.activation !== null && this.activation.getClassName() !== 'linear') ||
      !inputIsConstant(this as unknown as GraphLayer)
    ) {
      return previous.call(this, inputs, kwargs);
    }
    return tf.tidy(() => {
      const y = tf.conv2d(
        input as tf.Tensor4D,
        this.kernel!.read() as tf.Tensor4D,
        this.strides,
        this.padding === 'same' ? 'same' : 'valid',
        'NHWC',
        this.dilationRate,
      );
      return this.bias === null ? y : tf.add(y, this.bias.read());
    });
  };
  return true;
}
