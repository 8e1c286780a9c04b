/**
 * PyTorch-style max and average pooling with explicit padding and `ceil_mode`, as used by
 * GoogLeNet, SqueezeNet, ResNet's stem and legacy SENet (Szegedy et al., "Going Deeper with
 * Convolutions", 2015; Iandola et al., "SqueezeNet", 2016).
 *
 * Reference: PyTorch `nn.MaxPool2d`, `nn.AvgPool2d` and ATen's `AveragePool2d.cpp` /
 * `Pool.h` (`pooling_output_shape`, the divisor of `avg_pool2d`).
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { LayerArgs } from '@tensorflow/tfjs-layers/dist/engine/topology.js';
import { convOutputSize, invalidArgument, type Shape } from '@tfzoo/core';
import {
  CLASS_PREFIX,
  copyPadding,
  defaultLayerName,
  type ExplicitPadding,
  explicitPadding,
  intPair,
} from './base.js';

/** Arguments shared by {@link PaddedMaxPooling2D} and {@link PaddedAveragePooling2D}. */
export interface PaddedPooling2DArgs extends LayerArgs {
  /** Window size, one number or `[height, width]`. */
  poolSize: number | [number, number];
  /** Stride, one number or `[height, width]` (default: `poolSize`, as PyTorch). */
  strides?: number | [number, number];
  /**
   * Implicit padding, PyTorch-style: one amount, `[padHeight, padWidth]` or
   * `[top, bottom, left, right]` (default 0); at most half the window, as PyTorch requires.
   */
  padding?: ExplicitPadding;
  /** Count the last, partial window when it starts inside the input or the top/left padding (default false). */
  ceilMode?: boolean;
}

/** Arguments of {@link PaddedAveragePooling2D}. */
export interface PaddedAveragePooling2DArgs extends PaddedPooling2DArgs {
  /**
   * Whether the zero padding counts in the divisor (default true, as PyTorch). Either way a
   * ceil-mode window that runs past the padded edge divides by the part within it.
   */
  countIncludePad?: boolean;
}

/** Where the windows of a padded pool fall for one input size. */
export interface PoolGeometry {
  /** Output height. */
  outH: number;
  /** Output width. */
  outW: number;
  /** `[top, bottom, left, right]` padding so that exactly the output's windows fit; negative amounts crop. */
  pads: [number, number, number, number];
}

/** Base of the two padded pools; not registered itself. */
abstract class PaddedPooling2D extends tfl.layers.Layer {
  /** `[kh, kw]`. */
  readonly poolSize: [number, number];
  /** `[sh, sw]`. */
  readonly strides: [number, number];
  /** Padding as given. */
  readonly padding: ExplicitPadding;
  /** Whether a last partial window counts. */
  readonly ceilMode: boolean;
  /** Padding as `[top, bottom, left, right]`. */
  protected readonly pads: [number, number, number, number];

  constructor(args: PaddedPooling2DArgs, prefix: string) {
    super({ ...args, name: args.name ?? defaultLayerName(prefix) });
    this.poolSize = intPair('poolSize', args.poolSize);
    this.strides = intPair('strides', args.strides ?? this.poolSize);
    const padding = args.padding ?? 0;
    this.pads = explicitPadding('padding', padding);
    const [top, bottom, left, right] = this.pads;
    const [kh, kw] = this.poolSize;
    if (Math.max(top, bottom) > Math.floor(kh / 2) || Math.max(left, right) > Math.floor(kw / 2)) {
      throw invalidArgument(
        'padding',
        padding,
        `at most half the pool size ${JSON.stringify(this.poolSize)}`,
      );
    }
    this.padding = copyPadding(padding);
    this.ceilMode = args.ceilMode ?? false;
    this.inputSpec = [new tfl.InputSpec({ ndim: 4 })];
  }

  /** PyTorch's output length along one axis (throws a ZooError when the window does not fit). */
  protected outputSize(inputSize: number, axis: 0 | 1): number {
    const padding: [number, number] =
      axis === 0 ? [this.pads[0], this.pads[1]] : [this.pads[2], this.pads[3]];
    return convOutputSize({
      inputSize,
      kernelSize: this.poolSize[axis],
      stride: this.strides[axis],
      padding,
      ceilMode: this.ceilMode,
    });
  }

  /** Output size and the padding that makes 'valid' pooling produce PyTorch's windows. */
  protected geometry(height: number, width: number): PoolGeometry {
    const outH = this.outputSize(height, 0);
    const outW = this.outputSize(width, 1);
    const [top, , left] = this.pads;
    const needH = (outH - 1) * this.strides[0] + this.poolSize[0];
    const needW = (outW - 1) * this.strides[1] + this.poolSize[1];
    return { outH, outW, pads: [top, needH - height - top, left, needW - width - left] };
  }

