/**
 * Every metric against scikit-learn 1.2 (`/usr/bin/python3`) on random data and on the edge cases:
 * a class never predicted, all samples of one class, tied scores, sample weights. ECE against a
 * NumPy transcription of Guo et al.'s binning.
 */
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { normals, runPythonScript, seededRandom } from '@tfzoo/test-harness';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  accuracy,
  accuracyMetric,
  averagePrecision,
  confusionMatrix,
  expectedCalibrationError,
  FLOAT32_EPSILON,
  logLoss,
  logLossMetric,
  type PrecisionRecallF1Options,
  precisionRecallCurve,
  precisionRecallF1,
  rocAuc,
  rocCurve,
  topKAccuracy,
  topKAccuracyMetric,
} from './index.js';

const SCRIPT = fileURLToPath(new URL('./test/sklearn_reference.py', import.meta.url));

interface Case {
  name: string;
  fn: string;
  args: Record<string, unknown>;
  ours: () => unknown;
  /** Relative tolerance (default 1e-12: both sides compute in float64). */
  tolerance?: number;
}

type Reference = { value: unknown } | { error: string };

const random = seededRandom(1234);
const N = 60;
const C = 4;

function randomLabels(n: number, k: number): number[] {
  return Array.from({ length: n }, () => Math.floor(random() * k));
}
function noisyCopy(labels: number[], k: number, keep = 0.6): number[] {
  return labels.map((l) => (random() < keep ? l : Math.floor(random() * k)));
}
function softmaxScores(labels: number[], k: number): number[][] {
  const noise = normals(random, labels.length * k);
  return labels.map((label, r) => {
    const row = Array.from({ length: k }, (_, c) => noise[r * k + c] + (c === label ? 1 : 0));
    const max = Math.max(...row);
    const exps = row.map((v) => Math.exp(v - max));
    const total = exps.reduce((a, b) => a + b, 0);
    return exps.map((e) => e / total);
  });
}
/** Rows that are permutations of [0.1, 0.2, 0.3, 0.4] (sum 1, many ties across rows), or flat rows. */
function tiedScores(labels: number[]): number[][] {
  return labels.map((label, r) => {
    if (r % 7 === 0) return [0.25, 0.25, 0.25, 0.25];
    if (r % 5 === 0) return [0.3, 0.3, 0.4, 0].map((_, c, row) => row[(c + label) % 4]);
    const values = [0.1, 0.2, 0.3, 0.4];
    for (let i = values.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [values[i], values[j]] = [values[j], values[i]];
    }
    return values;
  });
}
const argmax = (row: number[]) => row.indexOf(Math.max(...row));

const yTrue = randomLabels(N, C);
const yPred = noisyCopy(yTrue, C);
const yPredNo3 = yPred.map((l) => (l === 3 ? 0 : l));
const scores = softmaxScores(yTrue, C);
const tied = tiedScores(yTrue);
const weights = Array.from({ length: N }, () => 0.1 + 2 * random());
const binTrue = randomLabels(N, 2);
const binScore = binTrue.map((l) => Math.fround(0.35 * l + 0.65 * random()));
const binTied = binScore.map((s) => Math.round(s * 10) / 10);
const binPred = binScore.map((s) => (s > 0.5 ? 1 : 0));
const zeros = new Array(N).fill(0);

const cases: Case[] = [];
const add = (c: Case) => cases.push(c);

// Accuracy and top-k.
add({
  name: 'accuracy',
  fn: 'accuracy',
  args: { y_true: yTrue, y_pred: yPred },
  ours: () => accuracy(yTrue, yPred),
});
add({
  name: 'accuracy weighted, count',
  fn: 'accuracy',
  args: { y_true: yTrue, y_pred: yPred, sample_weight: weights, normalize: false },
  ours: () => accuracy(yTrue, yPred, { sampleWeight: weights, normalize: false }),
});
add({
  name: 'accuracy from one-hot targets and scores (argmax)',
  fn: 'accuracy',
  args: { y_true: yTrue, y_pred: scores.map(argmax) },
  ours: () =>
    accuracy(
      tf.tidy(() => tf.oneHot(tf.tensor1d(yTrue, 'int32'), C)),
      tf.tensor2d(scores),
    ),
});
for (const k of [1, 2, 3, 4]) {
  add({
    name: `top-${k} accuracy`,
    fn: 'top_k',
    args: { y_true: yTrue, y_score: scores, k },
    ours: () => topKAccuracy(yTrue, scores, { k }),
  });
  add({
    name: `top-${k} accuracy, tied scores, weighted`,
    fn: 'top_k',
    args: { y_true: yTrue, y_score: tied, k, sample_weight: weights },
    ours: () => topKAccuracy(yTrue, tied, { k, sampleWeight: weights }),
  });
}

