import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { ZooError } from '../errors.js';
import { batchNormAffine, foldAffine } from './fold.js';
import { optimizeForInference } from './optimize.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Seeded values for every weight; batch-norm statistics far from (0, 1) so folding matters. */
function seed(model: tfl.LayersModel): void {
  model.weights.forEach((w, i) => {
    const name = w.originalName ?? w.name;
    const shape = w.shape as number[];
    const value = /variance|gamma/.test(name)
      ? tf.randomUniform(shape, 0.5, 2, 'float32', i)
      : tf.randomNormal(shape, 0, /mean|beta|bias/.test(name) ? 0.5 : 0.3, 'float32', i);
    w.write(value);
    value.dispose();
  });
}

/** Every family's patterns in one small graph of tfjs-layers' own layers. */
function smallNet(): tfl.LayersModel {
  const input = tfl.input({ shape: [12, 12, 3] });
  let x = tfl.layers
    .zeroPadding2d({
      padding: [
        [1, 2],
        [1, 0],
      ],
    })
    .apply(input) as tfl.SymbolicTensor;
  x = tfl.layers
    .conv2d({ filters: 8, kernelSize: 3, strides: 2, useBias: false })
    .apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.batchNormalization({ epsilon: 1e-3 }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.reLU({ maxValue: 6 }).apply(x) as tfl.SymbolicTensor;
  const branch = tfl.layers
    .depthwiseConv2d({ kernelSize: 3, padding: 'same', depthMultiplier: 2 })
    .apply(x) as tfl.SymbolicTensor;
  let y = tfl.layers.batchNormalization().apply(branch) as tfl.SymbolicTensor;
  y = tfl.layers.activation({ activation: 'sigmoid' }).apply(y) as tfl.SymbolicTensor;
  y = tfl.layers.conv2d({ filters: 8, kernelSize: 1 }).apply(y) as tfl.SymbolicTensor;
  y = tfl.layers.batchNormalization().apply(y) as tfl.SymbolicTensor;
  // The residual add and a second reader of x (x is not absorbed anywhere).
  let z = tfl.layers.add().apply([x, y]) as tfl.SymbolicTensor;
  z = tfl.layers.reLU().apply(z) as tfl.SymbolicTensor;
  z = tfl.layers.concatenate().apply([z, x]) as tfl.SymbolicTensor;
  z = tfl.layers.conv2d({ filters: 4, kernelSize: 3, activation: 'tanh' }).apply(z) as tfl.SymbolicTensor;
  z = tfl.layers.maxPooling2d({ poolSize: 2 }).apply(z) as tfl.SymbolicTensor;
  z = tfl.layers.flatten().apply(z) as tfl.SymbolicTensor;
  z = tfl.layers.dropout({ rate: 0.5 }).apply(z) as tfl.SymbolicTensor;
  z = tfl.layers.dense({ units: 6 }).apply(z) as tfl.SymbolicTensor;
  z = tfl.layers.batchNormalization().apply(z) as tfl.SymbolicTensor;
  z = tfl.layers.leakyReLU({ alpha: 0.1 }).apply(z) as tfl.SymbolicTensor;
  const out = tfl.layers.dense({ units: 5 }).apply(z) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: out });
}

