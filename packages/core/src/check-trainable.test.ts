import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, describe, expect, it } from 'vitest';
import { checkTrainable } from './check-trainable.js';
import { ZooError } from './errors.js';

/** A small CNN with the layer kinds of the zoo: strided conv, depthwise conv, batch norm, pooling, dense. */
function smallCnn(): tfl.LayersModel {
  const input = tfl.input({ shape: [12, 12, 3] });
  let x = tfl.layers
    .conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same' })
    .apply(input) as tfl.SymbolicTensor;
  x = tfl.layers.batchNormalization().apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.reLU().apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same' }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.maxPooling2d({ poolSize: 2 }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.flatten().apply(x) as tfl.SymbolicTensor;
  const output = tfl.layers.dense({ units: 5 }).apply(x) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: output, name: 'small_cnn' });
}

afterAll(async () => {
  await tf.setBackend('cpu');
});

describe('checkTrainable', () => {
  it('finds every kernel on the cpu backend, and records forward and gradient kernels', async () => {
    const model = smallCnn();
    const report = await checkTrainable(model, { backend: 'cpu' });
    expect(report).toMatchObject({ ok: true, backend: 'cpu', missing: [] });
    for (const kernel of [
      'FusedConv2D',
      'Conv2DBackpropFilter',
      'DepthwiseConv2dNative',
      'MaxPoolGrad',
      'BatchMatMul',
    ]) {
      expect(report.used).toContain(kernel);
    }
    model.dispose();
  });

  it('lists the three gradient kernels tfjs-backend-wasm 4.22 lacks, without touching the model', async () => {
    await tf.setBackend('wasm');
    const model = smallCnn();
    const before = model.getWeights().map((w) => Float32Array.from(w.dataSync()));
    const numTensors = tf.memory().numTensors;
    const report = await checkTrainable(model);
    expect(report.backend).toBe('wasm');
    expect(report.ok).toBe(false);
    expect(report.missing).toEqual([
      'Conv2DBackpropFilter',
      'DepthwiseConv2dNativeBackpropFilter',
      'DepthwiseConv2dNativeBackpropInput',
    ]);
    expect(tf.getBackend()).toBe('wasm');
    expect(tf.memory().numTensors).toBe(numTensors);
    // Batch-norm moving statistics are updated by a training-mode pass; they must be restored.
    for (const [i, w] of model.getWeights().entries()) {
      expect(Array.from(w.dataSync())).toEqual(Array.from(before[i]!));
    }
    model.dispose();
  });

  it('throws a ZooError naming the missing kernels and the package that provides them', async () => {
    const model = smallCnn();
    const error = await checkTrainable(model, { backend: 'wasm', throwIfMissing: true }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ZooError);
    expect((error as ZooError).code).toBe('UNSUPPORTED');
    expect((error as ZooError).message).toMatch(
      /small_cnn cannot train on the wasm backend: it lacks the kernels Conv2DBackpropFilter, /,
    );
    expect((error as ZooError).message).toContain("import '@tfzoo/wasm-training'");
    model.dispose();
  });

  it('reports a dense model as trainable on wasm', async () => {
    const model = tfl.sequential({
      layers: [
        tfl.layers.dense({ inputShape: [6], units: 4, activation: 'relu' }),
        tfl.layers.dense({ units: 2 }),
      ],
    });
    const report = await checkTrainable(model, { backend: 'wasm' });
    expect(report.ok).toBe(true);
    expect(report.used).toContain('BatchMatMul');
    model.dispose();
  });

  it('rejects an unknown backend and unusable input shapes', async () => {
    const model = smallCnn();
    await expect(checkTrainable(model, { backend: 'tpu' })).rejects.toThrow(
      /options.backend must be a registered backend/,
    );
    await expect(checkTrainable(model, { inputShapes: [[1, 12]] })).rejects.toThrow(ZooError);
    const open = tfl.sequential({
      layers: [
        tfl.layers.conv2d({ inputShape: [null, null, 3] as unknown as number[], filters: 2, kernelSize: 3 }),
      ],
    });
    await expect(checkTrainable(open, { backend: 'cpu' })).rejects.toThrow(
      /concrete shapes: input 0 of the model is \[null,null,null,3\]/,
    );
    const report = await checkTrainable(open, { backend: 'cpu', inputShapes: [[2, 9, 9, 3]] });
    expect(report.ok).toBe(true);
    model.dispose();
    open.dispose();
  });
});
