/**
 * Every loss against PyTorch 1.13 (float64, `/usr/bin/python3`): value and gradient with respect to
 * the predictions, on random data and on extreme logits (±100), within 1e-5 relative.
 */
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { normals, runPythonScript, seededRandom } from '@tfzoo/test-harness';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  binaryCrossEntropy,
  categoricalCrossEntropy,
  distillationLoss,
  hingeLoss,
  huberLoss,
  klDivergence,
  l1Penalty,
  l2Penalty,
  meanAbsoluteError,
  meanSquaredError,
  multiMarginLoss,
  type SigmoidFocalLossOptions,
  sigmoidFocalLoss,
  smoothL1Loss,
  softmaxFocalLoss,
  sparseCategoricalCrossEntropy,
  squaredHingeLoss,
} from './index.js';

const SCRIPT = fileURLToPath(new URL('./test/torch_reference.py', import.meta.url));

interface Spec {
  data: number[];
  shape: number[];
}

interface Case {
  name: string;
  kind: string;
  yTrue: Spec;
  yPred: Spec;
  extra?: Spec;
  sampleWeight?: number[];
  params: object;
  ours: (yTrue: tf.Tensor, yPred: tf.Tensor, extra?: tf.Tensor, sampleWeight?: tf.Tensor) => tf.Tensor;
}

interface Result {
  value: number[];
  grad: number[];
}

const random = seededRandom(20240611);
const N = 6;
const C = 5;

function spec(data: number[], shape: number[]): Spec {
  return { data, shape };
}
function logits(shape: number[], scale = 2): Spec {
  return spec(
    normals(
      random,
      shape.reduce((a, b) => a * b, 1),
      scale,
    ),
    shape,
  );
}
/** Logits of ±100 (and a few 0s), where naive formulas overflow. */
function extremeLogits(shape: number[]): Spec {
  const size = shape.reduce((a, b) => a * b, 1);
  const values = [100, -100, 100, -100, 0, 99.5, -99.5];
  return spec(
    Array.from({ length: size }, (_, i) => values[(i * 7 + Math.floor(random() * 3)) % values.length]),
    shape,
  );
}
function labels(count: number, numClasses: number): Spec {
  return spec(
    Array.from({ length: count }, () => Math.floor(random() * numClasses)),
    [count],
  );
}
function binaryTargets(shape: number[]): Spec {
  const size = shape.reduce((a, b) => a * b, 1);
  return spec(
    Array.from({ length: size }, () => (random() < 0.5 ? 0 : 1)),
    shape,
  );
}
function uniform(shape: number[], lo = 0, hi = 1): Spec {
  const size = shape.reduce((a, b) => a * b, 1);
  return spec(
    Array.from({ length: size }, () => Math.fround(lo + (hi - lo) * random())),
    shape,
  );
}
function softmaxRows(x: Spec): Spec {
  const cols = x.shape[x.shape.length - 1];
  const out: number[] = [];
  for (let r = 0; r < x.data.length / cols; r++) {
    const row = x.data.slice(r * cols, (r + 1) * cols);
    const max = Math.max(...row);
    const exps = row.map((v) => Math.exp(v - max));
    const total = exps.reduce((a, b) => a + b, 0);
    out.push(...exps.map((e) => Math.fround(e / total)));
  }
  return spec(out, x.shape);
}
function logRows(x: Spec): Spec {
  return spec(
    x.data.map((v) => Math.fround(Math.log(v))),
    x.shape,
  );
}
function oneHot(y: Spec, numClasses: number): Spec {
  const out: number[] = [];
  for (const label of y.data) for (let c = 0; c < numClasses; c++) out.push(c === label ? 1 : 0);
  return spec(out, [...y.shape, numClasses]);
}
const classWeights = [0.5, 2, 1, 3, 0.25];
const sampleWeight = Array.from({ length: N }, () => Math.fround(0.2 + random()));

const cases: Case[] = [];
function add(c: Case): void {
  cases.push(c);
}

