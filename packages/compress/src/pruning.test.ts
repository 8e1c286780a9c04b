import * as tf from '@tensorflow/tfjs-core';
import { AdamW, SGD } from '@tfzoo/optimizers';
import { train } from '@tfzoo/train';
import { describe, expect, it } from 'vitest';
import { magnitudeMasks } from './magnitude.js';
import { prunableWeights } from './prunable.js';
import { MagnitudePruning, sparsityReport, stripPruning } from './pruning.js';
import { constantSparsity, polynomialDecay } from './schedule.js';
import { randomLoader, smallLenet } from './test-data.js';

describe('schedules', () => {
  it('polynomialDecay equals TF-MOT PolynomialDecay at chosen steps', () => {
    // s(t) = s_f + (s_i − s_f)(1 − p)^3, p = (t − 100) / 1000, computed by hand:
    const s = polynomialDecay({
      initialSparsity: 0.1,
      finalSparsity: 0.9,
      beginStep: 100,
      endStep: 1100,
      frequency: 50,
    });
    expect(s.sparsity(0)).toBeCloseTo(0.1, 12); // before begin: p clipped to 0
    expect(s.sparsity(100)).toBeCloseTo(0.1, 12);
    expect(s.sparsity(350)).toBeCloseTo(0.9 - 0.8 * 0.421875, 12); // (1 − 0.25)^3 = 0.421875
    expect(s.sparsity(600)).toBeCloseTo(0.8, 12); // (1 − 0.5)^3 = 0.125
    expect(s.sparsity(1100)).toBeCloseTo(0.9, 12);
    expect(s.sparsity(5000)).toBeCloseTo(0.9, 12);
    // _should_prune_in_step: begin ≤ t ≤ end and (t − begin) % frequency == 0
    expect([50, 100, 125, 150, 1100, 1150].map((t) => s.shouldPrune(t))).toEqual([
      false,
      true,
      false,
      true,
      true,
      false,
    ]);
    const q = polynomialDecay({ finalSparsity: 0.5, endStep: 10, power: 1, frequency: 1 });
    expect(q.sparsity(4)).toBeCloseTo(0.2, 12);
  });

  it('constantSparsity prunes every frequency steps from beginStep, forever when endStep is -1', () => {
    const s = constantSparsity({ targetSparsity: 0.75, beginStep: 10, frequency: 5 });
    expect(s.sparsity(0)).toBe(0.75);
    expect([5, 10, 12, 15, 1_000_000].map((t) => s.shouldPrune(t))).toEqual([false, true, false, true, true]);
  });

  it('refuses sparsity outside [0, 1), unknown keys and inverted steps', () => {
    expect(() => constantSparsity({ targetSparsity: 1 })).toThrow(/targetSparsity/);
    expect(() => constantSparsity({ targetSparsity: -0.1 })).toThrow(/targetSparsity/);
    expect(() => polynomialDecay({ finalSparsity: 0.5, endStep: 0 })).toThrow(/endStep/);
    expect(() =>
      constantSparsity({ targetSparsity: 0.5, sparsity: 0.5 } as unknown as { targetSparsity: number }),
    ).toThrow(/sparsity/);
  });
});

describe('magnitudeMasks', () => {
  it('prunes exactly round(n·s) of the smallest magnitudes per layer', async () => {
    const w = tf.tensor(
      Array.from({ length: 1000 }, (_, i) => (i % 2 ? -1 : 1) * (((i * 7919) % 1000) + 1)),
      [10, 100],
    );
    const [mask] = await magnitudeMasks([w], 0.75);
    const m = await mask!.data();
    const v = await w.data();
    const pruned = [...v].filter((_, i) => m[i] === 0).map(Math.abs);
    const kept = [...v].filter((_, i) => m[i] === 1).map(Math.abs);
    expect(pruned.length).toBe(750);
    expect(Math.max(...pruned)).toBeLessThan(Math.min(...kept));
    tf.dispose([w, mask!]);
  });

  it('global scope uses one threshold over every tensor', async () => {
    const small = tf.tensor(
      Array.from({ length: 100 }, (_, i) => 0.005 * (i + 1)),
      [10, 10],
    );
    const large = tf.tensor(
      Array.from({ length: 100 }, (_, i) => 1 + i),
      [10, 10],
    );
    const masks = await magnitudeMasks([small, large], 0.5, 'global');
    expect(tf.sum(masks[0]!).dataSync()[0]).toBe(0); // all 100 small values are the smaller half
    expect(tf.sum(masks[1]!).dataSync()[0]).toBe(100);
    const perLayer = await magnitudeMasks([small, large], 0.5, 'layer');
    expect(perLayer.map((m) => tf.sum(m).dataSync()[0])).toEqual([50, 50]);
    tf.dispose([small, large, ...masks, ...perLayer]);
  });
});

