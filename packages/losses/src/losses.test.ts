/**
 * Behaviour beyond PyTorch parity: use inside `model.compile` / `fit` / `evaluate`, argument errors,
 * the distillation teacher's zero gradient, and penalties over layer variables.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ZooError } from '@tfzoo/core';
import { describe, expect, it } from 'vitest';
import {
  binaryCrossEntropy,
  categoricalCrossEntropy,
  distillationLoss,
  elasticNetPenalty,
  huberLoss,
  klDivergence,
  l1Penalty,
  l2Penalty,
  multiMarginLoss,
  softmaxFocalLoss,
  sparseCategoricalCrossEntropy,
} from './index.js';

function tinyClassifier(numClasses: number): tfl.LayersModel {
  const model = tfl.sequential();
  model.add(tfl.layers.dense({ inputShape: [4], units: numClasses, kernelInitializer: 'glorotNormal' }));
  return model;
}

describe('inside model.compile', () => {
  it('evaluate reports the PyTorch-style weighted mean of categoricalCrossEntropy and fit lowers it', async () => {
    const model = tinyClassifier(3);
    const loss = categoricalCrossEntropy({ classWeights: [1, 2, 0.5], labelSmoothing: 0.1 });
    model.compile({ optimizer: tf.train.sgd(0.5), loss });
    const x = tf.tensor2d([
      [1, 0, 0, 1],
      [0, 1, 1, 0],
      [1, 1, 0, 0],
      [0, 0, 1, 1],
      [1, 0, 1, 0],
      [0, 1, 0, 1],
    ]);
    const y = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2], 'int32'), 3), 'float32'));
    const expected = tf.tidy(() => loss(y, model.predict(x) as tf.Tensor).dataSync()[0]);
    const evaluated = model.evaluate(x, y, { batchSize: 6 }) as tf.Scalar;
    expect(evaluated.dataSync()[0]).toBeCloseTo(expected, 6);
    const history = await model.fit(x, y, { epochs: 20, batchSize: 6, verbose: 0 });
    const losses = history.history.loss as number[];
    expect(losses[losses.length - 1]).toBeLessThan(losses[0]);
    tf.dispose([x, y, evaluated]);
    model.dispose();
  });

  it("reduction 'none' in compile gives tfjs-layers' per-sample mean", () => {
    const model = tinyClassifier(2);
    const perSample = binaryCrossEntropy({ reduction: 'none', posWeight: 2 });
    const mean = binaryCrossEntropy({ posWeight: 2 });
    model.compile({ optimizer: 'sgd', loss: perSample });
    const x = tf.tensor2d([
      [1, 2, 3, 4],
      [0, -1, 2, 1],
    ]);
    const y = tf.tensor2d([
      [1, 0],
      [0, 1],
    ]);
    const evaluated = model.evaluate(x, y) as tf.Scalar;
    const expected = tf.tidy(() => mean(y, model.predict(x) as tf.Tensor).dataSync()[0]);
    expect(evaluated.dataSync()[0]).toBeCloseTo(expected, 6);
    tf.dispose([x, y, evaluated]);
    model.dispose();
  });
});

describe('argument errors name what was received', () => {
  it.each([
    [
      () => sparseCategoricalCrossEntropy({ reduction: 'avg' as 'mean' }),
      /reduction.*'mean'.*received "avg"/,
    ],
    [() => categoricalCrossEntropy({ labelSmoothing: 1.5 }), /labelSmoothing.*received 1.5/],
    [() => binaryCrossEntropy({ posWeight: -1 }), /posWeight.*received -1/],
    [() => huberLoss({ delta: 0 }), /delta.*> 0.*received 0/],
    [() => multiMarginLoss({ p: 3 as 1 }), /options.p must be 1 or 2; received 3/],
    [() => klDivergence({ reduction: 'batch' as 'sum' }), /batchmean.*received "batch"/],
    [() => distillationLoss({ temperature: 0 }), /temperature.*received 0/],
    [() => softmaxFocalLoss({ gamma: -1 }), /gamma.*received -1/],
  ])('%#', (make, message) => {
    expect(make).toThrow(ZooError);
    expect(make).toThrow(message);
  });

  it('rejects class weights of the wrong length and mismatched shapes at call time', () => {
    const before = tf.memory().numTensors;
    const logits = tf.zeros([2, 3]);
    const loss = sparseCategoricalCrossEntropy({ classWeights: [1, 2] });
    expect(() => tf.tidy(() => loss(tf.tensor1d([0, 1]), logits))).toThrow(
      /3 weights, one per class.*received \[1,2\]/,
    );
    expect(() => tf.tidy(() => sparseCategoricalCrossEntropy()(tf.tensor1d([0, 1, 2]), logits))).toThrow(
      /class indices of shape \[2\].*received \[3\]/,
    );
    expect(() => tf.tidy(() => categoricalCrossEntropy()(tf.zeros([2, 4]), logits))).toThrow(
      /shape of yPred, \[2, 3\]/,
    );
    logits.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('distillation', () => {
  it('sends no gradient to the teacher and some to the student', () => {
    const loss = distillationLoss({ temperature: 3, alpha: 0.4 });
    const labels = tf.tensor1d([0, 2], 'int32');
    const student = tf.tensor2d([
      [1, 2, 3],
      [0, -1, 1],
    ]);
    const teacher = tf.tensor2d([
      [3, 0, 1],
      [1, 1, 2],
    ]);
    const [dStudent, dTeacher] = tf.grads((s: tf.Tensor, t: tf.Tensor) => loss(labels, s, t))([
      student,
      teacher,
    ]);
    expect(Array.from(dTeacher.dataSync())).toEqual([0, 0, 0, 0, 0, 0]);
    expect(Math.max(...Array.from(dStudent.dataSync()).map(Math.abs))).toBeGreaterThan(1e-3);
    tf.dispose([labels, student, teacher, dStudent, dTeacher]);
  });
});

describe('penalties', () => {
  it('sum over tensors, variables and layer variables with hand-computed values', () => {
    const model = tfl.sequential();
    model.add(
      tfl.layers.dense({ inputShape: [2], units: 1, kernelInitializer: 'ones', biasInitializer: 'ones' }),
    );
    const variable = tf.variable(tf.tensor1d([-2, 0.5]));
    const tensor = tf.tensor2d([[3, -1]]);
    // kernel [[1],[1]], bias [1], variable [-2, 0.5], tensor [[3, -1]].
    const weights = [...model.trainableWeights, variable, tensor];
    const l1 = l1Penalty(weights, 0.1);
    const l2 = l2Penalty(weights, 0.01);
    const both = elasticNetPenalty(weights, { l1: 0.1, l2: 0.01 });
    expect(l1.dataSync()[0]).toBeCloseTo(0.1 * (1 + 1 + 1 + 2 + 0.5 + 3 + 1), 6);
    expect(l2.dataSync()[0]).toBeCloseTo(0.01 * (1 + 1 + 1 + 4 + 0.25 + 9 + 1), 6);
    expect(both.dataSync()[0]).toBeCloseTo(l1.dataSync()[0] + l2.dataSync()[0], 6);
    expect(() => l1Penalty([42 as unknown as tf.Tensor])).toThrow(/weights\[0\].*received 42/);
    tf.dispose([l1, l2, both, variable, tensor]);
    model.dispose();
  });
});