// Sparse categorical cross-entropy.
for (const reduction of ['mean', 'sum', 'none'] as const) {
  for (const extreme of [false, true]) {
    for (const [label, params] of [
      ['plain', {}],
      ['weights', { classWeights }],
      ['smoothing', { labelSmoothing: 0.1 }],
      ['weights+smoothing', { classWeights, labelSmoothing: 0.2 }],
    ] as const) {
      add({
        name: `sparse CE ${label} ${reduction}${extreme ? ' ±100' : ''}`,
        kind: 'sparse_ce',
        yTrue: labels(N, C),
        yPred: extreme ? extremeLogits([N, C]) : logits([N, C]),
        params: { ...params, reduction },
        ours: (y, x) => sparseCategoricalCrossEntropy({ ...params, reduction })(y, x),
      });
    }
  }
}
add({
  name: 'sparse CE ignoreIndex + weights + smoothing, [N,1] float labels',
  kind: 'sparse_ce',
  yTrue: spec([0, 3, -1, 4, -1, 2], [N]),
  yPred: logits([N, C]),
  params: { classWeights, labelSmoothing: 0.1, ignoreIndex: -1 },
  ours: (y, x) =>
    sparseCategoricalCrossEntropy({ classWeights, labelSmoothing: 0.1, ignoreIndex: -1 })(
      tf.reshape(y, [N, 1]),
      x,
    ),
});
add({
  name: 'sparse CE spatial [2,3,2,C] with weights',
  kind: 'sparse_ce',
  yTrue: spec(labels(12, C).data, [2, 3, 2]),
  yPred: logits([2, 3, 2, C]),
  params: { classWeights, labelSmoothing: 0.05 },
  ours: (y, x) => sparseCategoricalCrossEntropy({ classWeights, labelSmoothing: 0.05 })(y, x),
});
add({
  name: 'sparse CE from probabilities with weights',
  kind: 'sparse_ce',
  yTrue: labels(N, C),
  yPred: softmaxRows(logits([N, C])),
  params: { classWeights, fromLogits: false },
  ours: (y, x) => sparseCategoricalCrossEntropy({ classWeights, fromLogits: false })(y, x),
});
add({
  name: 'sparse CE sample weights + class weights',
  kind: 'sparse_ce',
  yTrue: labels(N, C),
  yPred: logits([N, C]),
  sampleWeight,
  params: { classWeights },
  ours: (y, x, _e, s) => sparseCategoricalCrossEntropy({ classWeights })(y, x, s),
});

// Categorical (probability-target) cross-entropy.
for (const extreme of [false, true]) {
  for (const reduction of ['mean', 'none'] as const) {
    add({
      name: `categorical CE soft targets + weights + smoothing ${reduction}${extreme ? ' ±100' : ''}`,
      kind: 'cat_ce',
      yTrue: softmaxRows(logits([N, C])),
      yPred: extreme ? extremeLogits([N, C]) : logits([N, C]),
      params: { classWeights, labelSmoothing: 0.1, reduction },
      ours: (y, x) => categoricalCrossEntropy({ classWeights, labelSmoothing: 0.1, reduction })(y, x),
    });
  }
}
add({
  name: 'categorical CE one-hot, sum',
  kind: 'cat_ce',
  yTrue: oneHot(labels(N, C), C),
  yPred: logits([N, C]),
  params: { reduction: 'sum' },
  ours: (y, x) => categoricalCrossEntropy({ reduction: 'sum' })(y, x),
});
add({
  name: 'categorical CE from probabilities',
  kind: 'cat_ce',
  yTrue: softmaxRows(logits([N, C])),
  yPred: softmaxRows(logits([N, C])),
  params: { fromLogits: false, classWeights },
  ours: (y, x) => categoricalCrossEntropy({ fromLogits: false, classWeights })(y, x),
});

// Binary cross-entropy.
for (const extreme of [false, true]) {
  for (const [label, params] of [
    ['plain', {}],
    ['posWeight 3', { posWeight: 3 }],
    ['posWeight per class + class weights', { posWeight: [1, 2, 0.5, 4, 1.5], classWeights }],
    ['smoothing', { labelSmoothing: 0.1, reduction: 'sum' }],
    ['none', { reduction: 'none', posWeight: 2 }],
  ] as const) {
    add({
      name: `BCE ${label}${extreme ? ' ±100' : ''}`,
      kind: 'bce',
      yTrue: binaryTargets([N, C]),
      yPred: extreme ? extremeLogits([N, C]) : logits([N, C]),
      params,
      ours: (y, x) => binaryCrossEntropy(params)(y, x),
    });
  }
}
add({
  name: 'BCE soft targets',
  kind: 'bce',
  yTrue: uniform([N, C]),
  yPred: logits([N, C]),
  params: { posWeight: 2 },
  ours: (y, x) => binaryCrossEntropy({ posWeight: 2 })(y, x),
});
add({
  name: 'BCE from probabilities with class weights',
  kind: 'bce',
  yTrue: binaryTargets([N, C]),
  yPred: uniform([N, C], 0.02, 0.98),
  params: { fromLogits: false, classWeights },
  ours: (y, x) => binaryCrossEntropy({ fromLogits: false, classWeights })(y, x),
});
add({
  name: 'BCE sample weights',
  kind: 'bce',
  yTrue: binaryTargets([N, C]),
  yPred: logits([N, C]),
  sampleWeight,
  params: { posWeight: 1.5 },
  ours: (y, x, _e, s) => binaryCrossEntropy({ posWeight: 1.5 })(y, x, s),
});