describe('optimizeForInference', () => {
  it('folds, fuses and drops, and gives the same logits (max |Δ| ≤ 1e-5 · max |logit|)', async () => {
    const model = smallNet();
    seed(model);
    const x = tf.randomNormal([3, 12, 12, 3], 0, 1, 'float32', 99);
    const reference = model.predict(x) as tf.Tensor;
    const before = tf.memory().numTensors;
    const fast = optimizeForInference(model);
    const ops = fast.plan.map((s) => `${s.op}${s.activation ? `+${s.activation}` : ''}`);
    expect(ops).toEqual([
      'conv2d+relu6', // zero padding, conv, batch-norm, ReLU(6)
      'depthwiseConv2d+sigmoid',
      'conv2d',
      'Add',
      'ReLU',
      'Concatenate',
      'conv2d+tanh', // the layer's own activation, after the kernel
      'layer', // max pooling, called as it is
      'Flatten',
      'matMul+leakyrelu', // dropout gone; dense, batch-norm, leaky ReLU
      'matMul',
    ]);
    expect(fast.plan[0]!.layers).toHaveLength(4);
    const logits = fast.predict(x) as tf.Tensor;
    const [a, b] = [await reference.data(), await logits.data()];
    const maxAbs = Math.max(...a.map(Math.abs));
    const maxDiff = Math.max(...a.map((v, i) => Math.abs(v - b[i]!)));
    expect(maxAbs).toBeGreaterThan(0.1);
    expect(maxDiff).toBeLessThanOrEqual(1e-5 * maxAbs);
    // Without folding or fusing, the same kernels in the same order: identical.
    const plain = optimizeForInference(model, { foldBatchNorm: false, fuseActivations: false });
    const same = plain.predict(x) as tf.Tensor;
    expect(Array.from(await same.data())).toEqual(Array.from(a));
    tf.dispose([logits, same]);
    fast.dispose();
    plain.dispose();
    fast.dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, reference]);
    model.dispose();
  });

  it('folds batch-norm as y·γ/√(σ²+ε) + β − μ·γ/√(σ²+ε), hand-computed', async () => {
    const affine = batchNormAffine({
      mean: tf.tensor1d([1, -2]),
      variance: tf.tensor1d([3, 0]),
      gamma: tf.tensor1d([2, 1]),
      beta: tf.tensor1d([0.5, 0]),
      epsilon: 1,
    });
    // scale = [2/2, 1/1] = [1, 1]; shift = [0.5 − 1, 2] = [−0.5, 2]
    expect(Array.from(await affine.scale.data())).toEqual([1, 1]);
    expect(Array.from(await affine.shift.data())).toEqual([-0.5, 2]);
    const folded = foldAffine(tf.tensor2d([[1, 2]]), tf.tensor1d([1, 1]), {
      scale: tf.tensor1d([2, 3]),
      shift: tf.tensor1d([10, 20]),
    });
    expect(Array.from(await folded.kernel.data())).toEqual([2, 6]);
    expect(Array.from(await folded.bias.data())).toEqual([12, 23]);
    // Depthwise [kh, kw, C=2, m=2]: output channel c·m + j takes scale c·m + j.
    const dw = foldAffine(
      tf.ones([1, 1, 2, 2]),
      undefined,
      {
        scale: tf.tensor1d([1, 2, 3, 4]),
        shift: tf.zeros([4]),
      },
      true,
    );
    expect(Array.from(await dw.kernel.data())).toEqual([1, 2, 3, 4]);
  });

  it('pools globally as the mean over height and width, on maps of 3×2 and 1×1', async () => {
    for (const [h, w] of [
      [3, 2],
      [1, 1],
    ] as const) {
      const input = tfl.input({ shape: [h, w, 4] });
      const out = tfl.layers.globalAveragePooling2d({}).apply(input) as tfl.SymbolicTensor;
      const model = tfl.model({ inputs: input, outputs: out });
      const fast = optimizeForInference(model);
      expect(fast.plan.map((s) => s.op)).toEqual(['GlobalAveragePooling2D']);
      const values = Array.from({ length: 2 * h * w * 4 }, (_, i) => ((i * 7) % 11) - 5);
      const x = tf.tensor4d(values, [2, h, w, 4]);
      const y = fast.predict(x) as tf.Tensor;
      expect(y.shape).toEqual([2, 4]);
      // By hand: the mean of each image's h·w values of each channel.
      const expected: number[] = [];
      for (let n = 0; n < 2; n++)
        for (let c = 0; c < 4; c++) {
          let sum = 0;
          for (let p = 0; p < h * w; p++) sum += values[(n * h * w + p) * 4 + c]!;
          expected.push(sum / (h * w));
        }
      const got = Array.from(await y.data());
      for (let i = 0; i < expected.length; i++) expect(got[i]).toBeCloseTo(expected[i]!, 6);
      tf.dispose([x, y]);
      fast.dispose();
      model.dispose();
    }
  });

  it('refuses what it cannot take, saying what it received', () => {
    const model = smallNet();
    expect(() => optimizeForInference({} as tfl.LayersModel)).toThrow(ZooError);
    expect(() => optimizeForInference(model, { fold: true } as never)).toThrow(
      /optimizeForInference option must be foldBatchNorm, fuseActivations; received "fold"/,
    );
    const fast = optimizeForInference(model);
    expect(() => fast.predict(tf.zeros([1, 10, 12, 3]))).toThrow(/input 0 shape must be \[null,12,12,3\]/);
    fast.dispose();
    expect(() => fast.predict(tf.zeros([1, 12, 12, 3]))).toThrow(/not yet disposed/);
    model.dispose();
  });
});