// Confusion matrix.
for (const [name, t, p, options, args] of [
  ['default labels', yTrue, yPred, {}, {}],
  ['class never predicted', yTrue, yPredNo3, {}, {}],
  ['labels subset, reordered', yTrue, yPred, { labels: [3, 0, 1] }, { labels: [3, 0, 1] }],
  ['absent label', yTrue, yPredNo3, { numClasses: 5 }, { labels: [0, 1, 2, 3, 4] }],
  ['normalize true, never predicted', yTrue, yPredNo3, { normalize: 'true' }, { normalize: 'true' }],
  ['normalize pred, never predicted', yTrue, yPredNo3, { normalize: 'pred' }, { normalize: 'pred' }],
  [
    'normalize all, weighted',
    yTrue,
    yPred,
    { normalize: 'all', sampleWeight: weights },
    { normalize: 'all', sample_weight: weights },
  ],
  ['all one class', zeros, zeros, {}, {}],
] as const) {
  add({
    name: `confusion matrix ${name}`,
    fn: 'confusion',
    args: { y_true: t, y_pred: p, ...args },
    ours: () => confusionMatrix(t, p, options),
  });
}

// Precision / recall / F1.
const prfCases: [string, number[], number[], PrecisionRecallF1Options, Record<string, unknown>][] = [];
for (const average of ['micro', 'macro', 'weighted'] as const) {
  prfCases.push([average, yTrue, yPred, { average }, { average }]);
  prfCases.push([`${average} never predicted`, yTrue, yPredNo3, { average }, { average }]);
  prfCases.push([
    `${average} never predicted, zeroDivision 1`,
    yTrue,
    yPredNo3,
    { average, zeroDivision: 1 },
    { average, zero_division: 1 },
  ]);
  prfCases.push([
    `${average} weighted samples`,
    yTrue,
    yPred,
    { average, sampleWeight: weights },
    { average, sample_weight: weights },
  ]);
  prfCases.push([
    `${average} labels [0,2,4]`,
    yTrue,
    yPred,
    { average, labels: [0, 2, 4] },
    { average, labels: [0, 2, 4] },
  ]);
  prfCases.push([`${average} all one class`, zeros, zeros, { average }, { average }]);
}
prfCases.push(['binary', binTrue, binPred, { average: 'binary' }, { average: 'binary' }]);
prfCases.push(['binary posLabel 0', binTrue, binPred, { posLabel: 0 }, { average: 'binary', pos_label: 0 }]);
prfCases.push(['binary all negative', zeros, zeros, {}, { average: 'binary' }]);
prfCases.push([
  'binary all negative, zeroDivision 1',
  zeros,
  zeros,
  { zeroDivision: 1 },
  { average: 'binary', zero_division: 1 },
]);
prfCases.push([
  'binary never predicted positive',
  binTrue,
  zeros,
  { average: 'binary', zeroDivision: 1 },
  { average: 'binary', zero_division: 1 },
]);
prfCases.push([
  'binary on multiclass data (error)',
  yTrue,
  yPred,
  { average: 'binary' },
  { average: 'binary' },
]);
prfCases.push([
  'weighted, no true sample of the labels',
  [0, 0, 0, 1],
  [2, 2, 0, 1],
  { average: 'weighted', labels: [2], zeroDivision: 1 },
  { average: 'weighted', labels: [2], zero_division: 1 },
]);
for (const [name, t, p, options, args] of prfCases) {
  add({
    name: `PRF ${name}`,
    fn: 'prf',
    args: { y_true: t, y_pred: p, ...args },
    ours: () => {
      const r = precisionRecallF1(t, p, options);
      return [r.precision, r.recall, r.f1];
    },
  });
}
add({
  name: 'PRF per label, never predicted',
  fn: 'prf_per_label',
  args: { y_true: yTrue, y_pred: yPredNo3, labels: [0, 1, 2, 3, 4] },
  ours: () => {
    const r = precisionRecallF1(yTrue, yPredNo3, { average: 'macro', labels: [0, 1, 2, 3, 4] }).perLabel;
    return [r.precision, r.recall, r.f1, r.support];
  },
});

