/** GroupConv2D against TF.js's own convolutions: groups=1 is conv2d, groups=channels is depthwiseConv2d. */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { GroupConv2D } from './group-conv2d.js';
import { maxError, randomNormal } from './test/torch.js';

function close(actual: tf.Tensor, expected: tf.Tensor): void {
  expect(actual.shape).toEqual(expected.shape);
  const { error, scale } = maxError(actual.dataSync(), expected.dataSync());
  expect(error).toBeLessThanOrEqual(1e-6 * scale);
}

describe('GroupConv2D', () => {
  it('with groups=1 equals tf.conv2d and a tfjs Conv2D layer (same, strides 2)', () => {
    const before = tf.memory().numTensors;
    const x = tf.tensor(randomNormal(2 * 9 * 8 * 3, 1), [2, 9, 8, 3]) as tf.Tensor4D;
    const kernel = tf.tensor(randomNormal(3 * 3 * 3 * 5, 2), [3, 3, 3, 5]) as tf.Tensor4D;
    const bias = tf.tensor(randomNormal(5, 3), [5]);
    const layer = new GroupConv2D({ filters: 5, kernelSize: 3, strides: 2, padding: 'same' });
    tf.dispose(layer.apply(x) as tf.Tensor);
    layer.setWeights([kernel, bias]);
    const reference = tfl.layers.conv2d({ filters: 5, kernelSize: 3, strides: 2, padding: 'same' });
    tf.dispose(reference.apply(x) as tf.Tensor);
    reference.setWeights([kernel, bias]);
    const ours = layer.apply(x) as tf.Tensor;
    const viaOp = tf.tidy(() => tf.add(tf.conv2d(x, kernel, 2, 'same'), bias));
    const viaLayer = reference.apply(x) as tf.Tensor;
    close(ours, viaOp);
    close(ours, viaLayer);
    tf.dispose([x, kernel, bias, ours, viaOp, viaLayer]);
    layer.dispose();
    reference.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('with groups=channels equals tf.depthwiseConv2d and a tfjs DepthwiseConv2D layer (multiplier 2)', () => {
    const before = tf.memory().numTensors;
    const channels = 4;
    const x = tf.tensor(randomNormal(2 * 7 * 7 * channels, 4), [2, 7, 7, channels]) as tf.Tensor4D;
    // Our layout [kh, kw, 1, C·m]; the depthwise layout is [kh, kw, C, m] with output channel c·m + j.
    const kernel = tf.tensor(randomNormal(3 * 3 * channels * 2, 5), [3, 3, 1, channels * 2]) as tf.Tensor4D;
    const depthwise = tf.reshape(kernel, [3, 3, channels, 2]) as tf.Tensor4D;
    const bias = tf.tensor(randomNormal(channels * 2, 6), [channels * 2]);
    const layer = new GroupConv2D({
      filters: channels * 2,
      kernelSize: 3,
      padding: 'same',
      groups: channels,
    });
    tf.dispose(layer.apply(x) as tf.Tensor);
    layer.setWeights([kernel, bias]);
    const reference = tfl.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: 'same' });
    tf.dispose(reference.apply(x) as tf.Tensor);
    reference.setWeights([depthwise, bias]);
    const ours = layer.apply(x) as tf.Tensor;
    const viaOp = tf.tidy(() => tf.add(tf.depthwiseConv2d(x, depthwise, 1, 'same'), bias));
    const viaLayer = reference.apply(x) as tf.Tensor;
    close(ours, viaOp);
    close(ours, viaLayer);
    tf.dispose([x, kernel, depthwise, bias, ours, viaOp, viaLayer]);
    layer.dispose();
    reference.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('computes the output shape with PyTorch arithmetic for explicit padding and TF arithmetic for same', () => {
    const explicit = new GroupConv2D({
      filters: 4,
      kernelSize: [3, 5],
      strides: 2,
      padding: [1, 0, 2, 2],
      dilationRate: [1, 2],
    });
    // H: floor((9 + 1 + 0 − 3) / 2) + 1 = 4; W: floor((10 + 4 − 9) / 2) + 1 = 3.
    expect(explicit.computeOutputShape([null, 9, 10, 4])).toEqual([null, 4, 3, 4]);
    const same = new GroupConv2D({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', groups: 2 });
    expect(same.computeOutputShape([1, 9, 10, 4])).toEqual([1, 5, 5, 4]);
  });
});
