import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZooError } from '../errors.js';
import { flattenDenseTransform } from './layouts.js';
import { exportStateDict, loadWeights, saveWeights } from './load.js';
import { registerMapping, unregisterMapping, type WeightMapping } from './mapping.js';
import type { RawTensorMap } from './raw.js';
import { readRawWeights } from './read.js';

const SCRIPT = new URL('./test/torch_fixtures.py', import.meta.url).pathname;
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tfzoo-load-'));
  execFileSync('/usr/bin/python3', [SCRIPT, 'files', dir], { stdio: 'pipe' });
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** TinyNet of torch_fixtures.py in TF.js, layer names mirroring the torch module names. */
function tinyNet(
  options: { fcUnits?: number; extraLayer?: boolean; names?: Record<string, string> } = {},
): tfl.LayersModel {
  const n = (name: string) => options.names?.[name] ?? name;
  const input = tfl.input({ shape: [4, 5, 3] });
  let x = tfl.layers
    .conv2d({ filters: 8, kernelSize: 3, padding: 'same', useBias: false, name: n('stem_0') })
    .apply(input) as tfl.SymbolicTensor;
  x = tfl.layers.batchNormalization({ epsilon: 1e-5, name: n('stem_1') }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.reLU({ name: 'stem_2' }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers
    .depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: 'same', name: n('block_dw') })
    .apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.batchNormalization({ epsilon: 1e-5, name: n('block_bn') }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.reLU().apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.flatten().apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.dropout({ rate: 0.5 }).apply(x) as tfl.SymbolicTensor;
  if (options.extraLayer) x = tfl.layers.dense({ units: 320, name: 'extra' }).apply(x) as tfl.SymbolicTensor;
  const output = tfl.layers
    .dense({ units: options.fcUnits ?? 5, name: n('fc') })
    .apply(x) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: output, name: 'tiny' });
}

function readF32(path: string): Float32Array {
  const bytes = readFileSync(path);
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
}

/** Logits of the TF.js model on the NCHW input torch used. */
function logits(model: tfl.LayersModel): Float32Array {
  return tf.tidy(() => {
    const x = tf.transpose(tf.tensor4d(readF32(join(dir, 'tiny_input.f32')), [2, 3, 4, 5]), [0, 2, 3, 1]);
    return (model.predict(x) as tf.Tensor).dataSync() as Float32Array;
  });
}

function expectClose(actual: Float32Array, expected: Float32Array, relative = 1e-5): void {
  expect(actual.length).toBe(expected.length);
  const scale = Math.max(...Array.from(expected, Math.abs));
  for (let i = 0; i < expected.length; i++) {
    expect(
      Math.abs(actual[i]! - expected[i]!),
      `logit ${i}: ${actual[i]} vs ${expected[i]}`,
    ).toBeLessThanOrEqual(relative * scale);
  }
}

