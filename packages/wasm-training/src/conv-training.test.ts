/**
 * The stem convolution in training mode on wasm: the same loss and gradients as tfjs-layers' own on
 * the cpu backend, no input gradient computed for it (the fused kernel's custom gradient computed
 * one and threw it away), the input gradient still there when asked for, and no leaks.
 */
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { initBackend } from '@tfzoo/core';
import { afterAll, describe, expect, it } from 'vitest';
import { installLeanStemConvTraining } from './index.js';
import { expectWasmStepAsOnCpu } from './test/cpu-then-wasm.js';
import { relativeError } from './test/random.js';

afterAll(async () => {
  await tf.setBackend('cpu');
});

/** pad → conv (no bias) → batch norm → relu → conv (bias) → global pool → dense: [9, 9, 2] → [3]. */
function model(): tfl.LayersModel {
  const input = tfl.input({ shape: [9, 9, 2] });
  let y = tfl.layers.zeroPadding2d({ padding: 1 }).apply(input) as tfl.SymbolicTensor;
  y = tfl.layers
    .conv2d({
      filters: 4,
      kernelSize: 3,
      strides: 2,
      useBias: false,
      kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }),
    })
    .apply(y) as tfl.SymbolicTensor;
  y = tfl.layers.batchNormalization().apply(y) as tfl.SymbolicTensor;
  y = tfl.layers.activation({ activation: 'relu' }).apply(y) as tfl.SymbolicTensor;
  y = tfl.layers
    .conv2d({
      filters: 5,
      kernelSize: 3,
      padding: 'same',
      kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }),
      biasInitializer: tfl.initializers.randomUniform({ minval: -0.3, maxval: 0.3, seed: 3 }),
    })
    .apply(y) as tfl.SymbolicTensor;
  y = tfl.layers.globalAveragePooling2d({}).apply(y) as tfl.SymbolicTensor;
  const out = tfl.layers
    .dense({ units: 3, kernelInitializer: tfl.initializers.glorotUniform({ seed: 4 }) })
    .apply(y) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: out });
}

interface Step {
  loss: number;
  grads: Float32Array[];
  inputGrad: Float32Array;
}

async function step(m: tfl.LayersModel, xValues: Float32Array): Promise<Step> {
  const x = tf.tensor4d(xValues, [2, 9, 9, 2]);
  const target = tf.tensor2d(
    Float32Array.from({ length: 6 }, (_, i) => Math.cos(i)),
    [2, 3],
  );
  const loss = (input: tf.Tensor): tf.Scalar =>
    tf.losses.meanSquaredError(target, m.apply(input, { training: true }) as tf.Tensor) as tf.Scalar;
  const { value, grads } = tf.variableGrads(
    () => loss(x),
    m.trainableWeights.map((w) => w.read() as tf.Variable),
  );
  const result = {
    loss: (await value.data())[0]!,
    grads: await Promise.all(Object.values(grads).map((g) => g.data() as Promise<Float32Array>)),
  };
  const dx = tf.grad(loss)(x);
  const inputGrad = (await dx.data()) as Float32Array;
  tf.dispose([x, target, value, dx, ...Object.values(grads)]);
  return { ...result, inputGrad };
}

describe('stem convolution in training mode on wasm', () => {
  it('gives tfjs-layers’ loss and gradients (the input’s too, when asked), and leaks nothing', async () => {
    expect(installLeanStemConvTraining()).toBe(false); // importing the package installed it
    const xValues = Float32Array.from({ length: 324 }, (_, i) => Math.sin(i * 0.37) * 2);
    const { cpu, wasm } = await expectWasmStepAsOnCpu(model, (m) => step(m, xValues), 7);
    expect(relativeError(wasm.inputGrad, cpu.inputGrad)).toBeLessThan(1e-5);
  });

  it('computes no input gradient for the stem: one Conv2DBackpropInput for two convolutions', async () => {
    await initBackend('wasm', { threads: 1 });
    const m = model();
    const x = tf.ones([2, 9, 9, 2]);
    const target = tf.zeros([2, 3]);
    const variables = m.trainableWeights.map((w) => w.read() as tf.Variable);
    const info = await tf.profile(() => {
      const { value, grads } = tf.variableGrads(
        () => tf.losses.meanSquaredError(target, m.apply(x, { training: true }) as tf.Tensor) as tf.Scalar,
        variables,
      );
      tf.dispose(Object.values(grads));
      return value;
    });
    const calls = (name: string): number => info.kernels.filter((k) => k.name === name).length;
    expect(calls('Conv2DBackpropFilter')).toBe(2);
    expect(calls('Conv2DBackpropInput')).toBe(1);
    // The stem runs unfused; the second convolution, whose input gradient is needed, keeps the
    // fused kernel.
    expect(calls('Conv2D')).toBe(1);
    expect(calls('FusedConv2D')).toBe(1);
    tf.dispose([x, target, info.result as tf.Tensor]);
    m.dispose();
  });
});
