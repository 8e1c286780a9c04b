import * as tf from '@tensorflow/tfjs-core';
import { listModels, summarize, ZooError } from '@tfzoo/core';
import { describeModelContract } from '@tfzoo/test-harness';
import { describe, expect, it } from 'vitest';
import { lenet5 } from './index.js';

describeModelContract([
  { name: 'lenet5 32×32 tanh avg', build: () => lenet5(), outputShape: [10] },
  {
    name: 'lenet5 28×28 relu max',
    build: () => lenet5({ inputShape: [28, 28, 1], activation: 'relu', subsampling: 'max', numClasses: 7 }),
    outputShape: [7],
  },
  { name: 'lenet5 features', build: () => lenet5({ includeTop: false, pooling: 'avg' }), outputShape: [16] },
]);

describe('lenet5', () => {
  it('has the textbook parameter count (61,706) and layer sizes', () => {
    // conv1 6·(25+1) + conv2 16·(6·25+1) + fc1 400·120+120 + fc2 120·84+84 + fc3 84·10+10.
    const expected = 156 + 2416 + 48120 + 10164 + 850;
    for (const inputShape of [
      [32, 32, 1],
      [28, 28, 1],
    ] as const) {
      const model = lenet5({ inputShape });
      const summary = summarize(model);
      expect(summary.trainableParams).toBe(expected);
      const shapes = Object.fromEntries(summary.layers.map((row) => [row.name, row.outputShape]));
      expect(shapes.conv1).toEqual([28, 28, 6]);
      expect(shapes.pool2).toEqual([5, 5, 16]);
      // MACs: conv1 28·28·6·25 + conv2 10·10·16·150 + dense 400·120 + 120·84 + 84·10.
      expect(summary.macs).toBe(117600 + 240000 + 48000 + 10080 + 840);
      model.dispose();
    }
  });

  it('is registered and outputs probabilities when asked', () => {
    expect(listModels('lenet*')).toContain('lenet5');
    const model = lenet5({ classifierActivation: 'softmax' });
    const sums = tf.tidy(() =>
      tf.sum(model.predict(tf.randomNormal([3, 32, 32, 1])) as tf.Tensor, 1).arraySync(),
    );
    for (const sum of sums as number[]) expect(sum).toBeCloseTo(1, 5);
    model.dispose();
  });

  it('rejects inputs it cannot take, naming them', () => {
    expect(() => lenet5({ inputShape: [64, 64, 1] })).toThrow(ZooError);
    expect(() => lenet5({ inputShape: [64, 64, 1] })).toThrow('received [64,64,1]');
    expect(() => lenet5({ activation: 'gelu' as never })).toThrow(
      `activation must be 'tanh' or 'relu'; received "gelu"`,
    );
    expect(() => lenet5({ numClasses: -1 })).toThrow('numClasses must be a positive integer; received -1');
  });
});