describe('MagnitudePruning', () => {
  it('finds the conv and dense kernels of LeNet-5', () => {
    const model = smallLenet();
    expect(prunableWeights(model).map((w) => w.layer)).toEqual(['conv1', 'conv2', 'fc1', 'fc2', 'fc3']);
    expect(prunableWeights(model, { exclude: ['fc3'] })).toHaveLength(4);
    model.dispose();
  });

  for (const [label, makeOptimizer, slot] of [
    ['AdamW', () => new AdamW({ learningRate: 1e-2, weightDecay: 0.05 }), 'exp_avg'],
    ['SGD with momentum', () => new SGD({ learningRate: 0.05, momentum: 0.9 }), 'momentum_buffer'],
  ] as const) {
    it(`keeps pruned weights and their ${label} state at zero through a fine-tune`, async () => {
      const model = smallLenet();
      const optimizer = makeOptimizer();
      // dense warm-up so the optimizer has non-zero momenta before pruning starts
      await train({ model, data: randomLoader(16, 8), epochs: 1, optimizer });
      await optimizer.getWeights(); // the optimizer keeps the scalars it exports from now on
      const before = tf.memory().numTensors;
      const updates: [number, number][] = [];
      const pruning = new MagnitudePruning({
        schedule: polynomialDecay({ finalSparsity: 0.75, beginStep: 2, endStep: 6, frequency: 2 }),
        onUpdate: (step, s) => updates.push([step, s]),
      });
      const start = new Map(prunableWeights(model).map((w) => [w.name, w.variable.dataSync().slice()]));
      await train({
        model,
        data: randomLoader(16, 8),
        epochs: 4,
        optimizer,
        callbacks: [pruning],
        initialState: { epoch: 1, step: 2, batchInEpoch: 0 },
      });
      expect(updates.map(([step]) => step)).toEqual([2, 4, 6]);
      expect(updates[updates.length - 1]![1]).toBeCloseTo(0.75, 12);
      const state = await optimizer.getWeights();
      for (const w of prunableWeights(model)) {
        const values = await w.variable.data();
        const mask = await pruning.masks.get(w.name)!.data();
        const zeros = [...mask].filter((m) => m === 0).length;
        expect(zeros).toBe(values.length - Math.round(values.length * 0.25));
        const momentum = state.find((s) => s.name === `${w.name}/${slot}`)!.tensor.dataSync();
        let changed = 0;
        const old = start.get(w.name)!;
        for (let i = 0; i < values.length; i++) {
          if (mask[i] === 0) {
            expect(Math.abs(values[i]!)).toBe(0);
            expect(Math.abs(momentum[i]!)).toBe(0);
          } else if (values[i] !== old[i]) changed++;
        }
        expect(changed).toBeGreaterThan(0); // the kept weights did train
      }
      const report = await sparsityReport(model);
      for (const w of report.weights) expect(w.sparsity).toBeCloseTo(0.75, 2);
      expect(stripPruning(model, pruning)).toBe(model);
      expect(pruning.masks.size).toBe(0);
      expect(tf.memory().numTensors).toBe(before);
      model.dispose();
    });
  }

  it('recovers the masks from the zeros of resumed weights', async () => {
    const model = smallLenet();
    const first = new MagnitudePruning({
      schedule: constantSparsity({ targetSparsity: 0.5, frequency: 1000 }),
    });
    first.attach(model);
    await first.prune(0.5);
    const zerosBefore = (await sparsityReport(model)).zeros;
    stripPruning(model, first);
    // a new run past the only pruning step: masks come from the zero pattern and hold it
    const resumed = new MagnitudePruning({
      schedule: constantSparsity({ targetSparsity: 0.5, frequency: 1000 }),
    });
    await train({
      model,
      data: randomLoader(32, 16),
      epochs: 2,
      optimizer: new AdamW({ learningRate: 1e-2 }),
      callbacks: [resumed],
      initialState: { epoch: 1, step: 2, batchInEpoch: 0 },
    });
    expect((await sparsityReport(model)).zeros).toBe(zerosBefore);
    resumed.dispose();
    model.dispose();
  });
});
