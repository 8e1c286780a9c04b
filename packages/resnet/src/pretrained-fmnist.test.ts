import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { getPretrainedConfig, hashFile, listPretrained, loadWeights, summarize } from '@tfzoo/core';
import { describe, expect, it } from 'vitest';
import { RESNET18_FMNIST, RESNET18_FMNIST_PATH, type ResNetOptions, resnet18 } from './index.js';

describe('resnet18.fmnist', () => {
  it('is registered beside the ImageNet weights, ships its file with the recorded sha256, and names its mirror', async () => {
    expect(listPretrained('resnet18*')).toContain('resnet18.fmnist');
    expect(getPretrainedConfig('resnet18.fmnist')).toBe(RESNET18_FMNIST);
    expect(getPretrainedConfig('resnet18').id).toBe('resnet18.tv_in1k'); // the default stays ImageNet
    const { source } = RESNET18_FMNIST;
    expect(fileURLToPath(source.url)).toBe(RESNET18_FMNIST_PATH);
    expect(existsSync(RESNET18_FMNIST_PATH)).toBe(true);
    expect(await hashFile(RESNET18_FMNIST_PATH)).toBe(source.sha256);
    expect(source.mirrors?.[0]).toMatch(
      /^https:\/\/github\.com\/.+\/releases\/download\/.+\/resnet18-fmnist\.safetensors$/,
    );
  });

  it('loads strictly into the configured architecture, whose trainable parameter count the config states', async () => {
    const model = resnet18({
      ...(RESNET18_FMNIST.buildOptions as ResNetOptions),
      numClasses: RESNET18_FMNIST.numClasses,
      skipInit: true,
    });
    expect(summarize(model).trainableParams).toBe(RESNET18_FMNIST.numParams); // torchvision counts parameters, not buffers
    const report = await loadWeights(model, RESNET18_FMNIST_PATH, { mapping: RESNET18_FMNIST.mapping });
    expect(report.loaded.length).toBe(model.weights.length);
    const logits = tf.tidy(
      () => (model.predict(tf.zeros([2, 28, 28, 1])) as tf.Tensor).arraySync() as number[][],
    );
    expect(logits[0]).toHaveLength(10);
    expect(logits.flat().every(Number.isFinite)).toBe(true);
    model.dispose();
  });
});
