import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { alexnet } from '@tfzoo/alexnet';
import { withSeed } from '@tfzoo/core';
import { AdamW } from '@tfzoo/optimizers';
import { resnet18 } from '@tfzoo/resnet';
import { train } from '@tfzoo/train';
import { vgg11, vgg11Bn } from '@tfzoo/vgg';
import { describe, expect, it } from 'vitest';
import { pruneFilters } from './filter-pruning.js';
import { randomLoader, smallLenet } from './test-data.js';

/** The original model with the removed filters (kernel slices and biases) set to zero. */
function zeroRemoved(model: tfl.LayersModel, kept: Record<string, number[]>): void {
  for (const [name, keep] of Object.entries(kept)) {
    const layer = model.getLayer(name);
    const [kernel, bias] = layer.getWeights();
    const out = kernel!.shape[3]!;
    const mask = tf.tensor1d(Array.from({ length: out }, (_, i) => (keep.includes(i) ? 1 : 0)));
    layer.setWeights([tf.mul(kernel!, mask), ...(bias ? [tf.mul(bias, mask)] : [])]);
    mask.dispose();
  }
}

async function expectSameFunction(
  original: tfl.LayersModel,
  pruned: tfl.LayersModel,
  kept: Record<string, number[]>,
) {
  zeroRemoved(original, kept);
  const x = tf.randomNormal([2, ...(original.inputs[0]!.shape.slice(1) as number[])], 0, 1, 'float32', 9);
  const a = original.predict(x) as tf.Tensor;
  const b = pruned.predict(x) as tf.Tensor;
  expect(b.shape).toEqual(a.shape);
  const scale = tf.max(tf.abs(a)).dataSync()[0]!;
  expect(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]).toBeLessThan(1e-5 * Math.max(1, scale));
  tf.dispose([x, a, b]);
}

describe('pruneFilters', () => {
  it('LeNet-5 at 50 %: the parameter count by hand, and the function of the original with those filters zeroed', async () => {
    const model = smallLenet();
    const { model: pruned, kept } = await pruneFilters(model, { ratio: 0.5 });
    expect(kept.conv1).toHaveLength(3);
    expect(kept.conv2).toHaveLength(8);
    // conv1 5·5·1·3+3, conv2 5·5·3·8+8, fc1 (5·5·8)·120+120, fc2 120·84+84, fc3 84·10+10
    expect(pruned.countParams()).toBe(78 + 608 + 24120 + 10164 + 850);
    expect(model.countParams()).toBe(61706);
    // the kept filters are those of largest L1 norm
    const norms = tf.sum(tf.abs(model.getLayer('conv2').getWeights()[0]!), [0, 1, 2]).arraySync() as number[];
    const smallestKept = Math.min(...kept.conv2!.map((i) => norms[i]!));
    norms.forEach((n, i) => {
      if (!kept.conv2!.includes(i)) expect(n).toBeLessThanOrEqual(smallestKept);
    });
    await expectSameFunction(model, pruned, kept);
    // and it fine-tunes with the usual loop
    const history = await train({
      model: pruned,
      data: randomLoader(16, 8),
      epochs: 1,
      optimizer: new AdamW({ learningRate: 1e-3 }),
    });
    expect(Number.isFinite(history.epochs[0]!.loss)).toBe(true);
    model.dispose();
    pruned.dispose();
  });

  it('VGG-11 and AlexNet features: the same function with fewer parameters', async () => {
    for (const build of [
      () => vgg11({ includeTop: false, pooling: 'avg', inputShape: [32, 32, 3] }),
      () => alexnet({ includeTop: false, pooling: 'avg', inputShape: [64, 64, 3] }),
    ]) {
      const model = withSeed(1, build);
      const { model: pruned, kept } = await pruneFilters(model, {
        ratio: 0.5,
        exclude: [model.layers[1]!.name],
      });
      expect(pruned.countParams()).toBeLessThan(0.35 * model.countParams());
      await expectSameFunction(model, pruned, kept);
      model.dispose();
      pruned.dispose();
    }
  });

  it('VGG-11-BN: batch-norm follows its convolution', async () => {
    const model = withSeed(1, () => vgg11Bn({ includeTop: false, pooling: 'avg', inputShape: [32, 32, 3] }));
    const { model: pruned } = await pruneFilters(model, { ratio: 0.25 });
    expect(pruned.countParams()).toBeLessThan(model.countParams());
    const x = tf.zeros([1, 32, 32, 3]);
    expect((pruned.predict(x) as tf.Tensor).shape).toEqual([1, 512]); // the output channels stay
    model.dispose();
    pruned.dispose();
  });

  it('refuses residual models, naming the layer', async () => {
    const model = resnet18({ numClasses: 10, inputShape: [32, 32, 3] });
    await expect(pruneFilters(model, { ratio: 0.5 })).rejects.toThrow(
      /filter pruning: layer \S+ \(\S+\) (is not part of a plain chain|feeds more than one layer)/,
    );
    await expect(pruneFilters(model, { ratio: 1 })).rejects.toThrow(/ratio/);
    model.dispose();
  });
});
