/**
 * Issue 24: every architecture's logits on WebGPU (Dawn on SwiftShader in CI) against the cpu
 * backend's, half of them (the other half in webgpu-logits-2.test.ts, so CI's two cores share them).
 */
import { describe, expect, it } from 'vitest';
import { architectureOf, describeLogits, oneVariantPerArchitecture, share } from './webgpu-suite.js';

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
    expect([...share(ids, 0, 2), ...share(ids, 1, 2)].sort()).toEqual(ids);
  });
});

describeLogits('one variant per architecture (1 of 2)', share(oneVariantPerArchitecture(), 0, 2));
