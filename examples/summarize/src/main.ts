#!/usr/bin/env node
/**
 * The main job until the `tfzoo` CLI exists: pick a backend, build VGG-16 with tfjs-layers, run one
 * image through it, and print tfzoo's summary table (parameters, MACs, activation memory).
 *
 * Usage: `node examples/summarize/dist/main.js [vgg11|vgg16] [inputSize]`
 */
import * as tf from '@tensorflow/tfjs-core';
import { formatSummary, initBackend, summarize } from '@tfzoo/core';
import { buildVgg, VGG_STAGES } from './vgg.js';

const [variantArg = 'vgg16', sizeArg = '224'] = process.argv.slice(2);
if (!(variantArg in VGG_STAGES)) {
  console.error(`unknown variant "${variantArg}"; expected one of ${Object.keys(VGG_STAGES).join(', ')}`);
  process.exit(2);
}
const inputSize = Number(sizeArg);
if (!Number.isInteger(inputSize) || inputSize < 32) {
  console.error(`inputSize must be an integer ≥ 32; received "${sizeArg}"`);
  process.exit(2);
}

const { backend } = await initBackend(['wasm', 'cpu']);
const model = buildVgg(variantArg as keyof typeof VGG_STAGES, inputSize);
console.log(formatSummary(summarize(model)));
const started = performance.now();
const logits = tf.tidy(() => model.predict(tf.randomUniform([1, inputSize, inputSize, 3])) as tf.Tensor);
const values = await logits.data();
console.log(
  `\nOne forward pass on the ${backend} backend: ${(performance.now() - started).toFixed(0)} ms, ` +
    `${values.length} logits, all finite: ${values.every(Number.isFinite)}`,
);
logits.dispose();
model.dispose();
