/**
 * Checkpoint layout detection: `createModel(id, { weights })` without a `mapping` picks the mapping
 * from the file's tensor names — torchvision's files (saved by PyTorch), timm's (the shared timm
 * fixtures, written as safetensors) and tfzoo's own — and reproduces the reference's logits; an
 * explicit `mapping` wins; no fit, or two fits that load differently, is an error that lists what
 * was tried.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {
  defineModel,
  type RawTensorMap,
  registerMapping,
  registerModel,
  saveWeights,
  unregisterMapping,
  unregisterModel,
  writeSafetensors,
  ZooError,
} from '@tfzoo/core';
import {
  maxError,
  type ReferenceResult,
  readTimmFixture,
  runReference,
  timmLogitsError,
  timmStateDict,
} from '@tfzoo/test-harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createModel } from './index.js';

let dir: string;
let references: Map<string, ReferenceResult>;

// torchvision layouts: random weights from PyTorch, small inputs and 10 classes to keep it quick.
const TORCHVISION = [
  { id: 'alexnet', kwargs: { num_classes: 10 }, size: 64 },
  { id: 'vgg11', kwargs: { num_classes: 10 }, size: 32 },
  { id: 'googlenet', kwargs: { num_classes: 10, aux_logits: false, init_weights: true }, size: 64 },
  { id: 'resnet18', kwargs: { num_classes: 10 }, size: 64 },
  { id: 'squeezenet1_1', kwargs: { num_classes: 10 }, size: 64 },
  { id: 'mobilenet_v3_small', kwargs: { num_classes: 10 }, size: 64 },
  { id: 'shufflenet_v2_x0_5', kwargs: { num_classes: 10 }, size: 64 },
] as const;

// timm layouts: the fixtures made with real timm, copied into the family packages.
const TIMM = [
  { id: 'vgg16', fixture: '../../vgg/src/test/fixtures/timm-vgg16.json' },
  { id: 'mobilenetv3_large_100', fixture: '../../mobilenet/src/test/fixtures/mobilenetv3_large_100.json' },
  { id: 'seresnet18', fixture: '../../senet/src/test/fixtures/seresnet18.json.gz' },
  { id: 'legacy_seresnet18', fixture: '../../senet/src/test/fixtures/legacy_seresnet18.json.gz' },
  { id: 'legacy_xception', fixture: '../../xception/src/test/fixtures/legacy_xception.json' },
] as const;

beforeAll(async () => {
  await tf.setBackend('wasm');
  dir = await mkdtemp(join(tmpdir(), 'tfzoo-detect-'));
  references = runReference(
    TORCHVISION.map((c, i) => ({
      id: c.id,
      arch: c.id,
      kwargs: c.kwargs,
      seed: i + 1,
      input: [1, c.size, c.size, 3] as [number, number, number, number],
    })),
    dir,
  );
}, 600_000);

afterAll(async () => {
  for (const result of references?.values() ?? []) tf.dispose([result.input, result.logits]);
  await tf.setBackend('cpu');
  await rm(dir, { recursive: true, force: true });
});

function expectClose(logits: tf.Tensor, expected: tf.Tensor): void {
  const { error, scale } = maxError(logits, expected);
  expect(scale).toBeGreaterThan(0);
  expect(error).toBeLessThanOrEqual(1e-4 * scale);
}

describe("torchvision's files load without naming a mapping", () => {
  for (const c of TORCHVISION) {
    it(`${c.id}: torch.save'd state dict → reference logits (≤ 1e-4 of their scale)`, async () => {
      const reference = references.get(c.id)!;
      const model = await createModel(c.id, {
        weights: reference.checkpoint,
        numClasses: 10,
        inputShape: [c.size, c.size, 3],
      });
      const logits = model.predict(reference.input) as tf.Tensor;
      expectClose(logits, reference.logits);
      tf.dispose(logits);
      model.dispose();
    });
  }
});

describe("timm's files load without naming a mapping", () => {
  for (const c of TIMM) {
    it(`${c.id}: timm state dict as safetensors → timm's logits (≤ 1e-4 of their scale)`, async () => {
      const fixture = readTimmFixture(new URL(c.fixture, import.meta.url));
      const path = join(dir, `${c.id}.safetensors`);
      await writeFile(path, writeSafetensors(timmStateDict(fixture)));
      const model = await createModel(c.id, { weights: path });
      await rm(path);
      const { error, scale } = timmLogitsError(model, fixture, 1); // the first of its two images
      expect(scale).toBeGreaterThan(0);
      expect(error).toBeLessThanOrEqual(1e-4 * scale);
      model.dispose();
    });
  }
});

describe('tfzoo files, explicit mappings and errors', () => {
  it("loads tfzoo's own names (names: 'tfjs') and reference names saved by saveWeights", async () => {
    const original = await createModel('lenet5', { seed: 3 });
    const x = tf.randomNormal([2, 32, 32, 1], 0, 1, 'float32', 7);
    const expected = original.predict(x) as tf.Tensor;
    for (const names of ['tfjs', 'reference'] as const) {
      const path = join(dir, `lenet5-${names}.safetensors`);
      await saveWeights(original, path, { names });
      const model = await createModel('lenet5', { weights: path });
      const y = model.predict(x) as tf.Tensor;
      expect(maxError(y, expected).error).toBe(0);
      tf.dispose(y);
      model.dispose();
    }
    tf.dispose([x, expected]);
    original.dispose();
  });

  it('an explicit mapping wins over detection', async () => {
    const checkpoint = references.get('resnet18')!.checkpoint;
    const error = await createModel('resnet18', {
      weights: checkpoint,
      numClasses: 10,
      inputShape: [64, 64, 3],
      mapping: 'tfjs',
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ZooError);
    expect((error as ZooError).message).toContain('(mapping "tfjs")');
  });

  it('no fitting mapping: the error lists every mapping tried and what did not fit', async () => {
    const checkpoint = references.get('resnet18')!.checkpoint;
    const error = await createModel('resnet34', {
      weights: checkpoint,
      numClasses: 10,
      inputShape: [64, 64, 3],
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ZooError);
    expect((error as ZooError).code).toBe('WEIGHTS_MISMATCH');
    const message = (error as ZooError).message;
    expect(message).toMatch(
      /^no weight mapping fits resnet18\.pth into resnet34; tried resnet\/torchvision, default, tfjs:/,
    );
    expect(message).toMatch(/- resnet\/torchvision: \d+ problem\(s\), e\.g\. /);
    expect(message).toContain('unfilled model weight: layer1_2_conv1/kernel');
    expect(message).toMatch(/- tfjs: \d+ problem\(s\)/);
  });

  it('two mappings that load the file differently: an error naming both; equal plans count once', async () => {
    // A two-layer model whose dense layers have the same shape: a mapping that swaps them fits too.
    const build = () => {
      const input = tfl.input({ shape: [4] });
      const a = tfl.layers.dense({ units: 4, name: 'fc1' }).apply(input) as tfl.SymbolicTensor;
      const b = tfl.layers.dense({ units: 4, name: 'fc2' }).apply(a) as tfl.SymbolicTensor;
      return tfl.model({ inputs: input, outputs: b, name: 'twinnet' });
    };
    registerMapping('twinnet/same', { renames: [{ from: 'fc1', to: 'fc1' }] });
    registerMapping('twinnet/swapped', {
      renames: [
        { from: 'fc1', to: 'fc2' },
        { from: 'fc2', to: 'fc1' },
      ],
    });
    const tensors: RawTensorMap = new Map();
    for (const name of ['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias']) {
      const shape = name.endsWith('weight') ? [4, 4] : [4];
      tensors.set(name, { dtype: 'F32', shape, data: new Float32Array(shape[0]! * (shape[1] ?? 1)) });
    }
    const path = join(dir, 'twinnet.safetensors');
    await writeFile(path, writeSafetensors(tensors));
    try {
      registerModel(
        defineModel({ name: 'twinnet', family: 'test', build, options: [], mappings: ['twinnet/same'] }),
      );
      // `twinnet/same` loads exactly as `default` does: one answer, no ambiguity.
      (await createModel('twinnet', { weights: path })).dispose();
      unregisterModel('twinnet');
      registerModel(
        defineModel({ name: 'twinnet', family: 'test', build, options: [], mappings: ['twinnet/swapped'] }),
      );
      const error = await createModel('twinnet', { weights: path }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ZooError);
      expect((error as ZooError).message).toMatch(
        /^twinnet\.safetensors fits twinnet under 2 mappings that load it differently \(twinnet\/swapped, default\); pass \{ mapping \} to choose one\nthese did not fit:\n {2}- tfjs: /,
      );
      (await createModel('twinnet', { weights: path, mapping: 'twinnet/swapped' })).dispose();
    } finally {
      unregisterModel('twinnet');
      unregisterMapping('twinnet/same');
      unregisterMapping('twinnet/swapped');
    }
  });
});
