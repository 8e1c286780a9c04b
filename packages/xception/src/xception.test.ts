import * as tf from '@tensorflow/tfjs-core';
import { listModels, resolveModelId, summarize, ZooError } from '@tfzoo/core';
import { describeModelContract } from '@tfzoo/test-harness';
import { describe, expect, it } from 'vitest';
import { buildXception, LEGACY_XCEPTION_CONFIG, legacyXception, type XceptionConfig } from './index.js';

/** Xception with every width divided by 8 and two middle-flow blocks: the same code paths, small. */
const SLIM: XceptionConfig = {
  name: 'xception_slim',
  stemChannels: [8, 16],
  blocks: [
    { outChannels: 16, reps: 2, stride: 2, startWithRelu: false, growFirst: true },
    { outChannels: 32, reps: 2, stride: 2, startWithRelu: true, growFirst: true },
    { outChannels: 91, reps: 2, stride: 2, startWithRelu: true, growFirst: true },
    { outChannels: 91, reps: 3, stride: 1, startWithRelu: true, growFirst: true },
    { outChannels: 91, reps: 3, stride: 1, startWithRelu: true, growFirst: true },
    { outChannels: 128, reps: 2, stride: 2, startWithRelu: true, growFirst: false },
  ],
  exitChannels: [192, 256],
};

describeModelContract([
  {
    name: 'xception (slim config)',
    build: () => buildXception(SLIM, { inputShape: [48, 48, 3], numClasses: 6, dropRate: 0.1 }),
    outputShape: [6],
  },
]);

describe('legacy_xception', () => {
  it('MACs at 299×299 equal a hand count of the architecture, and timm’s published 8.4 GMACs', () => {
    const model = legacyXception({ skipInit: true });
    // A separable conv at s×s: s²·in·9 (depthwise) + s²·in·out (pointwise). Sizes from Chollet's
    // Fig. 5 as timm builds it (valid stem convs: 299 → 149 → 147; each stride-2 block halves, ceil).
    const sep = (s: number, cin: number, cout: number) => s * s * cin * 9 + s * s * cin * cout;
    const expected =
      149 * 149 * 32 * 27 +
      147 * 147 * 64 * 32 * 9 +
      (sep(147, 64, 128) + sep(147, 128, 128) + 74 * 74 * 64 * 128) +
      (sep(74, 128, 256) + sep(74, 256, 256) + 37 * 37 * 128 * 256) +
      (sep(37, 256, 728) + sep(37, 728, 728) + 19 * 19 * 256 * 728) +
      8 * 3 * sep(19, 728, 728) +
      (sep(19, 728, 728) + sep(19, 728, 1024) + 10 * 10 * 728 * 1024) +
      sep(10, 1024, 1536) +
      sep(10, 1536, 2048) +
      2048 * 1000;
    const summary = summarize(model);
    expect(summary.macs).toBe(expected);
    expect(Math.round(summary.macs / 1e8) / 10).toBe(8.4);
    const shapes = Object.fromEntries(summary.layers.map((row) => [row.name, row.outputShape]));
    expect(shapes.act2).toEqual([147, 147, 64]);
    expect(shapes.block3_add).toEqual([19, 19, 728]);
    expect(shapes.block12_add).toEqual([10, 10, 1024]);
    expect(shapes.act4).toEqual([10, 10, 2048]);
    model.dispose();
  });

  it('follows timm’s rep numbering (block1 starts without ReLU; block12 grows last)', () => {
    const model = legacyXception({ inputShape: [71, 71, 3], skipInit: true });
    const names = new Set(model.layers.map((layer) => layer.name));
    for (const name of [
      'block1_rep_0_conv1',
      'block1_rep_0_pointwise',
      'block1_rep_1',
      'block1_rep_3_pointwise',
      'block1_rep_5',
      'block2_rep_0',
      'block2_rep_1_conv1',
      'block2_rep_6',
      'block4_rep_7_pointwise',
      'block4_rep_8',
      'block12_skipbn',
      'conv3_pointwise',
      'bn4',
      'fc',
    ]) {
      expect([name, names.has(name)]).toEqual([name, true]);
    }
    expect(names.has('block4_skip')).toBe(false);
    const pointwise = model.getLayer('block12_rep_4_pointwise').getWeights()[0]!;
    expect(pointwise.shape).toEqual([1, 1, 728, 1024]);
    model.dispose();
  });

  it('gives features without the classifier, registers under timm’s name and its deprecated alias', () => {
    const raw = legacyXception({ inputShape: [71, 71, 3], includeTop: false, skipInit: true });
    expect(raw.outputs[0]!.shape).toEqual([null, 3, 3, 2048]);
    raw.dispose();
    const pooled = legacyXception({
      inputShape: [71, 71, 3],
      includeTop: false,
      pooling: 'avg',
      skipInit: true,
    });
    expect(pooled.outputs[0]!.shape).toEqual([null, 2048]);
    pooled.dispose();
    expect(listModels('*xception*')).toEqual(['legacy_xception']);
    const resolved = resolveModelId('xception.tf_in1k');
    expect(resolved.arch).toBe('legacy_xception');
    expect(resolved.deprecatedAlias).toBe('xception');
    expect(resolved.definition.defaultMapping).toBe('xception/timm');
    expect(LEGACY_XCEPTION_CONFIG.blocks).toHaveLength(12);
  });

  it('softmax outputs sum to one', () => {
    const model = buildXception(SLIM, {
      inputShape: [32, 32, 3],
      numClasses: 4,
      classifierActivation: 'softmax',
    });
    const sums = tf.tidy(() =>
      tf.sum(model.predict(tf.randomNormal([2, 32, 32, 3])) as tf.Tensor, 1).arraySync(),
    );
    for (const sum of sums as number[]) expect(sum).toBeCloseTo(1, 5);
    model.dispose();
  });
});

describe('argument errors name what was received', () => {
  it('rejects malformed configs and options', () => {
    expect(() => legacyXception({ inputShape: [5, 5, 3] })).toThrow(ZooError);
    expect(() => legacyXception({ inputShape: [5, 5, 3] })).toThrow(
      'inputShape must be height and width of at least 7 for legacy_xception; received [5,5,3]',
    );
    expect(() => legacyXception({ skipInit: 1 as never })).toThrow('skipInit must be a boolean; received 1');
    expect(() =>
      buildXception(
        { ...SLIM, blocks: [{ ...SLIM.blocks[0]!, stride: 3 as never }] },
        { inputShape: [32, 32, 3] },
      ),
    ).toThrow('config.blocks[0] must be');
    expect(() => buildXception({ ...SLIM, stemChannels: [8] as never })).toThrow(
      'config.stemChannels must be two positive integers; received [8]',
    );
  });
});