// Focal losses.
for (const extreme of [false, true]) {
  const focalParams: SigmoidFocalLossOptions[] = [
    {},
    // γ < 1 only on moderate logits: torchvision's own gradient is NaN where 1 − p_t underflows to 0.
    extreme ? { gamma: 1.5, alpha: 0.75, reduction: 'sum' } : { gamma: 0.5, alpha: 0.75, reduction: 'sum' },
    { gamma: 0, alpha: -1, reduction: 'none' },
    { gamma: 3, alpha: 0.4 },
  ];
  for (const params of focalParams) {
    add({
      name: `sigmoid focal ${JSON.stringify(params)}${extreme ? ' ±100' : ''}`,
      kind: 'sigmoid_focal',
      yTrue: binaryTargets([N, C]),
      yPred: extreme ? extremeLogits([N, C]) : logits([N, C]),
      params,
      ours: (y, x) => sigmoidFocalLoss(params)(y, x),
    });
  }
  for (const params of [
    {},
    { gamma: 1.5, alpha: classWeights, reduction: 'none' },
    { gamma: 0, alpha: 0.3 },
  ] as const) {
    add({
      name: `softmax focal ${JSON.stringify(params)}${extreme ? ' ±100' : ''}`,
      kind: 'softmax_focal',
      yTrue: labels(N, C),
      yPred: extreme ? extremeLogits([N, C]) : logits([N, C]),
      params: { ...params, alpha: params.alpha === undefined ? 1 : params.alpha },
      ours: (y, x) => softmaxFocalLoss(params)(y, x),
    });
  }
}
add({
  name: 'softmax focal with one-hot targets',
  kind: 'softmax_focal',
  yTrue: labels(N, C),
  yPred: logits([N, C]),
  params: { alpha: 1 },
  ours: (y, x) => softmaxFocalLoss()(tf.oneHot(tf.cast(y, 'int32'), C), x),
});

// Regression losses.
for (const reduction of ['mean', 'sum', 'none'] as const) {
  const yTrue = logits([N, 3], 2);
  add({
    name: `MSE ${reduction}`,
    kind: 'mse',
    yTrue,
    yPred: logits([N, 3], 2),
    params: { reduction },
    ours: (y, x) => meanSquaredError({ reduction })(y, x),
  });
  add({
    name: `MAE ${reduction}`,
    kind: 'l1',
    yTrue,
    yPred: logits([N, 3], 2),
    params: { reduction },
    ours: (y, x) => meanAbsoluteError({ reduction })(y, x),
  });
  for (const delta of [0.5, 1, 2.5]) {
    add({
      name: `Huber δ=${delta} ${reduction}`,
      kind: 'huber',
      yTrue,
      yPred: logits([N, 3], 2),
      params: { delta, reduction },
      ours: (y, x) => huberLoss({ delta, reduction })(y, x),
    });
  }
  for (const beta of [0, 0.3, 1, 2]) {
    add({
      name: `SmoothL1 β=${beta} ${reduction}`,
      kind: 'smooth_l1',
      yTrue,
      yPred: logits([N, 3], 2),
      params: { beta, reduction },
      ours: (y, x) => smoothL1Loss({ beta, reduction })(y, x),
    });
  }
}
add({
  name: 'MSE sample weights',
  kind: 'mse',
  yTrue: logits([N, 3]),
  yPred: logits([N, 3]),
  sampleWeight,
  params: {},
  ours: (y, x, _e, s) => meanSquaredError()(y, x, s),
});

// Margin losses.
for (const [label, yTrue, params] of [
  [
    '{-1,1} labels',
    spec(
      binaryTargets([N, 3]).data.map((v) => 2 * v - 1),
      [N, 3],
    ),
    {},
  ],
  ['{0,1} labels auto', binaryTargets([N, 3]), { margin: 0.5 }],
  ['{0,1} labels binary', binaryTargets([N, 3]), { labels: 'binary', reduction: 'none' }],
] as const) {
  add({
    name: `hinge ${label}`,
    kind: 'hinge',
    yTrue,
    yPred: logits([N, 3]),
    params,
    ours: (y, x) => hingeLoss(params)(y, x),
  });
  add({
    name: `squared hinge ${label}`,
    kind: 'squared_hinge',
    yTrue,
    yPred: logits([N, 3]),
    params,
    ours: (y, x) => squaredHingeLoss(params)(y, x),
  });
}
for (const params of [
  {},
  { p: 2, margin: 0.7 },
  { classWeights, reduction: 'sum' },
  { p: 2, classWeights, reduction: 'none' },
] as const) {
  add({
    name: `multi-margin ${JSON.stringify(params)}`,
    kind: 'multi_margin',
    yTrue: labels(N, C),
    yPred: logits([N, C]),
    params,
    ours: (y, x) => multiMarginLoss(params)(y, x),
  });
}