  /** Pads (or crops) `x` so that 'valid' pooling yields exactly the PyTorch windows. */
  protected padToWindows(x: tf.Tensor4D, pads: [number, number, number, number], value: number): tf.Tensor4D {
    const [top, bottom, left, right] = pads;
    let y = x;
    if (bottom < 0 || right < 0) {
      y = tf.slice(
        y,
        [0, 0, 0, 0],
        [-1, y.shape[1] + Math.min(bottom, 0), y.shape[2] + Math.min(right, 0), -1],
      );
    }
    if (top > 0 || left > 0 || bottom > 0 || right > 0) {
      y = tf.pad(
        y,
        [
          [0, 0],
          [top, Math.max(bottom, 0)],
          [left, Math.max(right, 0)],
          [0, 0],
        ],
        value,
      );
    }
    return y;
  }

  /** The single NHWC input, checked. */
  protected input4d(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor4D {
    const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
    if (x.rank !== 4)
      throw invalidArgument(`${this.name} input shape`, x.shape, '[batch, height, width, channels]');
    return x;
  }

  /** `[batch, outH, outW, channels]`. */
  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    const [batch, height, width, channels] = shape;
    return [
      batch ?? null,
      height == null ? null : this.outputSize(height, 0),
      width == null ? null : this.outputSize(width, 1),
      channels ?? null,
    ];
  }

  /** Every constructor argument, for serialization. */
  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      poolSize: [...this.poolSize],
      strides: [...this.strides],
      padding: copyPadding(this.padding),
      ceilMode: this.ceilMode,
    };
  }
}

/**
 * Max pooling over NHWC input with PyTorch `nn.MaxPool2d(kernel, stride, padding, ceil_mode)`
 * semantics: padding never wins the max (it is `−∞`), and `ceilMode` keeps a last partial window.
 * No weights, zero MACs.
 */
export class PaddedMaxPooling2D extends PaddedPooling2D {
  /** Serialization name. */
  static className = `${CLASS_PREFIX}PaddedMaxPooling2D`;

  constructor(args: PaddedPooling2DArgs) {
    super(args, 'padded_max_pooling2d');
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = this.input4d(inputs);
      const { pads } = this.geometry(x.shape[1], x.shape[2]);
      return tf.maxPool(this.padToWindows(x, pads, -Infinity), this.poolSize, this.strides, 'valid');
    });
  }
}
tf.serialization.registerClass(PaddedMaxPooling2D);

/**
 * Average pooling over NHWC input with PyTorch `nn.AvgPool2d(kernel, stride, padding, ceil_mode,
 * count_include_pad)` semantics. A window is clipped to the padded input (`[−top, H + bottom)`);
 * its divisor is the clipped window's size with `countIncludePad`, else the number of input pixels
 * in it. No weights, zero MACs.
 */
export class PaddedAveragePooling2D extends PaddedPooling2D {
  /** Serialization name. */
  static className = `${CLASS_PREFIX}PaddedAveragePooling2D`;
  /** Whether padding counts in the divisor. */
  readonly countIncludePad: boolean;

  constructor(args: PaddedAveragePooling2DArgs) {
    super(args, 'padded_average_pooling2d');
    this.countIncludePad = args.countIncludePad ?? true;
  }

  /** Per-window `kernel / divisor` along one axis, PyTorch's `avg_pool2d` divisor. */
  private scales(inputSize: number, outputSize: number, axis: 0 | 1): number[] {
    const kernel = this.poolSize[axis];
    const stride = this.strides[axis];
    const before = this.pads[axis * 2] as number;
    const after = this.pads[axis * 2 + 1] as number;
    const scales: number[] = [];
    for (let i = 0; i < outputSize; i++) {
      const start = i * stride - before;
      const end = Math.min(start + kernel, inputSize + after);
      const divisor = this.countIncludePad ? end - start : Math.min(end, inputSize) - Math.max(start, 0);
      scales.push(kernel / divisor);
    }
    return scales;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = this.input4d(inputs);
      const [, height, width] = x.shape;
      const { outH, outW, pads } = this.geometry(height, width);
      const y = tf.avgPool(this.padToWindows(x, pads, 0), this.poolSize, this.strides, 'valid');
      const scaleH = this.scales(height, outH, 0);
      const scaleW = this.scales(width, outW, 1);
      if (scaleH.every((s) => s === 1) && scaleW.every((s) => s === 1)) return y;
      const scale = tf.mul(tf.tensor4d(scaleH, [1, outH, 1, 1]), tf.tensor4d(scaleW, [1, 1, outW, 1]));
      return tf.mul(y, scale);
    });
  }

  /** Every constructor argument, for serialization. */
  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), countIncludePad: this.countIncludePad };
  }
}
tf.serialization.registerClass(PaddedAveragePooling2D);

/** Creates a {@link PaddedMaxPooling2D} layer. */
export function paddedMaxPooling2d(args: PaddedPooling2DArgs): PaddedMaxPooling2D {
  return new PaddedMaxPooling2D(args);
}

/** Creates a {@link PaddedAveragePooling2D} layer. */
export function paddedAveragePooling2d(args: PaddedAveragePooling2DArgs): PaddedAveragePooling2D {
  return new PaddedAveragePooling2D(args);
}
