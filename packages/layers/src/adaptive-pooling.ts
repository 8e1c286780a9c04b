/**
 * Adaptive average and max pooling to a fixed output size, PyTorch `nn.AdaptiveAvgPool2d` and
 * `nn.AdaptiveMaxPool2d` (used by torchvision's VGG and AlexNet heads).
 *
 * Reference: ATen `AdaptiveAveragePooling.cpp` (`start_index = floor(i · in / out)`,
 * `end_index = ceil((i + 1) · in / out)`).
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { LayerArgs } from '@tensorflow/tfjs-layers/dist/engine/topology.js';
import { invalidArgument, type Shape } from '@tfzoo/core';
import { CLASS_PREFIX, defaultLayerName, intPair } from './base.js';

/** Arguments of {@link AdaptiveAveragePooling2D} and {@link AdaptiveMaxPooling2D}. */
export interface AdaptivePooling2DArgs extends LayerArgs {
  /** Output size, one number or `[height, width]`, each ≥ 1. */
  outputSize: number | [number, number];
}

/** PyTorch's adaptive bins `[start, end)` for `outputSize` outputs over `inputSize` inputs. */
export function adaptiveBins(inputSize: number, outputSize: number): [number, number][] {
  const bins: [number, number][] = [];
  for (let i = 0; i < outputSize; i++) {
    bins.push([Math.floor((i * inputSize) / outputSize), Math.ceil(((i + 1) * inputSize) / outputSize)]);
  }
  return bins;
}

/** Base of the two adaptive pools; not registered itself. */
abstract class AdaptivePooling2D extends tfl.layers.Layer {
  /** `[outH, outW]`. */
  readonly outputSize: [number, number];

  constructor(args: AdaptivePooling2DArgs, prefix: string) {
    super({ ...args, name: args.name ?? defaultLayerName(prefix) });
    this.outputSize = intPair('outputSize', args.outputSize);
    this.inputSpec = [new tfl.InputSpec({ ndim: 4 })];
  }

  /** The single NHWC input, checked. */
  protected input4d(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor4D {
    const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
    if (x.rank !== 4)
      throw invalidArgument(`${this.name} input shape`, x.shape, '[batch, height, width, channels]');
    return x;
  }

  /** Whether both input sizes are multiples of the output sizes (then a plain pool is exact). */
  protected divides(height: number, width: number): boolean {
    return height % this.outputSize[0] === 0 && width % this.outputSize[1] === 0;
  }

  /** `[batch, outH, outW, channels]`. */
  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    return [shape[0] ?? null, this.outputSize[0], this.outputSize[1], shape[3] ?? null];
  }

  /** Every constructor argument, for serialization. */
  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), outputSize: [...this.outputSize] };
  }
}

/** Averaging matrix `[out, in]`: row `i` holds `1 / (end − start)` over bin `i`. */
function averagingMatrix(inputSize: number, outputSize: number): tf.Tensor2D {
  const values = new Float32Array(outputSize * inputSize);
  adaptiveBins(inputSize, outputSize).forEach(([start, end], i) => {
    values.fill(1 / (end - start), i * inputSize + start, i * inputSize + end);
  });
  return tf.tensor2d(values, [outputSize, inputSize]);
}

/**
 * Adaptive average pooling over NHWC input, PyTorch `nn.AdaptiveAvgPool2d(outputSize)`. Sizes that
 * divide evenly run a plain average pool; others two small matrix products (one per axis) with
 * PyTorch's bins. No weights, zero MACs.
 */
export class AdaptiveAveragePooling2D extends AdaptivePooling2D {
  /** Serialization name. */
  static className = `${CLASS_PREFIX}AdaptiveAveragePooling2D`;

  constructor(args: AdaptivePooling2DArgs) {
    super(args, 'adaptive_average_pooling2d');
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = this.input4d(inputs);
      const [batch, height, width, channels] = x.shape;
      const [outH, outW] = this.outputSize;
      if (this.divides(height, width)) {
        const window: [number, number] = [height / outH, width / outW];
        return tf.avgPool(x, window, window, 'valid');
      }
      // Contract height: [outH, H] × [N, H, W·C] → [N, outH, W·C].
      const rows = tf.matMul(averagingMatrix(height, outH), tf.reshape(x, [batch, height, width * channels]));
      // Contract width: [outW, W] × [N·outH, W, C] → [N·outH, outW, C].
      const cols = tf.matMul(averagingMatrix(width, outW), tf.reshape(rows, [batch * outH, width, channels]));
      return tf.reshape(cols, [batch, outH, outW, channels]);
    });
  }
}
tf.serialization.registerClass(AdaptiveAveragePooling2D);

/**
 * Adaptive max pooling over NHWC input, PyTorch `nn.AdaptiveMaxPool2d(outputSize)` (values only).
 * Sizes that divide evenly run a plain max pool; others take the max over each row bin, then each
 * column bin (a max over a rectangle is separable). No weights, zero MACs.
 */
export class AdaptiveMaxPooling2D extends AdaptivePooling2D {
  /** Serialization name. */
  static className = `${CLASS_PREFIX}AdaptiveMaxPooling2D`;

  constructor(args: AdaptivePooling2DArgs) {
    super(args, 'adaptive_max_pooling2d');
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = this.input4d(inputs);
      const [, height, width] = x.shape;
      const [outH, outW] = this.outputSize;
      if (this.divides(height, width)) {
        const window: [number, number] = [height / outH, width / outW];
        return tf.maxPool(x, window, window, 'valid');
      }
      const rows = tf.concat(
        adaptiveBins(height, outH).map(([start, end]) =>
          tf.max(tf.slice(x, [0, start, 0, 0], [-1, end - start, -1, -1]), 1, true),
        ),
        1,
      );
      return tf.concat(
        adaptiveBins(width, outW).map(([start, end]) =>
          tf.max(tf.slice(rows, [0, 0, start, 0], [-1, -1, end - start, -1]), 2, true),
        ),
        2,
      );
    });
  }
}
tf.serialization.registerClass(AdaptiveMaxPooling2D);

/** Creates an {@link AdaptiveAveragePooling2D} layer. */
export function adaptiveAveragePooling2d(args: AdaptivePooling2DArgs): AdaptiveAveragePooling2D {
  return new AdaptiveAveragePooling2D(args);
}

/** Creates an {@link AdaptiveMaxPooling2D} layer. */
export function adaptiveMaxPooling2d(args: AdaptivePooling2DArgs): AdaptiveMaxPooling2D {
  return new AdaptiveMaxPooling2D(args);
}
