/**
 * Registry-wide contract: every registered architecture, through `createModel` and through its own
 * builder, refuses an unknown option key with one message naming the key, the nearest valid key and
 * the model.
 */
import { getModelDefinition, ZooError } from '@tfzoo/core';
import { describe, expect, it } from 'vitest';
import { createModel, listModels } from './index.js';

const ids = listModels();

function expectRefused(error: unknown, id: string): void {
  expect(error).toBeInstanceOf(ZooError);
  expect((error as ZooError).code).toBe('INVALID_ARGUMENT');
  expect((error as ZooError).message).toBe(
    `unknown option "numClases" for ${id}; did you mean "numClasses"?`,
  );
}

describe('strict options over the whole registry', () => {
  it('registers all ten families', () => {
    const families = new Set(ids.map((id) => getModelDefinition(id).family));
    expect([...families].sort()).toEqual([
      'alexnet',
      'googlenet',
      'lenet',
      'mobilenet',
      'resnet',
      'senet',
      'shufflenet',
      'squeezenet',
      'vgg',
      'xception',
    ]);
  });

  for (const id of ids) {
    it(`${id}: createModel and the builder refuse "numClases"`, async () => {
      const error = await createModel(id, { numClases: 5 }).catch((e: unknown) => e);
      expectRefused(error, id);
      let thrown: unknown;
      try {
        getModelDefinition(id).build({ numClases: 5 });
      } catch (e) {
        thrown = e;
      }
      expectRefused(thrown, id);
    });
  }

  it('names the load options too, and lists the valid keys when nothing is near', async () => {
    const typo = await createModel('resnet18', { pretrianed: true }).catch((e: unknown) => e);
    expect((typo as Error).message).toBe(
      'unknown option "pretrianed" for resnet18; did you mean "pretrained"?',
    );
    const far = await createModel('resnet18', { colour: 'red' }).catch((e: unknown) => e);
    expect((far as Error).message).toMatch(
      /^unknown option "colour" for resnet18; expected one of .*featuresOnly/,
    );
  });
});
