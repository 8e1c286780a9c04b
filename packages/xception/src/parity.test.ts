/**
 * Parity with timm's `legacy_xception` through the fixture made with real timm
 * (`test/fixtures/legacy_xception.json`: tensor names, shapes, batch-norm statistics, input and
 * logits for weights given by the fixture's deterministic fill rule): every reference tensor is
 * consumed exactly once, the parameter count is timm's (and the paper's), saving gives back timm's
 * state-dict names and shapes, and the logits at 299×299 match timm's. The file runs on the wasm
 * backend throughout: that forward pass (batch 2) is ~17 G multiply-adds, slow on the pure-JS cpu.
 */
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { exportStateDict, getPretrainedConfig, loadWeights, type RawTensorMap, summarize } from '@tfzoo/core';
import { readTimmFixture, type TimmFixture, timmLogitsError, timmStateDict } from '@tfzoo/test-harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LEGACY_XCEPTION_NUM_PARAMS, legacyXception, XCEPTION_TIMM_MAPPING_ID } from './index.js';

const FIXTURE = new URL('./test/fixtures/legacy_xception.json', import.meta.url);

let fixture: TimmFixture;
let state: RawTensorMap;

beforeAll(async () => {
  fixture = readTimmFixture(FIXTURE);
  state = timmStateDict(fixture);
  await tf.setBackend('wasm');
});

afterAll(async () => {
  await tf.setBackend('cpu');
});

describe("timm's legacy_xception", () => {
  it('consumes every reference tensor exactly once, with its shape, and has timm’s parameter count', async () => {
    const model = legacyXception({ inputShape: [71, 71, 3], skipInit: true });
    const floats = fixture.tensors.filter((t) => t.dtype === 'F32').map((t) => t.name);
    const report = await loadWeights(model, state, { mapping: XCEPTION_TIMM_MAPPING_ID });
    expect(report.unused).toEqual([]);
    expect(report.unfilled).toEqual([]);
    expect(report.loaded).toHaveLength(floats.length);
    expect(new Set(report.loaded).size).toBe(floats.length);
    expect(report.ignored.every((name) => name.endsWith('.num_batches_tracked'))).toBe(true);
    expect(report.ignored).toHaveLength(fixture.tensors.length - floats.length);
    // timm's count; also F. Chollet, "Xception: Deep Learning with Depthwise Separable
    // Convolutions" (CVPR 2017), Table 3: Xception 22,855,952 parameters.
    expect(fixture.numParams).toBe(22855952);
    expect(summarize(model).trainableParams).toBe(fixture.numParams);
    expect(LEGACY_XCEPTION_NUM_PARAMS).toBe(fixture.numParams);
    expect(getPretrainedConfig('legacy_xception').numParams).toBe(fixture.numParams);

    // Saving with reference names gives back timm's state dict: names, shapes, order-independent.
    const saved = exportStateDict(model, { names: 'reference', mapping: XCEPTION_TIMM_MAPPING_ID });
    const shapes = (entries: [string, number[]][]) =>
      Object.fromEntries(entries.sort(([a], [b]) => a.localeCompare(b)));
    expect(shapes([...saved].map(([name, raw]) => [name, raw.shape]))).toEqual(
      shapes(fixture.tensors.map((t) => [t.name, t.shape])),
    );
    model.dispose();
  });

  it("reproduces timm's logits at 299×299 (wasm)", async () => {
    const model = legacyXception({ skipInit: true });
    await loadWeights(model, state, { mapping: XCEPTION_TIMM_MAPPING_ID });
    const before = tf.memory().numTensors;
    const { error, scale } = timmLogitsError(model, fixture);
    expect(tf.memory().numTensors).toBe(before);
    expect(scale).toBeGreaterThan(1);
    expect(error).toBeLessThanOrEqual(1e-4 * scale);
    model.dispose();
  }, 60_000);

  it("pretrained metadata equals timm's pretrained cfg", () => {
    const config = getPretrainedConfig('legacy_xception.tf_in1k');
    const timm = fixture.pretrainedCfg;
    expect(config.preprocessing.mean).toEqual(timm.mean);
    expect(config.preprocessing.std).toEqual(timm.std);
    expect([
      config.preprocessing.inputSize[2],
      config.preprocessing.inputSize[0],
      config.preprocessing.inputSize[1],
    ]).toEqual(timm.input_size);
    expect(config.preprocessing.cropFraction).toBe(timm.crop_pct);
    // timm's eval transform resizes to floor(input / crop_pct).
    expect(config.preprocessing.resizeSize).toBe(Math.floor(299 / timm.crop_pct));
    expect(config.preprocessing.interpolation).toBe(timm.interpolation);
    expect(config.classifier).toBe(timm.classifier);
    expect(config.source.url.endsWith(`xception-${config.source.sha256Prefix}.pth`)).toBe(true);
    expect(config.source.sha256Prefix).toHaveLength(9);
  });
});
