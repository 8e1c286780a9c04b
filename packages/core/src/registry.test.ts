import * as tfl from '@tensorflow/tfjs-layers';
import { afterEach, describe, expect, it } from 'vitest';
import { ZooError } from './errors.js';
import {
  defineModel,
  getModelDefinition,
  getPretrainedConfig,
  listModels,
  listPretrained,
  type ModelDefinition,
  type PretrainedConfig,
  registerAlias,
  registerModel,
  resolveModelId,
  unregisterModel,
} from './registry.js';

const build = () => tfl.sequential({ layers: [tfl.layers.dense({ units: 2, inputShape: [2] })] });

function pretrained(arch: string, tag: string): PretrainedConfig {
  return {
    id: `${arch}.${tag}`,
    arch,
    tag,
    source: {
      url: `https://example.invalid/${arch}-${tag}.safetensors`,
      format: 'safetensors',
      sha256: '0'.repeat(64),
    },
    mapping: 'torchvision',
    numClasses: 1000,
    classifier: 'fc',
    numParams: 6,
    preprocessing: {
      inputSize: [224, 224, 3],
      resizeSize: 256,
      cropFraction: 0.875,
      interpolation: 'bilinear',
      mean: [0.485, 0.456, 0.406],
      std: [0.229, 0.224, 0.225],
      channelOrder: 'RGB',
      inputRange: [0, 1],
    },
    license: 'BSD-3-Clause',
    sourceUrl: 'https://example.invalid',
  };
}

const registered: string[] = [];
function add(...definitions: ModelDefinition[]) {
  registerModel(...definitions);
  registered.push(...definitions.map((d) => d.name));
}

afterEach(() => {
  unregisterModel(...registered.splice(0), 'testnet_old', 'testnet_v0');
});

describe('registry', () => {
  it('registers, lists and resolves arch and arch.tag ids', () => {
    add(
      defineModel({
        name: 'testnet18',
        family: 'test',
        build,
        pretrained: [pretrained('testnet18', 'tv_in1k'), pretrained('testnet18', 'a1_in1k')],
      }),
      defineModel({
        name: 'testnet50',
        family: 'test',
        build,
        pretrained: [pretrained('testnet50', 'tv_in1k')],
        defaultTag: 'tv_in1k',
      }),
      defineModel({ name: 'othernet', family: 'test', build }),
    );
    expect(listModels('testnet*')).toEqual(['testnet18', 'testnet50']);
    expect(listModels(['othernet', 'testnet5?'])).toEqual(['othernet', 'testnet50']);
    expect(listPretrained('testnet*')).toEqual([
      'testnet18.a1_in1k',
      'testnet18.tv_in1k',
      'testnet50.tv_in1k',
    ]);
    expect(listPretrained('*.tv_in1k')).toEqual(['testnet18.tv_in1k', 'testnet50.tv_in1k']);
    const resolved = resolveModelId('testnet18.a1_in1k');
    expect(resolved.arch).toBe('testnet18');
    expect(resolved.tag).toBe('a1_in1k');
    expect(resolved.pretrained?.id).toBe('testnet18.a1_in1k');
    expect(resolveModelId('testnet18').pretrained).toBeUndefined();
    expect(getPretrainedConfig('testnet18').tag).toBe('tv_in1k');
    expect(getPretrainedConfig('testnet50.tv_in1k').id).toBe('testnet50.tv_in1k');
    expect(getModelDefinition('othernet').family).toBe('test');
  });

  it('throws on a duplicate registration, like torchvision', () => {
    add(defineModel({ name: 'testnet18', family: 'test', build }));
    expect(() => registerModel(defineModel({ name: 'testnet18', family: 'test', build }))).toThrow(
      'model "testnet18" is already registered',
    );
  });

  it('resolves deprecated aliases and says so', () => {
    add(
      defineModel({
        name: 'testnet18',
        family: 'test',
        build,
        pretrained: [pretrained('testnet18', 'tv_in1k')],
      }),
    );
    registerAlias('testnet_old', 'testnet18');
    registerAlias('testnet_v0', 'testnet18.tv_in1k');
    expect(resolveModelId('testnet_old')).toMatchObject({
      arch: 'testnet18',
      deprecatedAlias: 'testnet_old',
    });
    expect(resolveModelId('testnet_v0')).toMatchObject({
      arch: 'testnet18',
      tag: 'tv_in1k',
      deprecatedAlias: 'testnet_v0',
    });
    expect(resolveModelId('testnet_old.tv_in1k')).toMatchObject({
      tag: 'tv_in1k',
      deprecatedAlias: 'testnet_old',
    });
  });

  it('names the received id in every error', () => {
    add(
      defineModel({
        name: 'testnet18',
        family: 'test',
        build,
        pretrained: [pretrained('testnet18', 'tv_in1k')],
      }),
    );
    const attempt = (id: unknown) => {
      try {
        resolveModelId(id as string);
      } catch (error) {
        return error as ZooError;
      }
      throw new Error('expected a throw');
    };
    expect(attempt('nosuchnet')).toMatchObject({ code: 'UNKNOWN_MODEL', received: 'nosuchnet' });
    expect(attempt('nosuchnet').message).toContain('unknown model id "nosuchnet"');
    expect(attempt('testnet18.nosuchtag').message).toBe(
      'unknown pretrained tag "nosuchtag" for testnet18; available: tv_in1k',
    );
    for (const malformed of ['ResNet50', 'testnet18.tv.in1k', 'testnet18.', '.tv_in1k', '']) {
      const error = attempt(malformed);
      expect(error).toBeInstanceOf(ZooError);
      expect(error.code).toBe('INVALID_ARGUMENT');
      expect(error.message).toContain(`received ${JSON.stringify(malformed)}`);
    }
    expect(attempt(42).message).toContain('received 42');
    expect(() => getPretrainedConfig('nosuchnet')).toThrow(ZooError);
  });

  it('refuses malformed definitions', () => {
    expect(() => defineModel({ name: 'Bad-Name', family: 'test', build })).toThrow('received "Bad-Name"');
    expect(() =>
      defineModel({
        name: 'testnet18',
        family: 'test',
        build,
        pretrained: [pretrained('othernet', 'tv_in1k')],
      }),
    ).toThrow('received "othernet"');
    expect(() =>
      defineModel({
        name: 'testnet18',
        family: 'test',
        build,
        pretrained: [pretrained('testnet18', 'x'), pretrained('testnet18', 'x')],
      }),
    ).toThrow('declared twice');
    expect(() => defineModel({ name: 'testnet18', family: 'test', build, defaultTag: 'x' })).toThrow(
      'received "x"',
    );
    add(defineModel({ name: 'othernet', family: 'test', build }));
    expect(() => getPretrainedConfig('othernet')).toThrow('othernet has no pretrained weights');
  });
});
