import * as tf from '@tensorflow/tfjs-core';
import { IMAGENET_CLASSES } from '@tfzoo/core';
import { describe, expect, it } from 'vitest';
import { run } from './main.js';

describe('getting-started example', () => {
  it('classifies an image into 1000 ImageNet probabilities and names the top 5 (64×64 to keep it fast)', async () => {
    const before = tf.memory().numTensors;
    const { outputShape, probabilities, top5 } = await run({ inputSize: 64 });
    expect(tf.memory().numTensors).toBe(before);
    expect(outputShape).toEqual([1, 1000]);
    const sum = probabilities.reduce((a, b) => a + b, 0);
    expect(sum).toBeCloseTo(1, 4);
    expect(top5).toHaveLength(5);
    // The top 5 are the five largest probabilities, in order, with their ImageNet names.
    const sorted = [...probabilities].sort((a, b) => b - a).slice(0, 5);
    expect(top5.map((p) => p.probability)).toEqual(sorted);
    for (const p of top5) {
      expect(probabilities[p.index]).toBe(p.probability);
      expect(p.label).toBe(IMAGENET_CLASSES[p.index]);
    }
    expect(IMAGENET_CLASSES[0]).toBe('tench');
  });
});
