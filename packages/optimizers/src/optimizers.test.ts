/**
 * Contract tests without PyTorch: serialization, argument errors, parameter groups, the learning-rate
 * plumbing into tfjs-core's own optimizers, the EMA's choice of weights, and tensor hygiene.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ZooError } from '@tfzoo/core';
import { describe, expect, it } from 'vitest';
import {
  Adadelta,
  Adagrad,
  Adam,
  Adamax,
  AdamW,
  ASGD,
  EmaCallback,
  ExponentialMovingAverage,
  getLearningRate,
  Lamb,
  LBFGS,
  LearningRateScheduler,
  Lion,
  layerwiseLrDecay,
  NAdam,
  noWeightDecayFor1d,
  RAdam,
  ReduceLROnPlateauCallback,
  RMSprop,
  Rprop,
  resolveParamGroup,
  SGD,
  setLearningRate,
  stepLR,
} from './index.js';

const classes = [
  SGD,
  Adam,
  AdamW,
  NAdam,
  RAdam,
  Adamax,
  Adagrad,
  Adadelta,
  RMSprop,
  Rprop,
  ASGD,
  Lion,
  Lamb,
  LBFGS,
];

function expectZooError(fn: () => unknown, ...fragments: string[]): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(ZooError);
  for (const f of fragments) expect((caught as Error).message).toContain(f);
}

describe('serialization', () => {
  it.each(classes.map((c) => [c.className, c] as const))(
    '%s is registered and round-trips its config',
    (name, cls) => {
      const map = tf.serialization.SerializationMap.getMap().classNameMap;
      expect(map[name]?.[0]).toBe(cls);
      const opt = new (cls as new (o: object) => tf.Optimizer)({ learningRate: 0.123 });
      const copy = cls.fromConfig(
        cls as unknown as tf.serialization.SerializableConstructor<tf.Optimizer>,
        opt.getConfig(),
      );
      expect(copy).toBeInstanceOf(cls);
      expect(copy.getConfig()).toEqual(opt.getConfig());
      expect(getLearningRate(copy)).toBe(0.123);
      opt.dispose();
      copy.dispose();
    },
  );

  it('serializes RegExp param groups and refuses predicates', () => {
    const opt = new AdamW({ paramGroups: [noWeightDecayFor1d(), { match: /^enc\//i, lrScale: 0.1 }] });
    const copy = AdamW.fromConfig(AdamW, opt.getConfig()) as AdamW;
    expect(copy.paramGroups[1]!.match).toEqual(/^enc\//i);
    expect(copy.paramGroups[0]).toEqual({ maxRank: 1, weightDecay: 0 });
    const withFn = new SGD({ paramGroups: [{ match: (n) => n.endsWith('bias'), weightDecay: 0 }] });
    expectZooError(() => withFn.getConfig(), 'paramGroups[0].match', 'RegExp');
  });

  it('keeps instanceof honest despite tfjs duck-typed Optimizer[Symbol.hasInstance]', () => {
    const adam = new Adam();
    expect(adam instanceof tf.Optimizer).toBe(true);
    expect(adam instanceof SGD).toBe(false);
    expect(adam instanceof LBFGS).toBe(false);
    adam.dispose();
  });
});

describe('argument errors name what was received and what was expected', () => {
  it('rejects bad hyper-parameters', () => {
    expectZooError(() => new Adam({ beta1: 1 }), 'beta1', 'received 1', '< 1');
    expectZooError(() => new SGD({ learningRate: -1 }), 'learningRate', 'received -1');
    expectZooError(() => new SGD({ nesterov: true }), 'nesterov', 'momentum > 0');
    expectZooError(() => new SGD({ clipNorm: 1, clipValue: 1 }), 'at most one');
    expectZooError(() => new Rprop({ weightDecay: 0.1 }), 'weightDecay', 'Rprop');
    expectZooError(
      () => new LBFGS({ lineSearchFn: 'armijo' as 'strong_wolfe' }),
      'lineSearchFn',
      '"strong_wolfe"',
    );
    expectZooError(() => new AdamW({ paramGroups: [{ lrscale: 2 } as object] }), 'paramGroups[0].lrscale');
    const sgd = new SGD();
    expectZooError(() => {
      sgd.learningRate = Number.NaN;
    }, 'learningRate');
  });

  it('rejects state from another optimizer and precomputed gradients for L-BFGS', async () => {
    const v = tf.variable(tf.ones([2]), true, 'err_probe');
    const adam = new Adam();
    adam.applyGradients({ err_probe: tf.ones([2]) });
    const weights = await adam.getWeights();
    const rms = new RMSprop();
    await expect(rms.setWeights(weights)).rejects.toThrow(/err_probe\/exp_avg/);
    await expect(rms.setWeights([])).rejects.toThrow(/"iter"/);
    expectZooError(() => new LBFGS().applyGradients({ err_probe: tf.ones([2]) }), 'closure');
    v.dispose();
    adam.dispose();
    rms.dispose();
  });
});

describe('parameter groups', () => {
  const bias = tf.variable(tf.zeros([3]), true, 'pg/l1/bias');
  const kernel = tf.variable(tf.zeros([2, 3]), true, 'pg/l1/kernel');
  const other = tf.variable(tf.zeros([3, 3]), true, 'pg/l2/kernel');

  it('takes each setting from the first group that selects the variable and defines it', () => {
    const groups = [noWeightDecayFor1d(), { match: /\/l1\//, lrScale: 0.5, weightDecay: 0.3 }];
    expect(resolveParamGroup(groups, bias.name, bias, 0.05)).toEqual({ lrScale: 0.5, weightDecay: 0 });
    expect(resolveParamGroup(groups, kernel.name, kernel, 0.05)).toEqual({ lrScale: 0.5, weightDecay: 0.3 });
    expect(resolveParamGroup(groups, other.name, other, 0.05)).toEqual({ lrScale: 1, weightDecay: 0.05 });
    expect(resolveParamGroup([{ match: 'pg/l2/kernel', lrScale: 2 }], other.name, other, 0)).toEqual({
      lrScale: 2,
      weightDecay: 0,
    });
  });

  it('layerwiseLrDecay scales each earlier layer by the decay (BEiT / timm)', () => {
    const model = tfl.sequential({
      layers: [
        tfl.layers.dense({ inputShape: [4], units: 4, name: 'lw_a' }),
        tfl.layers.batchNormalization({ name: 'lw_bn' }),
        tfl.layers.dense({ units: 4, name: 'lw_b' }),
        tfl.layers.dense({ units: 2, name: 'lw_c' }),
      ],
    });
    const groups = layerwiseLrDecay(model, 0.5);
    const scaleOf = (w: tfl.LayerVariable) =>
      resolveParamGroup(groups, w.name, w.read() as tf.Variable, 0).lrScale;
    const scales = Object.fromEntries(model.trainableWeights.map((w) => [w.name, scaleOf(w)]));
    expect(Object.values(scales)).toEqual([0.125, 0.125, 0.25, 0.25, 0.5, 0.5, 1, 1]);
    // blocks: the dense layer and its batch-norm share one depth
    const blocked = layerwiseLrDecay(model, 0.5, { blockOf: (n) => (n === 'lw_bn' ? 'lw_a' : n) });
    expect(
      model.trainableWeights.map(
        (w) => resolveParamGroup(blocked, w.name, w.read() as tf.Variable, 0).lrScale,
      ),
    ).toEqual([0.25, 0.25, 0.25, 0.25, 0.5, 0.5, 1, 1]);
    expectZooError(() => layerwiseLrDecay(model, 1.5), 'decay', '(0, 1]');
    model.dispose();
  });

  it('applies lrScale and excluded weight decay in a step (SGD: θ − lr·s·(g + wd·θ))', () => {
    const a = tf.variable(tf.tensor1d([1, 2]), true, 'pg_step/a');
    const b = tf.variable(tf.tensor2d([[1, 2]]), true, 'pg_step/b');
    const sgd = new SGD({
      learningRate: 0.1,
      weightDecay: 0.5,
      paramGroups: [noWeightDecayFor1d(), { match: /\/b$/, lrScale: 2 }],
    });
    sgd.applyGradients({ 'pg_step/a': tf.tensor1d([1, 1]), 'pg_step/b': tf.tensor2d([[1, 1]]) });
    expect(Array.from(a.dataSync())).toEqual([1 - 0.1, 2 - 0.1].map(Math.fround));
    const expected = [1 - 0.2 * (1 + 0.5), 2 - 0.2 * (1 + 1)];
    Array.from(b.dataSync()).forEach((x, i) => {
      expect(x).toBeCloseTo(expected[i]!, 6);
    });
    sgd.dispose();
    tf.dispose([a, b]);
  });
});

describe('learning-rate plumbing', () => {
  it('sets the rate of tfjs-core optimizers too (SGD via setLearningRate, Adam via its field)', () => {
    const v = tf.variable(tf.tensor1d([1]), true, 'lr_plumb');
    const sgd = tf.train.sgd(0.1);
    setLearningRate(sgd, 0.5);
    expect(getLearningRate(sgd)).toBe(0.5);
    sgd.applyGradients({ lr_plumb: tf.tensor1d([1]) });
    expect(v.dataSync()[0]).toBeCloseTo(0.5, 6);
    const adam = tf.train.adam(0.1);
    setLearningRate(adam, 0.01);
    adam.applyGradients([{ name: 'lr_plumb', tensor: tf.tensor1d([1]) }]);
    expect(v.dataSync()[0]).toBeCloseTo(0.49, 5); // Adam's first step moves by lr
    sgd.dispose();
    adam.dispose();
    v.dispose();
  });

  it('LearningRateScheduler steps per epoch with a tfjs optimizer; ReduceLROnPlateauCallback reads logs', async () => {
    const model = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [2], units: 1 })] });
    const adam = tf.train.adam(1);
    model.compile({ optimizer: adam, loss: 'meanSquaredError' });
    const schedule = stepLR({ baseLr: 0.1, stepSize: 2, gamma: 0.5 });
    const seen: number[] = [];
    const cb = new LearningRateScheduler({
      schedule,
      updateEvery: 'epoch',
      onLearningRate: (lr) => seen.push(lr),
    });
    const x = tf.ones([4, 2]);
    const y = tf.zeros([4, 1]);
    await model.fit(x, y, { epochs: 5, batchSize: 2, verbose: 0, callbacks: [cb] });
    expect(seen).toEqual([0.1, 0.1, 0.05, 0.05, 0.025]);
    expect(getLearningRate(adam)).toBe(0.025);

    const plateau = new ReduceLROnPlateauCallback({ monitor: 'loss', patience: 0, factor: 0.5 });
    plateau.setModel(model);
    await plateau.onTrainBegin();
    await plateau.onEpochEnd(0, { loss: 1 });
    await plateau.onEpochEnd(1, { loss: 1 });
    expect(getLearningRate(adam)).toBe(0.0125);
    await expect(plateau.onEpochEnd(2, { acc: 1 })).rejects.toThrow(/"loss"/);
    tf.dispose([x, y]);
    model.dispose();
  });
});

describe('exponential moving average of a model with batch-norm', () => {
  it('tracks every weight (moving statistics included) unless trainableOnly', async () => {
    const model = tfl.sequential({
      layers: [
        tfl.layers.dense({ inputShape: [3], units: 4 }),
        tfl.layers.batchNormalization(),
        tfl.layers.dense({ units: 1 }),
      ],
    });
    const all = new ExponentialMovingAverage(model);
    const trainable = new ExponentialMovingAverage(model, { trainableOnly: true });
    expect(Object.keys(all.averages()).length).toBe(model.weights.length);
    expect(Object.keys(trainable.averages()).length).toBe(model.trainableWeights.length);
    expect(model.weights.length - model.trainableWeights.length).toBe(2);
    all.dispose();
    trainable.dispose();

    model.compile({ optimizer: new SGD({ learningRate: 0.1 }), loss: 'meanSquaredError' });
    const cb = new EmaCallback({ decay: 0.99, updateEvery: 2 });
    const x = tf.randomNormal([8, 3], 0, 1, 'float32', 1);
    const y = tf.ones([8, 1]);
    await model.fit(x, y, { epochs: 2, batchSize: 2, verbose: 0, callbacks: [cb] });
    expect(cb.ema!.numUpdates).toBe(4);
    const movingMean = model.weights.find((w) => w.name.includes('moving_mean'))!;
    const averaged = cb.ema!.averages()[movingMean.name]!;
    expect(Array.from(averaged.dataSync())).not.toEqual(Array.from(movingMean.read().dataSync()));
    cb.ema!.dispose();
    tf.dispose([x, y]);
    model.dispose();
  });
});

describe('tensor hygiene', () => {
  it.each(classes.filter((c) => c !== LBFGS).map((c) => [c.className, c] as const))(
    '%s allocates its state once and nothing per step',
    (_name, cls) => {
      const v = tf.variable(
        tf.tensor2d([
          [0.5, -0.25],
          [1, 2],
        ]),
        true,
        `hygiene_${cls.className}`,
      );
      const opt = new (cls as new (o: object) => tf.Optimizer)({ learningRate: 0.01 });
      const grad = tf.tensor2d([
        [0.1, -0.2],
        [0.3, 0.05],
      ]);
      opt.applyGradients({ [v.name]: grad });
      const after = tf.memory().numTensors;
      for (let i = 0; i < 3; i++) opt.applyGradients({ [v.name]: grad });
      expect(tf.memory().numTensors).toBe(after);
      opt.dispose();
      tf.dispose([v, grad]);
    },
  );
});
