import * as tf from '@tensorflow/tfjs-core';
import { describeModelContract } from '@tfzoo/test-harness';
import { describe, expect, it } from 'vitest';
import { run } from './main.js';
import { buildTinyNet, TINYNET_FAMILY, TINYNET_VARIANTS } from './tinynet/index.js';

// The contract every registered model satisfies (forward shape, finite outputs, a gradient for every
// trainable weight, save/load round trip, no leaked tensors).
describeModelContract([
  {
    name: 'tinynet_s',
    build: () => buildTinyNet(TINYNET_VARIANTS.tinynet_s, { inputShape: [16, 16, 3], numClasses: 5 }),
    outputShape: [5],
  },
  {
    name: 'tinynet_m features',
    build: () =>
      buildTinyNet(TINYNET_VARIANTS.tinynet_m, {
        inputShape: [16, 16, 3],
        includeTop: false,
        pooling: 'avg',
      }),
    outputShape: [32],
  },
]);

describe('new-architecture example', () => {
  it('registers the family; the counts and state-dict names are the PyTorch module’s', async () => {
    const before = tf.memory().numTensors;
    const result = await run();
    expect(tf.memory().numTensors).toBe(before);
    expect(result.registered).toEqual(['tinynet_m', 'tinynet_s']);
    // conv 3·3·3·8 + bn 2·8 + conv 3·3·8·16 + bn 2·16 + fc 16·10+10 (trainable, as PyTorch counts).
    expect(result.params).toBe(216 + 16 + 1152 + 32 + 170);
    // conv1 32·32·8·27 + conv2 16·16·16·72 + fc 16·10.
    expect(result.macs).toBe(221184 + 294912 + 160);
    expect(result.referenceNames).toEqual(
      [
        'features.0.weight',
        ...['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked'].map(
          (p) => `features.1.${p}`,
        ),
        'features.4.weight',
        ...['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked'].map(
          (p) => `features.5.${p}`,
        ),
        'fc.weight',
        'fc.bias',
      ].sort(),
    );
    expect(result.reloadDifference).toBe(0);
  });

  it('registers its mapping as tinynet/pytorch and refuses unknown options', () => {
    expect(TINYNET_FAMILY.mappingIds).toEqual({ pytorch: 'tinynet/pytorch' });
    expect(TINYNET_FAMILY.definitions.map((d) => d.defaultMapping)).toEqual([
      'tinynet/pytorch',
      'tinynet/pytorch',
    ]);
    expect(() => TINYNET_FAMILY.create('tinynet_s', { numClases: 5 } as never)).toThrow(
      'unknown option "numClases" for tinynet_s; did you mean "numClasses"?',
    );
  });
});
