import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { getPretrainedConfig, hashFile, listPretrained, loadWeights } from '@tfzoo/core';
import { describe, expect, it } from 'vitest';
import { LENET5_FMNIST, LENET5_FMNIST_PATH, lenet5 } from './index.js';

describe('lenet5.fmnist', () => {
  it('is registered, ships its file inside the package with the recorded sha256, and names its mirror', async () => {
    expect(listPretrained('lenet5*')).toContain('lenet5.fmnist');
    expect(getPretrainedConfig('lenet5')).toBe(LENET5_FMNIST);
    const { source } = LENET5_FMNIST;
    expect(source.url.startsWith('file:')).toBe(true);
    expect(fileURLToPath(source.url)).toBe(LENET5_FMNIST_PATH);
    expect(existsSync(LENET5_FMNIST_PATH)).toBe(true);
    expect(await hashFile(LENET5_FMNIST_PATH)).toBe(source.sha256);
    expect(source.mirrors?.[0]).toMatch(
      /^https:\/\/github\.com\/.+\/releases\/download\/.+\/lenet5-fmnist\.safetensors$/,
    );
  });

  it('loads strictly into the configured architecture and gives finite logits', async () => {
    const model = lenet5(LENET5_FMNIST.buildOptions as Parameters<typeof lenet5>[0]);
    const report = await loadWeights(model, LENET5_FMNIST_PATH, { mapping: LENET5_FMNIST.mapping });
    expect(report.loaded).toHaveLength(10);
    const logits = tf.tidy(
      () => (model.predict(tf.zeros([2, 28, 28, 1])) as tf.Tensor).arraySync() as number[][],
    );
    expect(logits[0]).toHaveLength(10);
    expect(logits.flat().every(Number.isFinite)).toBe(true);
    model.dispose();
  });
});
