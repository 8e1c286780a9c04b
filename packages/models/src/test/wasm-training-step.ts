/**
 * Issue 11's registry-wide check: every registered architecture runs one training step on the
 * wasm backend with `@tfzoo/wasm-training`, at a reduced input size. The architectures are split
 * into groups, one test file each, so every group gets a fresh wasm heap (the largest models hold
 * several hundred MB of weights, gradients and updated weights at once) and CI's two cores share
 * the work.
 */
import '@tensorflow/tfjs-backend-wasm';
import '@tfzoo/wasm-training';
import * as tf from '@tensorflow/tfjs-core';
import { listModels } from '@tfzoo/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createModel } from '../index.js';

/** Input side of the reduced-size step (every family's total stride is at most 32). */
export const REDUCED_SIZE = 64;

/** Architectures with a fixed input of their own, built at their default size. */
const OWN_INPUT = new Set(['lenet5']);

/** The groups, by architecture-id prefix; the last group takes every architecture the others do not. */
export const WASM_TRAINING_GROUPS: Record<string, (id: string) => boolean> = {
  'vgg, alexnet, lenet, googlenet': (id) => /^(vgg|alexnet|lenet|googlenet)/.test(id),
  'resnet, resnext, wide resnet': (id) => /^(resnet|resnext|wide_resnet)/.test(id),
  'senet, se-resnet, xception': (id) => /^(legacy_|seres)/.test(id),
  rest: (id) => !/^(vgg|alexnet|lenet|googlenet|resnet|resnext|wide_resnet|legacy_|seres)/.test(id),
};

/** The architecture ids of one group, sorted. */
export function groupIds(group: string): string[] {
  const member = WASM_TRAINING_GROUPS[group];
  if (member === undefined) throw new Error(`unknown group ${group}`);
  return listModels().filter(member);
}

/**
 * One SGD step of `id` on wasm at the reduced size, batch 2, 10 classes: asserts a finite loss, a
 * finite gradient for every trainable weight, a changed weight, and no leaked tensor.
 */
async function trainOneStep(id: string): Promise<void> {
  const size = REDUCED_SIZE;
  const model = await createModel(id, {
    numClasses: 10,
    ...(OWN_INPUT.has(id) ? {} : { inputShape: [size, size, 3] }),
  });
  try {
    const [, h, w, c] = model.inputs[0]!.shape as number[];
    const before = tf.memory().numTensors;
    const x = tf.randomNormal([2, h!, w!, c!], 0, 1, 'float32', 1);
    const y = tf.tidy(() => tf.oneHot(tf.tensor1d([3, 7], 'int32'), 10));
    const variables = model.trainableWeights.map((v) => v.read() as tf.Variable);
    const { value, grads } = tf.variableGrads(() => {
      const logits = model.apply(x, { training: true }) as tf.Tensor;
      expect(logits.shape).toEqual([2, 10]);
      return tf.losses.softmaxCrossEntropy(y, logits) as tf.Scalar;
    }, variables);
    const loss = value.dataSync()[0]!;
    expect(Number.isFinite(loss), `loss ${loss}`).toBe(true);
    const names = Object.keys(grads);
    expect(names.length).toBe(variables.length);
    const sample = variables[variables.length - 1]!;
    const sampleBefore = sample.dataSync().slice();
    for (const name of names) {
      const finite = tf.tidy(() => tf.all(tf.isFinite(grads[name]!)).dataSync()[0]);
      expect(finite, `gradient of ${name} is finite`).toBe(1);
    }
    const optimizer = tf.train.sgd(0.1);
    optimizer.applyGradients(grads);
    optimizer.dispose();
    expect(sample.dataSync()).not.toEqual(sampleBefore);
    tf.dispose([x, y, value, ...Object.values(grads)]);
    expect(tf.memory().numTensors).toBe(before);
  } finally {
    model.dispose();
  }
}

/** Declares the test of one group. */
export function describeWasmTrainingGroup(group: string): void {
  describe(`one training step on wasm at ${REDUCED_SIZE}×${REDUCED_SIZE}: ${group}`, () => {
    beforeAll(async () => {
      // tfjs-core's IS_TEST leak check misreads the tensors a fused custom gradient saves on wasm
      // (see @tfzoo/wasm-training's README); the test counts tensors itself.
      tf.env().set('IS_TEST', false);
      tf.env().set('PROD', true);
      await tf.setBackend('wasm');
    });
    afterAll(async () => {
      tf.env().set('IS_TEST', true);
      tf.env().set('PROD', false);
      await tf.setBackend('cpu');
    });
    const ids = groupIds(group);
    it('has architectures', () => expect(ids.length).toBeGreaterThan(0));
    for (const id of ids) it(id, () => trainOneStep(id));
  });
}
