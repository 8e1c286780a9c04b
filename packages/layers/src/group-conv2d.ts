/**
 * Grouped 2-D convolution, PyTorch `nn.Conv2d(groups=…)`: the input channels are split into
 * `groups` groups, each convolved with its own `filters / groups` filters (Krizhevsky et al.,
 * "ImageNet Classification with Deep Convolutional Neural Networks", 2012; Xie et al., "Aggregated
 * Residual Transformations for Deep Neural Networks" (ResNeXt), 2017; Zhang et al., "ShuffleNet",
 * 2018). `groups === 1` is a plain convolution, `groups === inChannels` a depthwise convolution.
 *
 * Reference: PyTorch `torch/nn/modules/conv.py`; tfjs-layers `src/layers/convolutional.ts`.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LayerVariable } from '@tensorflow/tfjs-layers';
import * as tfl from '@tensorflow/tfjs-layers';
import type { LayerArgs } from '@tensorflow/tfjs-layers/dist/engine/topology.js';
import type { Initializer } from '@tensorflow/tfjs-layers/dist/initializers.js';
import {
  conv2dTransform,
  convOutputSize,
  invalidArgument,
  registerLayerCounter,
  registerWeightLayout,
  type Shape,
  samePadding,
} from '@tfzoo/core';
import {
  CLASS_PREFIX,
  checkInteger,
  copyPadding,
  defaultLayerName,
  type ExplicitPadding,
  explicitPadding,
  type InitializerSpec,
  intPair,
  resolveInitializer,
  serializeInitializer,
} from './base.js';

/** Padding of a convolution: TF's `'valid'` / `'same'`, or PyTorch-style explicit amounts. */
export type ConvPadding = 'valid' | 'same' | ExplicitPadding;

/** Arguments of {@link GroupConv2D}. */
export interface GroupConv2DArgs extends LayerArgs {
  /** Number of output channels; must be divisible by `groups`. */
  filters: number;
  /** Kernel size, one number or `[height, width]`. */
  kernelSize: number | [number, number];
  /** Stride, one number or `[height, width]` (default 1). */
  strides?: number | [number, number];
  /**
   * `'valid'` (default; PyTorch's `padding=0`), `'same'` (TensorFlow semantics: output
   * `ceil(in / stride)`, extra pixel bottom/right), or explicit PyTorch-style zero padding: one
   * symmetric amount, `[padHeight, padWidth]`, or `[top, bottom, left, right]`.
   */
  padding?: ConvPadding;
  /** Dilation, one number or `[height, width]` (default 1). */
  dilationRate?: number | [number, number];
  /** Number of channel groups (default 1); input channels and `filters` must be divisible by it. */
  groups?: number;
  /** Whether to add a bias (default true, as PyTorch and Keras). */
  useBias?: boolean;
  /** Kernel initializer (default `'glorotUniform'`, as tfjs `Conv2D`). */
  kernelInitializer?: InitializerSpec;
  /** Bias initializer (default `'zeros'`). */
  biasInitializer?: InitializerSpec;
}

type TfjsPadding = 'valid' | 'same' | [[0, 0], [number, number], [number, number], [0, 0]];

/**
 * Inserts `dilation − 1` zeros between kernel taps, so a dilated convolution runs as a dense one.
 * TF.js has no gradient for dilated convolutions and forbids strides and dilations both above 1;
 * the dilated kernel has neither restriction, at the cost of the zero taps' multiplications.
 */
function dilateKernel(kernel: tf.Tensor4D, [dh, dw]: [number, number]): tf.Tensor4D {
  if (dh === 1 && dw === 1) return kernel;
  const [kh, kw, cin, cout] = kernel.shape;
  const spread = tf.pad(tf.reshape(kernel, [kh, 1, kw, 1, cin, cout]), [
    [0, 0],
    [0, dh - 1],
    [0, 0],
    [0, dw - 1],
    [0, 0],
    [0, 0],
  ]);
  const full = tf.reshape(spread, [kh * dh, kw * dw, cin, cout]);
  return tf.slice(full, [0, 0, 0, 0], [(kh - 1) * dh + 1, (kw - 1) * dw + 1, cin, cout]) as tf.Tensor4D;
}

