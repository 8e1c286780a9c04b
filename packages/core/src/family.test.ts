import * as tfl from '@tensorflow/tfjs-layers';
import { afterEach, describe, expect, it } from 'vitest';
import { ZooError } from './errors.js';
import { defineFamily, familyMappingId } from './family.js';
import { timmPretrained, torchvisionPretrained } from './pretrained-hosts.js';
import { getModelDefinition, getPretrainedConfig, listModels, unregisterModel } from './registry.js';
import { getMapping, listMappings, mappingAliasTarget, unregisterMapping } from './weights/mapping.js';

interface ToyConfig {
  units: number;
}

function buildToy(config: ToyConfig, options?: { numClasses?: number }): tfl.LayersModel {
  const input = tfl.input({ shape: [4] });
  const hidden = tfl.layers.dense({ units: config.units, name: 'fc1' }).apply(input) as tfl.SymbolicTensor;
  const output = tfl.layers.dense({ units: options?.numClasses ?? 3, name: 'fc2' }).apply(hidden);
  return tfl.model({ inputs: input, outputs: output as tfl.SymbolicTensor });
}

const spec = {
  name: 'toyfam',
  variants: { toy_s: { units: 2 }, toy_l: { units: 8 } },
  build: buildToy,
  options: [] as string[],
  describe: (arch: string, config: ToyConfig) => ({ description: `${arch}: ${config.units} units` }),
  pretrained: [
    torchvisionPretrained({
      arch: 'toy_s',
      tag: 'tv_in1k',
      file: 'toy_s-0123abcd.pth',
      mapping: 'toyfam/torchvision',
      classifier: 'fc2',
      numParams: 21,
      accuracy: { top1: 50, source: 'made up' },
      sourceUrl: 'https://example.invalid/toy.py',
    }),
    timmPretrained({
      arch: 'toy_l',
      tag: 'a1_in1k',
      mapping: 'toyfam/timm',
      classifier: 'head.fc',
      numParams: 67,
    }),
  ],
  mappings: {
    torchvision: { description: 'mechanical' },
    timm: { description: 'timm', renames: [{ from: 'head.fc', to: 'fc2' }] },
  },
  mappingAliases: { 'timm-toyfam': 'timm' },
};

afterEach(() => {
  unregisterModel('toy_s', 'toy_l', 'toy_xs');
  for (const id of ['toyfam/torchvision', 'toyfam/timm', 'timm-toyfam']) unregisterMapping(id);
});

describe('defineFamily', () => {
  it('registers every variant and every mapping under family/source', () => {
    const family = defineFamily(spec);
    expect(listModels('toy_*')).toEqual(['toy_l', 'toy_s']);
    expect(family.mappingIds).toEqual({ torchvision: 'toyfam/torchvision', timm: 'toyfam/timm' });
    expect(getMapping('toyfam/timm').id).toBe('toyfam/timm');
    const definition = getModelDefinition('toy_s');
    expect(definition.family).toBe('toyfam');
    expect(definition.description).toBe('toy_s: 2 units');
    expect(definition.defaultMapping).toBe('toyfam/torchvision');
    expect(definition.mappings).toEqual(['toyfam/torchvision', 'toyfam/timm']);
    expect(definition.pretrained?.map((c) => c.id)).toEqual(['toy_s.tv_in1k']);
    expect(getPretrainedConfig('toy_l').id).toBe('toy_l.a1_in1k');
    const model = definition.build({ numClasses: 5 });
    expect(model.outputs[0]?.shape).toEqual([null, 5]);
    expect(family.create('toy_l').getLayer('fc1').getWeights()[0]?.shape).toEqual([4, 8]);
  });

  it('keeps a deprecated mapping id loadable without listing it', () => {
    defineFamily(spec);
    expect(getMapping('timm-toyfam').id).toBe('toyfam/timm');
    expect(mappingAliasTarget('timm-toyfam')).toBe('toyfam/timm');
    expect(listMappings()).toContain('toyfam/timm');
    expect(listMappings()).not.toContain('timm-toyfam');
  });

  it('refuses a pretrained entry naming a mapping the family does not register', () => {
    const bad = { ...spec, pretrained: [{ ...spec.pretrained[0]!, mapping: 'timm-vgg' }] };
    expect(() => defineFamily(bad)).toThrow(/mapping of toy_s\.tv_in1k.*"timm-vgg"/s);
    expect(listModels('toy_*')).toEqual([]);
  });

  it('refuses an entry for an architecture that is not a variant, and a variant id taken twice', () => {
    const stray = { ...spec, pretrained: [{ ...spec.pretrained[0]!, arch: 'toy_xl' }] };
    expect(() => defineFamily(stray)).toThrow(ZooError);
    defineFamily(spec);
    expect(() =>
      defineFamily({ ...spec, name: 'toyfam', mappings: {}, mappingAliases: {}, pretrained: [] }),
    ).toThrow(/already registered/);
  });

  it('refuses an unknown variant in create', () => {
    const family = defineFamily(spec);
    expect(() => family.create('toy_xs')).toThrow(/unknown toyfam variant "toy_xs"/);
  });
});

describe('familyMappingId', () => {
  it('joins family and source, and refuses malformed parts', () => {
    expect(familyMappingId('vgg', 'timm')).toBe('vgg/timm');
    expect(() => familyMappingId('VGG', 'timm')).toThrow(ZooError);
    expect(() => familyMappingId('vgg', 'timm/x')).toThrow(ZooError);
  });
});

describe('hosted pretrained factories', () => {
  it('derive URL, format, hash prefix, license and defaults from the host', () => {
    const [tv, timm] = spec.pretrained;
    expect(tv?.source).toEqual({
      url: 'https://download.pytorch.org/models/toy_s-0123abcd.pth',
      format: 'pth',
      sha256Prefix: '0123abcd',
    });
    expect(tv?.license).toBe('BSD-3-Clause');
    expect(tv?.accuracy).toEqual({ top1: 50, dataset: 'imagenet-1k-val', source: 'made up' });
    expect(tv?.labels?.length).toBe(1000);
    expect(timm?.source).toEqual({
      url: 'https://huggingface.co/timm/toy_l.a1_in1k/resolve/main/model.safetensors',
      format: 'safetensors',
      revision: 'main',
    });
    expect(timm?.sourceUrl).toBe('https://huggingface.co/timm/toy_l.a1_in1k');
    expect(timm?.license).toBe('Apache-2.0');
    const release = timmPretrained({
      arch: 'toy_l',
      tag: 'in1k',
      release: 'v0.1-weights/toy-4bb0ce65.pth',
      mapping: 'toyfam/timm',
      classifier: 'fc',
      numParams: 1,
    });
    expect(release.source).toEqual({
      url: 'https://github.com/rwightman/pytorch-image-models/releases/download/v0.1-weights/toy-4bb0ce65.pth',
      format: 'pth',
      sha256Prefix: '4bb0ce65',
    });
  });
});
