/**
 * The checks every weight file tfzoo trains and ships inside a package must pass: registered under
 * its id, present at its path with the recorded sha256, mirrored on the release under the same file
 * name, and loading strictly into the architecture its config builds.
 */
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import {
  getPretrainedConfig,
  hashFile,
  listPretrained,
  loadWeights,
  type PretrainedConfig,
  summarize,
} from '@tfzoo/core';
import { describe, expect, it } from 'vitest';

/** Options of {@link describeShippedWeights}. */
export interface ShippedWeightsCase {
  /** The pretrained config of the shipped file. */
  config: PretrainedConfig;
  /** Absolute path of the file inside its package (the package's exported `*_PATH`). */
  path: string;
  /** Builds the untrained architecture the config describes (its build options and class count). */
  build: () => tfl.LayersModel;
  /** The id `getPretrainedConfig(config.arch)` resolves to (the architecture's default tag). */
  defaultId: string;
}

/**
 * Registers a vitest `describe` block named after the config's id with the shipped-weights checks.
 *
 * @example
 * ```ts
 * describeShippedWeights({ config: LENET5_FMNIST, path: fileURLToPath(LENET5_FMNIST_URL), defaultId: 'lenet5.fmnist',
 *   build: () => lenet5(LENET5_FMNIST.buildOptions as LeNetOptions) });
 * ```
 */
export function describeShippedWeights(entry: ShippedWeightsCase): void {
  const { config, path } = entry;
  describe(`shipped weights: ${config.id}`, () => {
    it('is registered, ships its file with the recorded sha256, and mirrors it on the release', async () => {
      expect(listPretrained(`${config.arch}*`)).toContain(config.id);
      expect(getPretrainedConfig(config.id)).toBe(config);
      expect(getPretrainedConfig(config.arch).id).toBe(entry.defaultId);
      const { source } = config;
      expect(source.url.startsWith('file:')).toBe(true);
      expect(fileURLToPath(source.url)).toBe(path);
      expect(existsSync(path)).toBe(true);
      expect(await hashFile(path)).toBe(source.sha256);
      const file = basename(path).replace(/[.]/g, '\\.');
      expect(source.mirrors?.[0]).toMatch(
        new RegExp(`^https://github\\.com/.+/releases/download/.+/${file}$`),
      );
    });

    it('loads strictly into the configured architecture, whose trainable parameter count the config states', async () => {
      const model = entry.build();
      try {
        expect(summarize(model).trainableParams).toBe(config.numParams); // torchvision counts parameters, not buffers
        const report = await loadWeights(model, path, { mapping: config.mapping });
        expect(report.loaded.length).toBe(model.weights.length);
        const before = tf.memory().numTensors;
        const input = config.preprocessing.inputSize;
        const logits = tf.tidy(
          () => (model.predict(tf.zeros([2, ...input])) as tf.Tensor).arraySync() as number[][],
        );
        expect(tf.memory().numTensors).toBe(before);
        expect(logits[0]).toHaveLength(config.numClasses);
        expect(logits.flat().every(Number.isFinite)).toBe(true);
      } finally {
        model.dispose();
      }
    });
  });
}
