/**
 * timm's layout against fixtures made with real timm (`test/fixtures/*.json`, copied from the
 * project's shared fixtures; see their README): every reference tensor name and shape is consumed
 * exactly once by the `mobilenet/timm` mapping, parameter counts equal timm's, and the logits of the
 * fixture's deterministic weights reproduce timm's eval-mode logits.
 *
 * Every other timm MobileNetV3 id (`mobilenetv3_large_075`, `_150d`, `mobilenetv3_small_*`,
 * `mobilenetv3_rw`, `tf_mobilenetv3_*`) has a gzipped fixture made the same way
 * (`make_timm_fixture.py` of the shared fixtures, timm @ aa4b5850, Debian's torch 1.13): its file
 * loads strictly into the registered id by the layout detected from its tensor names — no mapping
 * named — and reproduces timm's logits.
 */
import '@tensorflow/tfjs-backend-wasm';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import {
  detectMapping,
  exportStateDict,
  getModelDefinition,
  getPretrainedConfig,
  listPretrained,
  loadWeights,
  readRawWeights,
  summarize,
  writeSafetensors,
} from '@tfzoo/core';
import { readTimmFixture, type TimmFixture, timmLogitsError, timmStateDict } from '@tfzoo/test-harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MOBILENET_TIMM_MAPPING_ID,
  MOBILENET_VARIANTS,
  mobilenetV1,
  mobilenetV2,
  mobilenetV3Large,
} from './index.js';

/** The fixture of timm model `name` in `test/fixtures/`: `<name>.json`, or gzipped `<name>.json.gz`. */
function readFixture(name: string): TimmFixture {
  const plain = new URL(`./test/fixtures/${name}.json`, import.meta.url);
  return readTimmFixture(existsSync(plain) ? plain : new URL(`${plain.href}.gz`));
}

const CASES: readonly { model: string; build: (inputShape: [number, number, number]) => tfl.LayersModel }[] =
  [
    { model: 'mobilenetv1_100', build: (inputShape) => mobilenetV1({ inputShape }) },
    { model: 'mobilenetv2_100', build: (inputShape) => mobilenetV2({ inputShape, reference: 'timm' }) },
    {
      model: 'mobilenetv3_large_100',
      build: (inputShape) => mobilenetV3Large({ inputShape, reference: 'timm' }),
    },
  ];

let dir: string;

beforeAll(async () => {
  await tf.setBackend('wasm');
  dir = mkdtempSync(join(tmpdir(), 'tfzoo-mobilenet-timm-'));
});

