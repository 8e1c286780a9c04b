/** Bad arguments throw a ZooError that names the value received. */
import * as tf from '@tensorflow/tfjs-core';
import { ZooError } from '@tfzoo/core';
import { describe, expect, it } from 'vitest';
import * as layers from './index.js';

function expectZooError(run: () => unknown, ...fragments: string[]): void {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ZooError);
  for (const fragment of fragments) expect((caught as Error).message).toContain(fragment);
}

function applyTo(layer: { apply: (x: tf.Tensor) => unknown }, shape: number[]): () => void {
  return () => {
    const x = tf.zeros(shape);
    try {
      tf.dispose(layer.apply(x) as tf.Tensor);
    } finally {
      x.dispose();
    }
  };
}

describe('argument errors', () => {
  it('filters not divisible by groups', () => {
    expectZooError(
      () => layers.groupConv2d({ filters: 6, kernelSize: 3, groups: 4 }),
      'filters',
      'received 6',
      'groups (4)',
    );
  });

  it('input channels not divisible by groups', () => {
    expectZooError(
      applyTo(layers.groupConv2d({ filters: 6, kernelSize: 1, groups: 3 }), [1, 4, 4, 8]),
      'received 8',
      'groups (3)',
    );
  });

  it('a kernel or pool larger than its padded input', () => {
    expectZooError(
      applyTo(layers.groupConv2d({ filters: 2, kernelSize: 5 }), [1, 3, 3, 2]),
      'kernelSize',
      'received 5',
      '(3)',
    );
    expectZooError(
      applyTo(layers.paddedMaxPooling2d({ poolSize: 5, padding: 1 }), [1, 2, 2, 1]),
      'kernelSize',
      'received 5',
      'padded input (4)',
    );
    expectZooError(
      applyTo(layers.paddedAveragePooling2d({ poolSize: 4 }), [1, 3, 8, 1]),
      'received 4',
      '(3)',
    );
  });

  it('pool padding above half the window, as PyTorch refuses', () => {
    expectZooError(() => layers.paddedMaxPooling2d({ poolSize: 3, padding: 2 }), 'padding', 'received 2');
  });

  it('an adaptive output size of 0', () => {
    expectZooError(() => layers.adaptiveAveragePooling2d({ outputSize: 0 }), 'outputSize', 'received 0');
    expectZooError(() => layers.adaptiveMaxPooling2d({ outputSize: [2, 0] }), 'outputSize', 'received [2,0]');
  });

  it('malformed padding, sizes, rates and names', () => {
    expectZooError(
      () => layers.groupConv2d({ filters: 2, kernelSize: 3, padding: [1, 2, 3] as never }),
      'padding',
      '[1,2,3]',
    );
    expectZooError(
      () => layers.groupConv2d({ filters: 2, kernelSize: 3, padding: -1 }),
      'padding',
      'received -1',
    );
    expectZooError(() => layers.groupConv2d({ filters: 0, kernelSize: 3 }), 'filters', 'received 0');
    expectZooError(() => layers.groupConv2d({ filters: 2, kernelSize: [3, 1.5] }), 'kernelSize', '[3,1.5]');
    expectZooError(
      () => layers.groupConv2d({ filters: 2, kernelSize: 3, strides: 2, dilationRate: 2, padding: 'same' }),
      'padding',
      '"same"',
    );
    expectZooError(
      () => layers.groupConv2d({ filters: 2, kernelSize: 3, kernelInitializer: 'nope' }),
      'kernelInitializer',
      '"nope"',
    );
    expectZooError(() => layers.channelShuffle({ groups: 0 }), 'groups', 'received 0');
    expectZooError(applyTo(layers.channelShuffle({ groups: 3 }), [1, 2, 2, 8]), 'received 8', 'groups (3)');
    expectZooError(applyTo(layers.maxout({ numPieces: 3 }), [2, 8]), 'received 8', 'numPieces (3)');
    expectZooError(() => layers.localResponseNormalization({ size: 0 }), 'size', 'received 0');
    expectZooError(() => layers.squeezeExcite({ gate: 'relu' as never }), 'gate', '"relu"');
    expectZooError(() => layers.squeezeExcite({ activation: 'tanh' as never }), 'activation', '"tanh"');
    expectZooError(() => layers.dropPath({ rate: 1 }), 'rate', 'received 1');
    expectZooError(() => layers.gelu({ approximate: 'erf' as never }), 'approximate', '"erf"');
    expectZooError(() => layers.makeDivisible(0), 'value', 'received 0');
  });
});