// ROC and precision-recall curves.
const signed = binTrue.map((l) => 2 * l - 1);
const twelve = binTrue.map((l) => l + 1);
for (const [name, t, s, options, args] of [
  ['continuous', binTrue, binScore, {}, {}],
  ['tied scores', binTrue, binTied, {}, {}],
  ['tied, weighted', binTrue, binTied, { sampleWeight: weights }, { sample_weight: weights }],
  ['tied, no drop', binTrue, binTied, { dropIntermediate: false }, { drop_intermediate: false }],
  ['labels {-1, 1}', signed, binScore, {}, {}],
  ['labels {1, 2}, posLabel 2', twelve, binTied, { posLabel: 2 }, { pos_label: 2 }],
  ['all negative', zeros, binScore, {}, {}],
  ['labels {1, 2} without posLabel (error)', twelve, binScore, {}, {}],
] as const) {
  add({
    name: `ROC curve ${name}`,
    fn: 'roc_curve',
    args: { y_true: t, y_score: s, ...args },
    ours: () => {
      const r = rocCurve(t, s, options);
      return [r.fpr, r.tpr, r.thresholds];
    },
  });
  if (!('dropIntermediate' in options)) {
    add({
      name: `PR curve ${name}`,
      fn: 'pr_curve',
      args: { y_true: t, y_score: s, ...args },
      ours: () => {
        const r = precisionRecallCurve(t, s, options);
        return [r.precision, r.recall, r.thresholds];
      },
    });
  }
}
for (const [name, t, s, options, args] of [
  ['binary continuous', binTrue, binScore, {}, {}],
  ['binary tied', binTrue, binTied, {}, {}],
  ['binary tied, weighted', binTrue, binTied, { sampleWeight: weights }, { sample_weight: weights }],
  ['binary float32 tensor', binTrue, binScore, {}, {}],
  ['multiclass macro', yTrue, scores, { average: 'macro' }, { average: 'macro' }],
  ['multiclass weighted', yTrue, scores, { average: 'weighted' }, { average: 'weighted' }],
  ['multiclass tied, weighted samples', yTrue, tied, { sampleWeight: weights }, { sample_weight: weights }],
  ['multiclass micro', yTrue, scores, { average: 'micro' }, { average: 'micro', binarize: true }],
  ['all one class (error)', zeros, binScore, {}, {}],
] as const) {
  add({
    name: `ROC AUC ${name}`,
    fn: 'roc_auc',
    args: { y_true: t, y_score: s, ...args },
    ours: () => rocAuc(t, name.includes('tensor') ? tf.tensor1d(s as number[]) : s, options),
  });
}
for (const [name, t, s, options, args] of [
  ['binary continuous', binTrue, binScore, {}, {}],
  ['binary tied', binTrue, binTied, {}, {}],
  ['binary tied, weighted', binTrue, binTied, { sampleWeight: weights }, { sample_weight: weights }],
  ['binary posLabel 0', binTrue, binTied, { posLabel: 0 }, { pos_label: 0 }],
  ['binary no positive', zeros, binScore, {}, {}],
  ['multiclass macro', yTrue, scores, {}, {}],
  ['multiclass weighted, tied', yTrue, tied, { average: 'weighted' }, { average: 'weighted' }],
  [
    'multiclass micro, weighted samples',
    yTrue,
    scores,
    { average: 'micro', sampleWeight: weights },
    { average: 'micro', sample_weight: weights },
  ],
  ['multiclass, class 3 absent', yPredNo3, scores, {}, {}],
] as const) {
  add({
    name: `average precision ${name}`,
    fn: 'ap',
    args: { y_true: t, y_score: s, ...args },
    ours: () => averagePrecision(t, s, options),
  });
}

