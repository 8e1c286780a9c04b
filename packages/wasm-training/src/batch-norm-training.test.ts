/**
 * The lean training-mode batch norm on wasm against tfjs-layers' own on the cpu backend: the same
 * loss, gradients and moving statistics, fewer activations kept for the backward pass, no leaks.
 */
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installLeanBatchNormTraining } from './index.js';
import { relativeError } from './test/random.js';

function model(): tfl.LayersModel {
  const input = tfl.input({ shape: [6, 6, 3] });
  let x = tfl.layers
    .conv2d({
      filters: 5,
      kernelSize: 3,
      useBias: false,
      kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }),
    })
    .apply(input) as tfl.SymbolicTensor;
  x = tfl.layers
    .batchNormalization({
      gammaInitializer: tfl.initializers.randomUniform({ minval: 0.5, maxval: 1.5, seed: 2 }),
      betaInitializer: tfl.initializers.randomUniform({ minval: -0.5, maxval: 0.5, seed: 3 }),
      momentum: 0.9,
      epsilon: 1e-5,
    })
    .apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.activation({ activation: 'relu' }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.flatten().apply(x) as tfl.SymbolicTensor;
  x = tfl.layers
    .dense({ units: 4, kernelInitializer: tfl.initializers.glorotUniform({ seed: 4 }) })
    .apply(x) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: x });
}

interface Step {
  loss: number;
  grads: Float32Array[];
  weights: Float32Array[];
  kernels: string[];
}

async function step(m: tfl.LayersModel, xValues: Float32Array): Promise<Step> {
  const x = tf.tensor4d(xValues, [4, 6, 6, 3]);
  const target = tf.tensor2d(
    Float32Array.from({ length: 16 }, (_, i) => (i % 5) / 5),
    [4, 4],
  );
  const variables = m.trainableWeights.map((w) => w.read() as tf.Variable);
  let kernels: string[] = [];
  const result = tf.variableGrads(() => {
    const loss = tf.mean(tf.square(tf.sub(m.apply(x, { training: true }) as tf.Tensor, target))) as tf.Scalar;
    // The tape so far: the kernels of the forward pass (the loss's own Square last).
    const tape = (tf.engine().state as unknown as { activeTape: { kernelName: string }[] }).activeTape;
    kernels = tape.map((node) => node.kernelName).slice(0, -3);
    return loss;
  }, variables) as { value: tf.Scalar; grads: tf.NamedTensorMap };
  const out: Step = {
    loss: (await result.value.data())[0]!,
    grads: await Promise.all(
      variables.map(async (v) => Float32Array.from(await result.grads[v.name]!.data())),
    ),
    weights: await Promise.all(m.weights.map(async (w) => Float32Array.from(await w.read().data()))),
    kernels,
  };
  tf.dispose([x, target, result.value, ...Object.values(result.grads)]);
  return out;
}

// tfjs' IS_TEST check counts backend data ids around each kernel and trips on wasm inside tfjs'
// own custom-gradient ops (fusedConv2d); leaks are checked here with tf.memory() instead.
let isTest = false;
beforeAll(() => {
  isTest = tf.env().getBool('IS_TEST');
  tf.env().set('IS_TEST', false);
});
afterAll(async () => {
  tf.env().set('IS_TEST', isTest);
  await tf.setBackend('cpu');
});

describe('lean batch norm in training mode', () => {
  it('gives tfjs-layers’ loss, gradients and moving statistics without the centred copies', async () => {
    expect(installLeanBatchNormTraining()).toBe(false); // importing the package installed it
    await tf.setBackend('cpu');
    const m = model();
    const xValues = Float32Array.from({ length: 4 * 6 * 6 * 3 }, (_, i) => Math.sin(i * 0.37) * 2 + 0.3);
    const initial = m.getWeights().map((w) => tf.clone(w));
    const cpu = await step(m, xValues);
    m.setWeights(initial);
    await tf.setBackend('wasm');
    const before = tf.memory().numTensors;
    const wasm = await step(m, xValues);
    expect(tf.memory().numTensors).toBe(before);
    // tfjs-layers computes σ² through Square on the tape; the lean path keeps it off the tape.
    expect(cpu.kernels).toContain('Square');
    expect(wasm.kernels).not.toContain('Square');
    expect(Math.abs(wasm.loss - cpu.loss)).toBeLessThan(1e-5 * Math.abs(cpu.loss));
    expect(wasm.grads).toHaveLength(cpu.grads.length);
    for (let i = 0; i < cpu.grads.length; i++)
      expect(relativeError(wasm.grads[i]!, cpu.grads[i]!)).toBeLessThan(1e-4);
    for (let i = 0; i < cpu.weights.length; i++)
      expect(relativeError(wasm.weights[i]!, cpu.weights[i]!)).toBeLessThan(1e-5);
    tf.dispose(initial);
    m.dispose();
  });

  it('holds at most three activation-sized temporaries in its gradient', async () => {
    // Peak bytes of the gradient of sum(bn(x)·w) for x, in activations of x, above x, w and the
    // layer's weights. Six are not the gradient's own: the forward's bn(x) and bn(x)·w, the sum's
    // gradient (a ones tensor and its product) and the mul's gradient (bn's dy); three are its own
    // temporaries. Measured 9.01 with this gradient, 13.01 with the one before (which kept all seven
    // temporaries to the end) and 23.01 with tfjs-layers' batch norm on the cpu backend.
    const shape = [8, 16, 16, 8];
    const activation = shape.reduce((a, b) => a * b, 1) * 4;
    async function peakActivations(backend: string): Promise<number> {
      await tf.setBackend(backend);
      const layer = tfl.layers.batchNormalization({ epsilon: 1e-5 });
      layer.build(shape);
      const x = tf.randomNormal(shape, 0.5, 2, 'float32', 4);
      const w = tf.randomNormal(shape, 0, 1, 'float32', 5);
      const before = tf.memory().numBytes;
      const profile = await tf.profile(() => {
        const f = (input: tf.Tensor): tf.Scalar =>
          tf.sum(tf.mul(layer.apply(input, { training: true }) as tf.Tensor, w));
        tf.grad(f)(x).dispose();
      });
      tf.dispose([x, w]);
      for (const v of layer.weights) v.dispose();
      return (profile.peakBytes - before) / activation;
    }
    expect(await peakActivations('cpu')).toBeGreaterThan(13);
    expect(await peakActivations('wasm')).toBeLessThan(6 + 3 + 0.5);
  });
});