/**
 * Grouped 2-D convolution over NHWC input, PyTorch `nn.Conv2d(in, filters, kernelSize, stride,
 * padding, dilation, groups, bias)`.
 *
 * Weights: `kernel` `[kh, kw, inChannels / groups, filters]` (the tfjs `Conv2D` layout for any
 * `groups`), and `bias` `[filters]`. A PyTorch weight `[filters, inChannels / groups, kh, kw]`
 * loads with the same transpose as a plain convolution, `[2, 3, 1, 0]`; output channel `o` belongs
 * to group `floor(o / (filters / groups))`, as in PyTorch.
 *
 * Execution: `groups === 1` runs `conv2d`; `groups === inChannels` reshapes the kernel to the
 * depthwise layout `[kh, kw, inChannels, filters / inChannels]` and runs `depthwiseConv2d`
 * (PyTorch's output channel `c·m + j` is TF.js's depthwise channel order); other group counts
 * split the input and kernel per group and concatenate the results. Dilations above 1 run with a
 * zero-dilated kernel (TF.js has no gradient for dilated convolutions).
 *
 * MACs (summary): `outH · outW · filters · kh · kw · inChannels / groups`.
 */
export class GroupConv2D extends tfl.layers.Layer {
  /** Serialization name. */
  static className = `${CLASS_PREFIX}GroupConv2D`;
  /** Output channels. */
  readonly filters: number;
  /** `[kh, kw]`. */
  readonly kernelSize: [number, number];
  /** `[sh, sw]`. */
  readonly strides: [number, number];
  /** Padding as given (see {@link GroupConv2DArgs.padding}). */
  readonly padding: ConvPadding;
  /** `[dh, dw]`. */
  readonly dilationRate: [number, number];
  /** Channel groups. */
  readonly groups: number;
  /** Whether a bias is added. */
  readonly useBias: boolean;
  /** Kernel initializer. */
  readonly kernelInitializer: Initializer;
  /** Bias initializer. */
  readonly biasInitializer: Initializer;
  private readonly explicit: [number, number, number, number] | null;
  private kernel: LayerVariable | null = null;
  private bias: LayerVariable | null = null;

  constructor(args: GroupConv2DArgs) {
    super({ ...args, name: args.name ?? defaultLayerName('group_conv2d') });
    this.filters = checkInteger('filters', args.filters);
    this.kernelSize = intPair('kernelSize', args.kernelSize);
    this.strides = intPair('strides', args.strides ?? 1);
    this.dilationRate = intPair('dilationRate', args.dilationRate ?? 1);
    this.groups = checkInteger('groups', args.groups ?? 1);
    if (this.filters % this.groups !== 0) {
      throw invalidArgument('filters', this.filters, `a multiple of groups (${this.groups})`);
    }
    const padding = args.padding ?? 'valid';
    this.explicit = padding === 'valid' || padding === 'same' ? null : explicitPadding('padding', padding);
    if (padding === 'same' && this.strides.some((s) => s > 1) && this.dilationRate.some((d) => d > 1)) {
      throw invalidArgument(
        'padding',
        padding,
        "'valid' or explicit padding when strides and dilationRate are both above 1 (TF's 'same' is undefined there)",
      );
    }
    this.padding = copyPadding(padding);
    this.useBias = args.useBias ?? true;
    this.kernelInitializer = resolveInitializer(
      'kernelInitializer',
      args.kernelInitializer ?? 'glorotUniform',
    );
    this.biasInitializer = resolveInitializer('biasInitializer', args.biasInitializer ?? 'zeros');
    this.inputSpec = [new tfl.InputSpec({ ndim: 4 })];
  }

  private inChannels(inputShape: Shape): number {
    const channels = inputShape[3];
    if (inputShape.length !== 4 || typeof channels !== 'number') {
      throw invalidArgument(
        `${this.name} input shape`,
        inputShape,
        '[batch, height, width, channels] with known channels',
      );
    }
    if (channels % this.groups !== 0) {
      throw invalidArgument(`${this.name} input channels`, channels, `a multiple of groups (${this.groups})`);
    }
    return channels;
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    const channels = this.inChannels(shape);
    const [kh, kw] = this.kernelSize;
    this.kernel = this.addWeight(
      'kernel',
      [kh, kw, channels / this.groups, this.filters],
      'float32',
      this.kernelInitializer,
    );
    if (this.useBias) this.bias = this.addWeight('bias', [this.filters], 'float32', this.biasInitializer);
    this.inputSpec = [new tfl.InputSpec({ ndim: 4, axes: { [-1]: channels } })];
    this.built = true;
  }