afterAll(async () => {
  await tf.setBackend('cpu');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** timm's MobileNetV3 ids other than `mobilenetv3_large_100` (whose fixture the cases above use). */
const TIMM_V3_IDS = Object.values(MOBILENET_VARIANTS)
  .filter((variant) => variant.timmV3 && variant.name !== 'mobilenetv3_large_100')
  .map((variant) => variant.name);

/** The pretrained-config checks: timm's preprocessing, classifier and Hub URL. */
function expectTimmPretrainedConfig(name: string): void {
  const { pretrainedCfg } = readFixture(name);
  const config = getPretrainedConfig(name);
  expect(config.mapping).toBe(MOBILENET_TIMM_MAPPING_ID);
  expect(config.classifier).toBe(pretrainedCfg.classifier);
  expect(config.preprocessing.mean).toEqual(pretrainedCfg.mean);
  expect(config.preprocessing.std).toEqual(pretrainedCfg.std);
  expect(config.preprocessing.interpolation).toBe(pretrainedCfg.interpolation);
  expect([
    config.preprocessing.inputSize[2],
    config.preprocessing.inputSize[0],
    config.preprocessing.inputSize[1],
  ]).toEqual(pretrainedCfg.input_size);
  expect(config.preprocessing.resizeSize).toBe(
    Math.floor(pretrainedCfg.input_size[1] / pretrainedCfg.crop_pct),
  );
  expect(config.source.url).toBe(`https://huggingface.co/timm/${config.id}/resolve/main/model.safetensors`);
}

describe('parity with timm', () => {
  for (const { model: name, build } of CASES) {
    it(`${name}: every tensor consumed once, timm's parameter count and logits`, async () => {
      const fixture = readFixture(name);
      const [batch, height, width, channels] = fixture.inputShape;
      const model = build([height, width, channels]);
      expect(summarize(model).trainableParams).toBe(fixture.numParams);
      expect(getPretrainedConfig(name).numParams).toBe(fixture.numParams);

      // Through a real safetensors file, as the Hub serves it.
      const path = join(dir, `${name}.safetensors`);
      writeFileSync(path, writeSafetensors(timmStateDict(fixture)));
      const before = tf.memory().numTensors;
      const report = await loadWeights(model, path, { mapping: MOBILENET_TIMM_MAPPING_ID });
      expect(report.unused).toEqual([]);
      expect(report.unfilled).toEqual([]);
      expect(report.ignored).toEqual(
        fixture.tensors.filter((t) => t.name.endsWith('num_batches_tracked')).map((t) => t.name),
      );
      expect(report.loaded.length + report.ignored.length).toBe(fixture.tensors.length);
      expect(new Set(report.loaded).size).toBe(report.loaded.length);
      expect(report.loaded.length).toBe(model.weights.length);
      expect(tf.memory().numTensors).toBe(before);

      const { error, scale } = timmLogitsError(model, fixture);
      expect(scale).toBeGreaterThan(0);
      expect(error).toBeLessThanOrEqual(1e-4 * scale);
      expect(batch).toBe(2);

      // Saving writes timm's names and shapes back.
      const exported = exportStateDict(model, { mapping: MOBILENET_TIMM_MAPPING_ID, template: [] });
      expect([...exported.keys()].sort()).toEqual(fixture.tensors.map((t) => t.name).sort());
      for (const tensor of fixture.tensors) expect(exported.get(tensor.name)?.shape).toEqual(tensor.shape);
      expect(tf.memory().numTensors).toBe(before);
      model.dispose();
    });
  }

  it("timm's pretrained configs carry the fixtures' preprocessing and classifier", () => {
    for (const { model: name } of CASES) expectTimmPretrainedConfig(name);
  });
});

describe('every timm MobileNetV3 id, loaded by its detected layout', () => {
  it('covers small and large at every width timm publishes, minimal, rw and the TF ports', () => {
    expect(TIMM_V3_IDS).toEqual([
      'mobilenetv3_large_075',
      'mobilenetv3_large_150d',
      'mobilenetv3_small_050',
      'mobilenetv3_small_075',
      'mobilenetv3_small_100',
      'mobilenetv3_rw',
      'tf_mobilenetv3_large_075',
      'tf_mobilenetv3_large_100',
      'tf_mobilenetv3_large_minimal_100',
      'tf_mobilenetv3_small_075',
      'tf_mobilenetv3_small_100',
      'tf_mobilenetv3_small_minimal_100',
    ]);
  });

  for (const name of TIMM_V3_IDS) {
    it(`${name}: timm's parameter count, a strict load without a named mapping, timm's logits`, async () => {
      const fixture = readFixture(name);
      expect(fixture.model).toBe(name);
      const [, height, width, channels] = fixture.inputShape;
      const definition = getModelDefinition(name);
      const model = definition.build({ inputShape: [height, width, channels] });
      expect(model.name).toBe(name);
      expect(summarize(model).trainableParams).toBe(fixture.numParams);

      const path = join(dir, `${name}.safetensors`);
      writeFileSync(path, writeSafetensors(timmStateDict(fixture)));
      const before = tf.memory().numTensors;
      // What createModel(id, { weights }) does without a mapping: the file's names pick the layout.
      const tensors = await readRawWeights(path);
      const { mapping } = await detectMapping(model, tensors, {
        candidates: [
          ...(definition.defaultMapping === undefined ? [] : [definition.defaultMapping]),
          ...(definition.mappings ?? []),
          'default',
          'tfjs',
        ],
      });
      expect(mapping).toBe(MOBILENET_TIMM_MAPPING_ID);
      const report = await loadWeights(model, tensors, { mapping, strict: true });
      expect(report.unused).toEqual([]);
      expect(report.unfilled).toEqual([]);
      expect(report.loaded.length).toBe(model.weights.length);
      expect(tf.memory().numTensors).toBe(before);

      const { error, scale } = timmLogitsError(model, fixture);
      expect(scale).toBeGreaterThan(0);
      expect(error).toBeLessThanOrEqual(1e-4 * scale);
      expect(tf.memory().numTensors).toBe(before);
      model.dispose();
    });
  }

  it("timm's pretrained configs carry each fixture's preprocessing; the untrained id has none", () => {
    for (const name of TIMM_V3_IDS) {
      if (name === 'mobilenetv3_large_075') {
        expect(listPretrained(name)).toEqual([]);
        continue;
      }
      expectTimmPretrainedConfig(name);
    }
  });
});
