/**
 * The timm fixtures' shared pieces: the fill rule against the check values published with the
 * fixtures (their README, copied to `packages/xception/src/test/fixtures/README.md`), the reader
 * and state dict on small fixture files written here, and the logits comparison on a linear model
 * whose logits are computed here by hand.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, describe, expect, it } from 'vitest';
import {
  fnv1a,
  readTimmFixture,
  type TimmFixture,
  type TimmFixtureNames,
  type TimmPretrainedConfig,
  timmFill,
  timmInput,
  timmLogitsError,
  timmStateDict,
} from './timm-fixture.js';

/** A pretrained config for the small fixtures written here (its values are never used). */
const pretrainedCfg: TimmPretrainedConfig = {
  mean: [0.5, 0.5, 0.5],
  std: [0.5, 0.5, 0.5],
  input_size: [3, 2, 2],
  crop_pct: 0.875,
  interpolation: 'bicubic',
  first_conv: 'conv1',
  classifier: 'fc',
};

describe('fixture fill rule', () => {
  it('reproduces the check values published with the fixtures', () => {
    expect(fnv1a('conv1.weight')).toBe(3184444564);
    expect(Array.from(timmFill('conv1.weight', [64, 3, 7, 7]).slice(0, 3))).toEqual([
      0.09755498915910721, -0.05678258836269379, 0.1929408609867096,
    ]);
    expect(Array.from(timmFill('bn1.weight', [64]).slice(0, 2))).toEqual([
      1.103859305381775, 0.9510729312896729,
    ]);
    expect(timmFill('fc.bias', [1000])[0]).toBe(-0.05738754943013191);
    expect(Array.from(timmFill('input', [2, 224, 224, 3]).slice(0, 3))).toEqual([
      1.9038351774215698, 0.37597110867500305, -1.151892900466919,
    ]);
  });
});

describe('readTimmFixture and timmStateDict', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tfzoo-timm-fixture-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const names: TimmFixtureNames = {
    model: 'tiny',
    numParams: 12,
    pretrainedCfg,
    tensors: [
      { name: 'conv1.weight', shape: [2, 3, 1, 1], dtype: 'F32' },
      { name: 'bn1.running_mean', shape: [2], dtype: 'F32', values: [0.25, -0.5] },
      { name: 'bn1.num_batches_tracked', shape: [], dtype: 'I64' },
    ],
  };
  const full: TimmFixture = { ...names, inputShape: [1, 2, 2, 3], logits: [[0.5, -1.5]] };

  it('reads full fixtures, plain and gzipped, and builds their state dict and input', () => {
    const plain = join(dir, 'tiny.json');
    const gzipped = join(dir, 'tiny.json.gz');
    writeFileSync(plain, JSON.stringify(full));
    writeFileSync(gzipped, gzipSync(JSON.stringify(full)));
    expect(readTimmFixture(plain)).toEqual(full);
    expect(readTimmFixture(pathToFileURL(gzipped))).toEqual(full);

    const state = timmStateDict(full);
    expect([...state.keys()]).toEqual(['conv1.weight', 'bn1.running_mean', 'bn1.num_batches_tracked']);
    expect(state.get('conv1.weight')?.data).toEqual(timmFill('conv1.weight', [2, 3, 1, 1]));
    expect(state.get('bn1.running_mean')?.data).toEqual(Float32Array.from([0.25, -0.5]));
    expect(state.get('bn1.num_batches_tracked')).toEqual({
      dtype: 'I64',
      shape: [],
      data: new BigInt64Array(1),
    });
    expect(timmInput(full)).toEqual(timmFill('input', [1, 2, 2, 3]));
  });

  it('reads a names-only fixture only as names, and says so when it is read as full', () => {
    const path = join(dir, 'tiny.names.json');
    writeFileSync(path, JSON.stringify(names));
    expect(readTimmFixture(path, 'names')).toEqual(names);
    expect(() => readTimmFixture(path)).toThrow(
      `${path} has no inputShape and logits (a names-only fixture)`,
    );
  });
});

describe('timmLogitsError', () => {
  // A linear model, flatten → dense without bias, whose logits are computed here by hand.
  const inputShape: TimmFixture['inputShape'] = [2, 2, 2, 3];
  const kernel = Float32Array.from({ length: 12 * 2 }, (_, i) => ((i % 7) - 3) / 8);
  const build = (classes: number) => {
    const model = tfl.sequential({
      layers: [
        tfl.layers.flatten({ inputShape: [2, 2, 3] }),
        tfl.layers.dense({ units: classes, useBias: false }),
      ],
    });
    model.layers[1]?.setWeights([tf.tensor2d(kernel.subarray(0, 12 * classes), [12, classes])]);
    return model;
  };
  const input = timmFill('input', inputShape);
  const logits = [0, 1].map((image) =>
    [0, 1].map((k) => {
      let sum = 0;
      for (let j = 0; j < 12; j++) sum += (input[image * 12 + j] as number) * (kernel[j * 2 + k] as number);
      return sum;
    }),
  );
  const fixture = (offset: number): TimmFixture => ({
    model: 'linear',
    numParams: 24,
    pretrainedCfg,
    tensors: [],
    inputShape,
    // The second image's first logit moved by `offset`.
    logits: logits.map((row, image) =>
      row.map((value, k) => (image === 1 && k === 0 ? value + offset : value)),
    ),
  });

  it('measures max |Δ| and max |logit| over the images asked for, and leaks nothing', () => {
    const model = build(2);
    const before = tf.memory().numTensors;
    const exact = timmLogitsError(model, fixture(0));
    expect(exact.error).toBeLessThan(1e-6);
    expect(exact.scale).toBeCloseTo(Math.max(...logits.flat().map(Math.abs)), 6);
    expect(timmLogitsError(model, fixture(0.25)).error).toBeCloseTo(0.25, 6);
    expect(timmLogitsError(model, fixture(0.25), 1).error).toBeLessThan(1e-6);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('refuses an output of another shape and an image count out of range, leaking nothing', () => {
    const model = build(1);
    const before = tf.memory().numTensors;
    expect(() => timmLogitsError(model, fixture(0))).toThrow(
      "output shape [2,1] differs from timm's logits' [2,2]",
    );
    expect(() => timmLogitsError(model, fixture(0), 3)).toThrow(
      'images must be an integer from 1 to 2; received 3',
    );
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});
