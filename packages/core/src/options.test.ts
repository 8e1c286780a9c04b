import { describe, expect, it } from 'vitest';
import { ZooError } from './errors.js';
import { BUILD_OPTION_KEYS, checkOptionKeys, nearestName, resolveBuildOptions } from './options.js';

const defaults = { name: 'resnet50' };

describe('resolveBuildOptions', () => {
  it('fills in the documented defaults', () => {
    expect(resolveBuildOptions(undefined, defaults)).toEqual({
      numClasses: 1000,
      inputShape: [224, 224, 3],
      includeTop: true,
      pooling: null,
      dropRate: 0,
      classifierActivation: 'linear',
      name: 'resnet50',
      skipInit: false,
    });
    expect(
      resolveBuildOptions({}, { name: 'lenet5', numClasses: 10, inputShape: [32, 32, 1] }),
    ).toMatchObject({
      numClasses: 10,
      inputShape: [32, 32, 1],
    });
  });

  it('keeps what the user gave', () => {
    const resolved = resolveBuildOptions(
      {
        numClasses: 5,
        inputShape: [96, 128, 3],
        includeTop: false,
        pooling: 'avg',
        dropRate: 0.2,
        classifierActivation: 'softmax',
        name: 'x',
      },
      defaults,
    );
    expect(resolved).toEqual({
      numClasses: 5,
      inputShape: [96, 128, 3],
      includeTop: false,
      pooling: 'avg',
      dropRate: 0.2,
      classifierActivation: 'softmax',
      name: 'x',
      skipInit: false,
    });
  });

  it.each([
    [{ numClasses: -1 }, 'numClasses must be a positive integer; received -1'],
    [{ numClasses: 2.5 }, 'numClasses must be a positive integer; received 2.5'],
    [{ inputShape: [224, 224] }, 'inputShape must be [height, width, channels]; received [224,224]'],
    [
      { inputShape: [224, 0, 3] },
      'inputShape must be [height, width, channels] of positive integers; received [224,0,3]',
    ],
    [{ pooling: 'mean' }, `pooling must be 'avg', 'max' or null; received "mean"`],
    [{ dropRate: 1 }, 'dropRate must be a number in [0, 1); received 1'],
    [{ classifierActivation: 'relu' }, `classifierActivation must be 'softmax' or 'linear'; received "relu"`],
    [{ includeTop: 'yes' }, 'includeTop must be a boolean; received "yes"'],
  ])('rejects %j', (options, message) => {
    expect(() => resolveBuildOptions(options as never, defaults)).toThrow(ZooError);
    expect(() => resolveBuildOptions(options as never, defaults)).toThrow(message);
  });

  it("enforces the family's minimum size and channel count", () => {
    expect(() =>
      resolveBuildOptions({ inputShape: [16, 16, 3] }, { name: 'googlenet', minInputSize: 32 }),
    ).toThrow('inputShape must be height and width of at least 32 for googlenet; received [16,16,3]');
    expect(() =>
      resolveBuildOptions({ inputShape: [224, 224, 1] }, { name: 'googlenet', channels: 3 }),
    ).toThrow('received [224,224,1]');
  });
});

describe('checkOptionKeys', () => {
  it('refuses an unknown key, naming it, the nearest valid key and the owner', () => {
    expect(() => resolveBuildOptions({ numClases: 5 } as never, defaults)).toThrow(
      'unknown option "numClases" for resnet50; did you mean "numClasses"?',
    );
    expect(() => checkOptionKeys({ inputshape: [1, 1, 1] }, BUILD_OPTION_KEYS, 'x')).toThrow(
      'did you mean "inputShape"?',
    );
    expect(() =>
      resolveBuildOptions({ featuresOnyl: true } as never, { ...defaults, options: ['featuresOnly'] }),
    ).toThrow('did you mean "featuresOnly"?');
  });

  it('lists the valid keys when none is near, and accepts declared family keys', () => {
    let error: unknown;
    try {
      checkOptionKeys({ colour: 1 }, ['numClasses', 'name'], 'lenet5');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ZooError);
    expect((error as ZooError).message).toBe(
      'unknown option "colour" for lenet5; expected one of name, numClasses',
    );
    expect((error as ZooError).received).toBe('colour');
    expect(() =>
      resolveBuildOptions({ stem: 'small' } as never, { ...defaults, options: ['stem'] }),
    ).not.toThrow();
  });

  it('finds the nearest name by edit distance, with transpositions, or none', () => {
    expect(nearestName('numClases', BUILD_OPTION_KEYS)).toBe('numClasses');
    expect(nearestName('dorpRate', BUILD_OPTION_KEYS)).toBe('dropRate');
    expect(nearestName('xyz', BUILD_OPTION_KEYS)).toBeUndefined();
  });
});

describe('featuresOnly', () => {
  it('is refused by a builder that does not build feature maps, instead of being ignored', () => {
    expect(() => resolveBuildOptions({ featuresOnly: true }, defaults)).toThrow(
      'featuresOnly must be false for resnet50, whose builder returns no feature maps (start it with buildFeatures); received true',
    );
    expect(() =>
      resolveBuildOptions({ featuresOnly: true }, { ...defaults, handlesFeatures: true }),
    ).not.toThrow();
    expect(() => resolveBuildOptions({ featuresOnly: false }, defaults)).not.toThrow();
  });
});
