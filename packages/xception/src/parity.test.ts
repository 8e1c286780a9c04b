/**
 * Parity with timm's `legacy_xception` through the fixture made with real timm
 * (`test/fixtures/legacy_xception.json`: tensor names, shapes, batch-norm statistics, input and
 * logits for weights given by the fixture's deterministic fill rule): every reference tensor is
 * consumed exactly once, the parameter count is timm's (and the paper's), saving gives back timm's
 * state-dict names and shapes, and the logits at 299×299 match timm's. The file runs on the wasm
 * backend throughout: that forward pass (batch 2) is ~17 G multiply-adds, slow on the pure-JS cpu.
 */
import '@tensorflow/tfjs-backend-wasm';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { exportStateDict, getPretrainedConfig, loadWeights, type RawTensorMap, summarize } from '@tfzoo/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LEGACY_XCEPTION_NUM_PARAMS, legacyXception, XCEPTION_TIMM_MAPPING_ID } from './index.js';
import { type Fixture, fill, fixtureStateDict, fnv1a, readFixture } from './test/fill.js';

const FIXTURE = fileURLToPath(new URL('./test/fixtures/legacy_xception.json', import.meta.url));

let fixture: Fixture;
let state: RawTensorMap;

beforeAll(async () => {
  fixture = readFixture(FIXTURE);
  state = fixtureStateDict(fixture);
  await tf.setBackend('wasm');
});

afterAll(async () => {
  await tf.setBackend('cpu');
});

describe('the fixture fill rule', () => {
  it('reproduces the check values of fixtures/README.md', () => {
    expect(fnv1a('conv1.weight')).toBe(3184444564);
    expect(Array.from(fill('conv1.weight', [64, 3, 7, 7]).slice(0, 3))).toEqual([
      0.09755498915910721, -0.05678258836269379, 0.1929408609867096,
    ]);
    expect(Array.from(fill('bn1.weight', [64]).slice(0, 2))).toEqual([1.103859305381775, 0.9510729312896729]);
    expect(fill('fc.bias', [1000])[0]).toBe(-0.05738754943013191);
    expect(Array.from(fill('input', [2, 224, 224, 3]).slice(0, 3))).toEqual([
      1.9038351774215698, 0.37597110867500305, -1.151892900466919,
    ]);
  });
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
    const input = tf.tensor4d(fill('input', fixture.inputShape), fixture.inputShape);
    const output = model.predict(input) as tf.Tensor;
    const actual = await output.data();
    tf.dispose([input, output]);
    expect(tf.memory().numTensors).toBe(before);
    const expected = fixture.logits.flat();
    expect(actual.length).toBe(expected.length);
    let maxError = 0;
    let scale = 0;
    expected.forEach((value, i) => {
      maxError = Math.max(maxError, Math.abs(value - (actual[i] as number)));
      scale = Math.max(scale, Math.abs(value));
    });
    expect(scale).toBeGreaterThan(1);
    expect(maxError).toBeLessThanOrEqual(1e-4 * scale);
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