  private outputSize(inputSize: number | null, axis: 0 | 1): number | null {
    if (inputSize === null) return null;
    const kernelSize = this.kernelSize[axis];
    const stride = this.strides[axis];
    const dilation = this.dilationRate[axis];
    if (this.padding === 'same') return samePadding(inputSize, kernelSize, stride, dilation).outputSize;
    const padding: [number, number] = this.explicit
      ? axis === 0
        ? [this.explicit[0], this.explicit[1]]
        : [this.explicit[2], this.explicit[3]]
      : [0, 0];
    return convOutputSize({ inputSize, kernelSize, stride, dilation, padding });
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    this.inChannels(shape);
    return [
      shape[0] ?? null,
      this.outputSize(shape[1] ?? null, 0),
      this.outputSize(shape[2] ?? null, 1),
      this.filters,
    ];
  }

  private tfjsPadding(): TfjsPadding {
    if (!this.explicit) return this.padding as 'valid' | 'same';
    const [top, bottom, left, right] = this.explicit;
    return [
      [0, 0],
      [top, bottom],
      [left, right],
      [0, 0],
    ];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
      if (!this.kernel) throw invalidArgument(`${this.name}`, 'unbuilt layer', 'a built layer');
      const channels = this.inChannels(x.shape);
      // Checks the spatial size against the (dilated) kernel with a ZooError naming the value.
      this.outputSize(x.shape[1], 0);
      this.outputSize(x.shape[2], 1);
      const kernel = dilateKernel(this.kernel.read() as tf.Tensor4D, this.dilationRate);
      const bias = this.bias ? (this.bias.read() as tf.Tensor1D) : undefined;
      const pad = this.tfjsPadding();
      const strides = this.strides;
      if (this.groups === 1) {
        return tf.fused.conv2d({ x, filter: kernel, strides, pad, bias });
      }
      let y: tf.Tensor4D;
      if (this.groups === channels) {
        const [kh, kw] = kernel.shape;
        const depthwise = tf.reshape(kernel, [kh, kw, channels, this.filters / channels]) as tf.Tensor4D;
        y = tf.depthwiseConv2d(x, depthwise, strides, pad);
      } else {
        const xs = tf.split(x, this.groups, 3) as tf.Tensor4D[];
        const ks = tf.split(kernel, this.groups, 3) as tf.Tensor4D[];
        y = tf.concat(
          xs.map((xg, g) => tf.conv2d(xg, ks[g] as tf.Tensor4D, strides, pad)),
          3,
        );
      }
      return bias ? tf.add(y, bias) : y;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      filters: this.filters,
      kernelSize: [...this.kernelSize],
      strides: [...this.strides],
      padding: copyPadding(this.padding),
      dilationRate: [...this.dilationRate],
      groups: this.groups,
      useBias: this.useBias,
      kernelInitializer: serializeInitializer(this.kernelInitializer),
      biasInitializer: serializeInitializer(this.biasInitializer),
    };
  }
}
tf.serialization.registerClass(GroupConv2D);

// PyTorch's `nn.Conv2d(groups=g)` weight `[out, in/g, kh, kw]` loads with the plain conv transpose.
registerWeightLayout(GroupConv2D.className, {
  params: { weight: { weight: 'kernel', transform: conv2dTransform }, bias: { weight: 'bias' } },
});

registerLayerCounter(GroupConv2D.className, ({ weightShapes, outputShapes }) => {
  const kernel = weightShapes.kernel;
  const out = outputShapes[0];
  if (!kernel || !out) return 0;
  const positions = (out[1] ?? 1) * (out[2] ?? 1);
  return kernel.reduce((a, b) => a * b, 1) * positions;
});

/** Creates a {@link GroupConv2D} layer. */
export function groupConv2d(args: GroupConv2DArgs): GroupConv2D {
  return new GroupConv2D(args);
}
