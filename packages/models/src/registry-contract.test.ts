/**
 * Registry-wide contract: every registered architecture, through `createModel` and through its own
 * builder, refuses an unknown option key with one message naming the key, the nearest valid key and
 * the model; and with `featuresOnly` returns at least three feature maps of strictly decreasing size
 * whose channels are the ones `featureInfo` declares.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { featureInfo, getModelDefinition, ZooError } from '@tfzoo/core';
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

function mapShapes(model: tfl.LayersModel): number[][] {
  return model.outputs.map((output) => output.shape as number[]);
}

describe('featuresOnly over the whole registry', () => {
  for (const id of ids) {
    it(`${id}: ≥ 3 maps of strictly decreasing size with the declared channels`, async () => {
      const model = await createModel(id, { featuresOnly: true, skipInit: true });
      try {
        const shapes = mapShapes(model);
        const info = featureInfo(model);
        expect(info).toBeDefined();
        expect(shapes.length).toBeGreaterThanOrEqual(3);
        expect(info!.map((level) => level.channels)).toEqual(shapes.map((shape) => shape[3]));
        const inputHeight = model.inputs[0]!.shape[1] as number;
        shapes.forEach((shape, i) => {
          expect(shape).toHaveLength(4);
          expect(info![i]!.reduction).toBeCloseTo(inputHeight / shape[1]!, 10);
          if (i > 0) {
            expect(shape[1]).toBeLessThan(shapes[i - 1]![1]!);
            expect(shape[2]).toBeLessThan(shapes[i - 1]![2]!);
          }
        });
      } finally {
        model.dispose();
      }
    });
  }

  it("matches timm's feature_info where timm publishes it, and outIndices selects levels", async () => {
    // timm: resnet50 feature_info channels [64, 256, 512, 1024, 2048] at reductions [2, 4, 8, 16, 32];
    // mobilenetv3_large_100 [16, 24, 40, 112, 960] at the same reductions.
    const resnet = await createModel('resnet50', {
      featuresOnly: true,
      outIndices: [0, 1, 2, 3, 4],
      skipInit: true,
    });
    expect(featureInfo(resnet)!.map((l) => [l.channels, l.reduction])).toEqual([
      [64, 2],
      [256, 4],
      [512, 8],
      [1024, 16],
      [2048, 32],
    ]);
    resnet.dispose();
    const mobilenet = await createModel('mobilenetv3_large_100', { featuresOnly: true, skipInit: true });
    expect(featureInfo(mobilenet)!.map((l) => [l.channels, l.reduction])).toEqual([
      [16, 2],
      [24, 4],
      [40, 8],
      [112, 16],
      [960, 32],
    ]);
    mobilenet.dispose();
    const picked = await createModel('squeezenet1_1', { featuresOnly: true, outIndices: [1, 3] });
    expect(featureInfo(picked)!.map((l) => l.index)).toEqual([1, 3]);
    // The maps a forward pass really returns have the declared shapes.
    const x = tf.zeros([1, 224, 224, 3]);
    const maps = picked.predict(x) as tf.Tensor[];
    expect(maps.map((m) => m.shape)).toEqual(mapShapes(picked).map((s) => [1, ...s.slice(1)]));
    tf.dispose([x, ...maps]);
    picked.dispose();
    const error = await createModel('squeezenet1_1', { featuresOnly: true, outIndices: [3, 1] }).catch(
      (e: unknown) => e,
    );
    expect((error as Error).message).toMatch(
      /^outIndices must be ascending unique integers in \[0, \d\) for squeezenet1_1/,
    );
  });
});