describe('loadWeights and saveWeights against PyTorch', () => {
  it('loads a torch state dict through the default mapping and reproduces torch logits; saves it back for strict load_state_dict', async () => {
    const before = tf.memory().numTensors;
    const model = tinyNet();
    const report = await loadWeights(model, join(dir, 'tiny.pth'));
    expect(report.ignored.sort()).toEqual(['block.bn.num_batches_tracked', 'stem.1.num_batches_tracked']);
    expect(report.loaded).toHaveLength(13);
    expectClose(logits(model), readF32(join(dir, 'tiny_logits.f32')));

    const saved = join(dir, 'saved.safetensors');
    await saveWeights(model, saved, { format: 'safetensors', names: 'reference' });
    const keys = JSON.parse(
      execFileSync('/usr/bin/python3', [SCRIPT, 'check', dir], { encoding: 'utf8' })
        .trim()
        .split('\n')
        .pop()!,
    ) as string[];
    expect(keys).toContain('stem.1.num_batches_tracked');
    expectClose(readF32(join(dir, 'check_logits.f32')), readF32(join(dir, 'tiny_logits.f32')));

    // The file's tensors equal the torch file's (except num_batches_tracked, written as 0).
    const original = await readRawWeights(join(dir, 'tiny.pth'));
    const written = await readRawWeights(saved);
    expect([...written.keys()].sort()).toEqual([...original.keys()].sort());
    for (const [name, tensor] of original) {
      if (name.endsWith('num_batches_tracked')) {
        expect(written.get(name)!.dtype).toBe('I64');
        expect(written.get(name)!.data[0]).toBe(0n);
        continue;
      }
      expect(written.get(name)!.shape, name).toEqual(tensor.shape);
      expect(Array.from(written.get(name)!.data as Float32Array), name).toEqual(
        Array.from(tensor.data as Float32Array),
      );
    }
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a model built fresh (no template) saves the same reference names; names: tfjs keeps ours', async () => {
    const model = tinyNet();
    const reference = exportStateDict(model);
    const original = await readRawWeights(join(dir, 'tiny.pth'));
    expect([...reference.keys()].sort()).toEqual([...original.keys()].sort());
    for (const [name, tensor] of original) expect(reference.get(name)!.shape, name).toEqual(tensor.shape);
    const ours = exportStateDict(model, { names: 'tfjs' });
    expect(ours.get('block_dw/depthwise_kernel')!.shape).toEqual([3, 3, 8, 2]);
    expect(ours.has('stem_1/moving_variance')).toBe(true);
    model.dispose();
  });

  it('strict mode lists every unused tensor, unfilled weight and shape mismatch in one error; nothing is assigned', async () => {
    const model = tinyNet({ fcUnits: 6, extraLayer: true, names: { block_bn: 'block_norm' } });
    const kernelBefore = model.getLayer('stem_0').getWeights()[0]!.dataSync().slice();
    const error = await loadWeights(model, join(dir, 'tiny.pth')).then(
      () => undefined,
      (e: unknown) => e as ZooError,
    );
    expect(error).toBeInstanceOf(ZooError);
    expect(error!.code).toBe('WEIGHTS_MISMATCH');
    const message = error!.message;
    for (const name of [
      'block.bn.weight',
      'block.bn.bias',
      'block.bn.running_mean',
      'block.bn.running_var',
    ]) {
      expect(message).toContain(`unused source tensor: ${name}`);
    }
    for (const key of [
      'block_norm/gamma',
      'block_norm/beta',
      'block_norm/moving_mean',
      'block_norm/moving_variance',
      'extra/kernel',
      'extra/bias',
    ]) {
      expect(message).toContain(`unfilled model weight: ${key}`);
    }
    expect(message).toMatch(
      /shape mismatch: fc\.weight is \[5,320\] in the source; fc\/kernel \[320,6\] .* expects \[6,320\]/,
    );
    expect(message).toMatch(/shape mismatch: fc\.bias is \[5\]/);
    expect(model.getLayer('stem_0').getWeights()[0]!.dataSync()).toEqual(kernelBefore);
    // Non-strict: the mismatches still fail, like load_state_dict(strict=False).
    await expect(loadWeights(model, join(dir, 'tiny.pth'), { strict: false })).rejects.toThrow(
      /shape mismatch/,
    );
    model.dispose();
  });

  it('exclude leaves a classifier with a different numClasses fresh, in strict mode', async () => {
    const model = tinyNet({ fcUnits: 7 });
    const fresh = model.getLayer('fc').getWeights()[0]!.dataSync().slice();
    const report = await loadWeights(model, join(dir, 'tiny.pth'), { exclude: 'fc' });
    expect(report.ignored).toEqual(expect.arrayContaining(['fc.weight', 'fc.bias']));
    expect(report.unfilled.sort()).toEqual(['fc/bias', 'fc/kernel']);
    expect(model.getLayer('fc').getWeights()[0]!.dataSync()).toEqual(fresh);
    const original = await readRawWeights(join(dir, 'tiny.pth'));
    expect(Array.from(model.getLayer('block_bn').getWeights()[3]!.dataSync())).toEqual(
      Array.from(original.get('block.bn.running_var')!.data as Float32Array),
    );
    model.dispose();
  });

  it('non-strict loading reports what was left out', async () => {
    const model = tinyNet({ names: { fc: 'head' } });
    const report = await loadWeights(model, join(dir, 'tiny.pth'), { strict: false });
    expect(report.unused.sort()).toEqual(['fc.bias', 'fc.weight']);
    expect(report.unfilled.sort()).toEqual(['head/bias', 'head/kernel']);
    model.dispose();
  });

  it('declarative renames, transform overrides and ignores (timm-like names, classifier stored as a conv) round-trip', async () => {
    // Rename the torch file's tensors the way timm names differ, and store fc as a conv [O,C,H,W].
    const original = await readRawWeights(join(dir, 'tiny.pth'));
    const timmNames: RawTensorMap = new Map();
    for (const [name, tensor] of original) {
      let renamed = name
        .replace(/^stem\.0\./, 'conv_stem.')
        .replace(/^stem\.1\./, 'bn1.')
        .replace(/^block\.(\w+)\./, 'blocks.0.$1_x.');
      let stored = tensor;
      if (name === 'fc.weight') {
        renamed = 'head.fc.weight';
        stored = { ...tensor, shape: [5, 16, 4, 5] };
      }
      if (name === 'fc.bias') renamed = 'head.fc.bias';
      timmNames.set(renamed, stored);
    }
    timmNames.set('aux.weight', { dtype: 'F32', shape: [1], data: new Float32Array([1]) });
    const mapping: WeightMapping = {
      description: 'test mapping',
      renames: [
        { from: 'conv_stem', to: 'stem.0' },
        { from: 'bn1', to: 'stem.1' },
        {
          pattern: /^blocks\.0\.(\w+)_x\./,
          replacement: 'block.$1.',
          reversePattern: /^block\.(\w+)\./,
          reverseReplacement: 'blocks.0.$1_x.',
        },
        {
          toModel: (n) => (n.startsWith('head.fc.') ? n.replace('head.fc.', 'fc.') : undefined),
          toReference: (n) => (n.startsWith('fc.') ? n.replace('fc.', 'head.fc.') : undefined),
        },
      ],
      transforms: { 'fc/kernel': flattenDenseTransform([16, 4, 5], 'conv') },
      ignore: [/^aux\./],
    };
    const registered = registerMapping('test-timm-like', mapping);
    try {
      const model = tinyNet();
      const report = await loadWeights(model, timmNames, { mapping: 'test-timm-like' });
      expect(report.ignored).toContain('aux.weight');
      expectClose(logits(model), readF32(join(dir, 'tiny_logits.f32')));
      // Saving inverts every rule, without a template (a fresh model with the loaded weights).
      const fresh = tinyNet();
      fresh.setWeights(model.getWeights());
      const exported = exportStateDict(fresh, { mapping: registered });
      const expectedNames = [...timmNames.keys()].filter((n) => n !== 'aux.weight').sort();
      expect([...exported.keys()].sort()).toEqual(expectedNames);
      expect(exported.get('head.fc.weight')!.shape).toEqual([5, 16, 4, 5]);
      expect(Array.from(exported.get('head.fc.weight')!.data as Float32Array)).toEqual(
        Array.from(original.get('fc.weight')!.data as Float32Array),
      );
      model.dispose();
      fresh.dispose();
    } finally {
      unregisterMapping('test-timm-like');
    }
  });

  it('loads optional tensors into a model that has them and skips them for one that does not', async () => {
    const build = (withExtra: boolean) =>
      tfl.sequential({
        layers: [
          tfl.layers.dense({ inputShape: [3], units: 2, name: 'head' }),
          ...(withExtra ? [tfl.layers.dense({ units: 1, name: 'extra' })] : []),
        ],
      });
    const source = () => ({
      'head.weight': tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]),
      'head.bias': tf.tensor1d([7, 8]),
      'extra.weight': tf.tensor2d([[0.5, -0.5]]),
      'extra.bias': tf.tensor1d([9]),
    });
    registerMapping('test-optional', { optional: [/^extra\./] });
    try {
      const withExtra = build(true);
      const full = source();
      const loaded = await loadWeights(withExtra, full, { mapping: 'test-optional' });
      expect(loaded.loaded).toContain('extra/kernel');
      expect(Array.from(withExtra.getLayer('extra').getWeights()[1]!.dataSync())).toEqual([9]);
      const without = build(false);
      const partial = source();
      const skipped = await loadWeights(without, partial, { mapping: 'test-optional' });
      expect(skipped.ignored.sort()).toEqual(['extra.bias', 'extra.weight']);
      // A tensor that is not optional still fails a strict load.
      const stray = { ...source(), 'other.weight': tf.tensor1d([1]) };
      const third = build(true);
      await expect(loadWeights(third, stray, { mapping: 'test-optional' })).rejects.toThrow(/other\.weight/);
      third.dispose();
      tf.dispose([...Object.values(full), ...Object.values(partial), ...Object.values(stray)]);
      withExtra.dispose();
      without.dispose();
    } finally {
      unregisterMapping('test-optional');
    }
  });

  it('loads from a NamedTensorMap without disposing it, and from explicit targets', async () => {
    const model = tfl.sequential({
      layers: [tfl.layers.dense({ inputShape: [3], units: 2, name: 'classifier_1' })],
    });
    const source = {
      'head.w': tf.tensor2d([
        [1, 2, 3],
        [4, 5, 6],
      ]),
      'head.b': tf.tensor1d([7, 8]),
    };
    await loadWeights(model, source, {
      mapping: {
        tensors: {
          'head.w': { layer: 'classifier_1', weight: 'kernel' },
          'head.b': { layer: 'classifier_1', weight: 'bias' },
        },
      },
    });
    expect(Array.from(model.getLayer('classifier_1').getWeights()[0]!.dataSync())).toEqual([
      1, 4, 2, 5, 3, 6,
    ]);
    expect(source['head.w'].isDisposed).toBe(false);
    const exported = exportStateDict(model, {
      mapping: {
        tensors: {
          'head.w': { layer: 'classifier_1', weight: 'kernel' },
          'head.b': { layer: 'classifier_1', weight: 'bias' },
        },
      },
    });
    expect([...exported.keys()]).toEqual(['head.w', 'head.b']);
    tf.dispose(Object.values(source));
    model.dispose();
  });
});
