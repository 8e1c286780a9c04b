/**
 * The timm fixtures' shared pieces: the fill rule against the check values published with the
 * fixtures (their README, copied to `packages/xception/src/test/fixtures/README.md`), and the reader
 * and state dict on small fixture files written here.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import {
  fnv1a,
  readTimmFixture,
  type TimmFixture,
  type TimmFixtureNames,
  timmFill,
  timmInput,
  timmStateDict,
} from './timm-fixture.js';

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
    pretrainedCfg: {
      mean: [0.5, 0.5, 0.5],
      std: [0.5, 0.5, 0.5],
      input_size: [3, 2, 2],
      crop_pct: 0.875,
      interpolation: 'bicubic',
      first_conv: 'conv1',
      classifier: 'fc',
    },
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