// Log loss and calibration.
const clipped = scores.map((row, r) => (r % 9 === 0 ? row.map((_, c) => (c === yTrue[r] ? 0 : 1 / 3)) : row));
const binProb = binScore.map((s, i) => (i % 11 === 0 ? 1 - binTrue[i] : s));
for (const [name, t, p, options, args] of [
  ['multiclass', yTrue, scores, { eps: 1e-15 }, { eps: 1e-15 }],
  ['multiclass with zeros, default eps', yTrue, clipped, {}, { eps: Number.EPSILON }],
  ['binary vector, confident mistakes', binTrue, binProb, { eps: 1e-7 }, { eps: 1e-7 }],
  [
    'weighted sum',
    yTrue,
    scores,
    { sampleWeight: weights, normalize: false },
    { eps: Number.EPSILON, sample_weight: weights, normalize: false },
  ],
] as const) {
  add({
    name: `log loss ${name}`,
    fn: 'log_loss',
    args: { y_true: t, y_pred: p, ...args },
    ours: () => logLoss(t, p, options),
  });
}
add({
  name: 'log loss float32 tensor, eps auto',
  fn: 'log_loss',
  args: { y_true: yTrue, y_pred: scores.map((row) => row.map(Math.fround)), eps: FLOAT32_EPSILON },
  ours: () => logLoss(yTrue, tf.tensor2d(scores)),
});
const edgeProbs = yTrue.map((_, r) => {
  const top = [0.2, 0.4, 0.6, 0.8, 1, 0.55][r % 6];
  return [top, ...new Array(C - 1).fill((1 - top) / (C - 1))];
});
for (const [name, t, p, numBins] of [
  ['15 bins', yTrue, scores, 15],
  ['10 bins', yTrue, tied, 10],
  ['confidences on bin edges', yTrue, edgeProbs, 5],
  ['binary vector', binTrue, binScore, 10],
] as const) {
  add({
    name: `ECE ${name}`,
    fn: 'ece',
    args: { y_true: t, probs: p, num_bins: numBins },
    ours: () => expectedCalibrationError(t, p, { numBins }),
  });
}

// tfjs-layers metric functions: the batch mean of their per-sample values.
function layersMean(
  fn: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor,
  t: tf.TensorLike,
  p: number[][],
  float = true,
): number {
  return tf.tidy(
    () => tf.mean(fn(tf.tensor(t, undefined, float ? 'float32' : 'int32'), tf.tensor2d(p))).dataSync()[0],
  );
}
add({
  name: 'accuracyMetric, sparse float labels',
  fn: 'accuracy',
  args: { y_true: yTrue, y_pred: scores.map(argmax) },
  ours: () => layersMean(accuracyMetric(), yTrue, scores),
  tolerance: 1e-6,
});
add({
  name: 'accuracyMetric, sigmoid column',
  fn: 'accuracy',
  args: { y_true: binTrue, y_pred: binPred },
  ours: () =>
    layersMean(
      accuracyMetric(),
      binTrue.map((l) => [l]),
      binScore.map((s) => [s]),
    ),
  tolerance: 1e-6,
});
for (const k of [1, 2, 3]) {
  add({
    name: `topKAccuracyMetric(${k}), tied scores`,
    fn: 'top_k',
    args: { y_true: yTrue, y_score: tied.map((row) => row.map(Math.fround)), k },
    ours: () => layersMean(topKAccuracyMetric(k), yTrue, tied),
    tolerance: 1e-6,
  });
}
add({
  name: 'logLossMetric',
  fn: 'log_loss',
  args: { y_true: yTrue, y_pred: clipped.map((row) => row.map(Math.fround)), eps: FLOAT32_EPSILON },
  ours: () => layersMean(logLossMetric(), yTrue, clipped),
  tolerance: 1e-5,
});

function compare(ours: unknown, reference: unknown, tolerance: number, path: string): void {
  if (Array.isArray(reference)) {
    expect(Array.isArray(ours), `${path} is an array`).toBe(true);
    const list = ours as unknown[];
    expect(list.length, `${path}.length`).toBe(reference.length);
    reference.forEach((r, i) => {
      compare(list[i], r, tolerance, `${path}[${i}]`);
    });
    return;
  }
  if (reference === 'NaN') {
    expect(Number.isNaN(ours as number), `${path} is NaN`).toBe(true);
    return;
  }
  const a = ours as number;
  const b = reference as number;
  if (!(Math.abs(a - b) <= tolerance * Math.abs(b) + tolerance)) {
    expect.fail(`${path}: got ${a}, scikit-learn ${b}`);
  }
}

describe('metrics equal scikit-learn 1.2', () => {
  let reference: Reference[];
  beforeAll(() => {
    reference = runPythonScript<Reference[]>(
      SCRIPT,
      cases.map(({ fn, args }) => ({ fn, args })),
    );
  });

  it.each(cases.map((c, i) => [c.name, i] as const))('%s', (_name, index) => {
    const c = cases[index];
    const expected = reference[index];
    const before = tf.memory().numTensors;
    let ours: unknown;
    let error: unknown;
    tf.engine().startScope();
    try {
      ours = c.ours();
    } catch (e) {
      error = e;
    }
    tf.engine().endScope();
    expect(tf.memory().numTensors).toBe(before);
    if ('error' in expected) {
      expect(error, `scikit-learn raised: ${expected.error}`).toBeInstanceOf(Error);
      return;
    }
    if (error !== undefined) throw error;
    compare(ours, expected.value, c.tolerance ?? 1e-12, 'result');
  });
});