// KL divergence.
for (const reduction of ['batchmean', 'mean', 'sum', 'none'] as const) {
  const target = softmaxRows(logits([N, C]));
  add({
    name: `KL log-input ${reduction}`,
    kind: 'kl',
    yTrue: target,
    yPred: logRows(softmaxRows(logits([N, C]))),
    params: { reduction },
    ours: (y, x) => klDivergence({ reduction })(y, x),
  });
  add({
    name: `KL log-target ${reduction}`,
    kind: 'kl',
    yTrue: logRows(target),
    yPred: logRows(softmaxRows(logits([N, C]))),
    params: { reduction, logTarget: true },
    ours: (y, x) => klDivergence({ reduction, logTarget: true })(y, x),
  });
}
for (const extreme of [false, true]) {
  add({
    name: `KL from logits${extreme ? ' ±100' : ''}`,
    kind: 'kl',
    yTrue: softmaxRows(logits([N, C])),
    yPred: extreme ? extremeLogits([N, C]) : logits([N, C]),
    params: { fromLogits: true },
    ours: (y, x) => klDivergence({ fromLogits: true })(y, x),
  });
}

// Distillation.
for (const extreme of [false, true]) {
  for (const params of [
    {},
    { temperature: 2, alpha: 0.3 },
    { temperature: 1, alpha: 0, reduction: 'none' },
    { temperature: 8, alpha: 0.9, labelSmoothing: 0.1, reduction: 'sum' },
  ] as const) {
    add({
      name: `distillation ${JSON.stringify(params)}${extreme ? ' ±100' : ''}`,
      kind: 'distill',
      yTrue: labels(N, C),
      yPred: extreme ? extremeLogits([N, C]) : logits([N, C], 3),
      extra: extreme ? extremeLogits([N, C]) : logits([N, C], 3),
      params,
      ours: (y, x, t) => distillationLoss(params)(y, x, t!),
    });
  }
}

// Penalties.
add({
  name: 'L1 penalty',
  kind: 'l1_penalty',
  yTrue: spec([0], [1]),
  yPred: logits([4, 3]),
  params: { strength: 0.03 },
  ours: (_y, x) => l1Penalty([x], 0.03),
});
add({
  name: 'L2 penalty',
  kind: 'l2_penalty',
  yTrue: spec([0], [1]),
  yPred: logits([4, 3]),
  params: { strength: 0.02 },
  ours: (_y, x) => l2Penalty([x], 0.02),
});

function close(actual: ArrayLike<number>, expected: number[], what: string): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const b = expected[i];
    const tolerance = 1e-5 * Math.abs(b) + 1e-7;
    if (!(Math.abs(a - b) <= tolerance)) {
      expect.fail(`${what}[${i}]: got ${a}, PyTorch ${b} (|Δ| ${Math.abs(a - b)} > ${tolerance})`);
    }
  }
}

describe('losses equal PyTorch in value and gradient', () => {
  let reference: Result[];
  beforeAll(() => {
    const payload = cases.map(({ ours: _ours, name: _name, ...rest }) => rest);
    reference = runPythonScript<Result[]>(SCRIPT, payload);
  });

  it('has one reference per case', () => {
    expect(reference).toHaveLength(cases.length);
  });

  it.each(cases.map((c, i) => [c.name, i] as const))('%s', (_name, index) => {
    const c = cases[index];
    const before = tf.memory().numTensors;
    const yTrue = tf.tensor(c.yTrue.data, c.yTrue.shape);
    const yPred = tf.tensor(c.yPred.data, c.yPred.shape);
    const extra = c.extra === undefined ? undefined : tf.tensor(c.extra.data, c.extra.shape);
    const weights = c.sampleWeight === undefined ? undefined : tf.tensor1d(c.sampleWeight);
    const value = tf.tidy(() => c.ours(yTrue, yPred, extra, weights));
    const grad = tf.tidy(() => tf.grad((x: tf.Tensor) => c.ours(yTrue, x, extra, weights))(yPred));
    const values = value.dataSync();
    const grads = grad.dataSync();
    tf.dispose([yTrue, yPred, extra, weights, value, grad].filter((t) => t !== undefined));
    expect(tf.memory().numTensors).toBe(before);
    expect(Array.from(values).every(Number.isFinite), 'finite value').toBe(true);
    expect(Array.from(grads).every(Number.isFinite), 'finite gradient').toBe(true);
    close(values, reference[index].value, 'value');
    close(grads, reference[index].grad, 'gradient');
  });
});
