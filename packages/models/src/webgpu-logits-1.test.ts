/**
 * Issue 24: every architecture's logits on WebGPU (Dawn on SwiftShader in CI) against the cpu
 * backend's, a third of them (the others in webgpu-logits-{2,3}.test.ts, so CI's two cores share
 * them).
 */

import { getModelDefinition, listModels } from '@tfzoo/core';
import { describe, expect, it } from 'vitest';
import {
  architectureOf,
  describeLogits,
  oneModelPerFamily,
  oneVariantPerArchitecture,
  share,
} from './test/webgpu-suite.js';

describe('the WebGPU suite covers the registry', () => {
  it('picks one variant of every architecture', () => {
    const ids = oneVariantPerArchitecture();
    expect(new Set(ids.map(architectureOf)).size).toBe(ids.length);
    expect(architectureOf('shufflenet_v1_g3_x1_5')).toBe('shufflenet_v1');
    expect(architectureOf('seresnext50_32x4d')).toBe('seresnext');
    expect(architectureOf('vgg16_bn')).toBe('vgg_bn');
    expect(architectureOf('wide_resnet50_2')).toBe('wide_resnet');
    expect(architectureOf('mobilenetv2_100')).toBe('mobilenetv2');
    expect(architectureOf('mobilenet_v2')).toBe('mobilenet_v2');
    expect(architectureOf('mobilenet_v3_small')).toBe('mobilenet_v3');
    expect(architectureOf('mobilenetv3_small_050')).toBe('mobilenetv3');
    expect(architectureOf('mobilenetv3_large_150d')).toBe('mobilenetv3');
    expect(architectureOf('tf_mobilenetv3_small_minimal_100')).toBe('tf_mobilenetv3');
    expect(ids).toEqual(
      expect.arrayContaining([
        'resnet18',
        'vgg11',
        'lenet5',
        'mobilenet_v2',
        'shufflenet_v1_g1_x0_5',
        'shufflenet_v2_x0_5',
      ]),
    );
    expect([...share(ids, 0, 3), ...share(ids, 1, 3), ...share(ids, 2, 3)].sort()).toEqual(ids);
  });

  it('trains one model of every family (webgpu-train-{1,2}.test.ts)', () => {
    const families = new Set(listModels().map((id) => getModelDefinition(id).family));
    const chosen = oneModelPerFamily();
    expect(new Set(chosen.map((id) => getModelDefinition(id).family))).toEqual(families);
    expect(families.size).toBeGreaterThanOrEqual(10);
    expect([...share(chosen, 0, 2), ...share(chosen, 1, 2)].sort()).toEqual(chosen);
  });
});

describeLogits('one variant per architecture (1 of 3)', share(oneVariantPerArchitecture(), 0, 3));
