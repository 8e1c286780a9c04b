import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { initBackend } from '@tfzoo/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { leanVariableGrads } from './lean-gradients.js';

/** A small residual conv net with batch-norm and a shared tensor (fan-out): 8×8×2 → 3 logits. */
function residualModel(seed: number): tfl.LayersModel {
  const init = (s: number) => tfl.initializers.glorotUniform({ seed: s });
  const input = tfl.input({ shape: [8, 8, 2] });
  const stem = tfl.layers
    .conv2d({ filters: 4, kernelSize: 3, padding: 'same', kernelInitializer: init(seed) })
    .apply(input) as tfl.SymbolicTensor;
  let x = stem;
  for (let i = 1; i <= 3; i++) {
    x = tfl.layers.batchNormalization().apply(x) as tfl.SymbolicTensor;
    x = tfl.layers.activation({ activation: 'relu' }).apply(x) as tfl.SymbolicTensor;
    x = tfl.layers
      .conv2d({ filters: 4, kernelSize: 3, padding: 'same', kernelInitializer: init(seed + i) })
      .apply(x) as tfl.SymbolicTensor;
  }
  x = tfl.layers.add().apply([x, stem]) as tfl.SymbolicTensor;
  x = tfl.layers.globalAveragePooling2d({}).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.dense({ units: 3, kernelInitializer: init(seed + 9) }).apply(x) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: x });
}

describe('leanVariableGrads', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });

  it('gives tf.variableGrads’ values and frees everything it made', async () => {
    const model = residualModel(3);
    const x = tf.randomUniform([4, 8, 8, 2], -1, 1, 'float32', 5);
    const labels = tf.oneHot(tf.tensor1d([0, 1, 2, 1], 'int32'), 3);
    const loss = () =>
      tf.mean(tf.square(tf.sub(model.apply(x, { training: true }) as tf.Tensor, labels))) as tf.Scalar;
    const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const snapshot = tf.tidy(() => model.weights.map((w) => tf.clone(w.read())));

    const before = tf.memory().numTensors;
    const reference = tf.variableGrads(loss, variables) as { value: tf.Scalar; grads: tf.NamedTensorMap };
    model.setWeights(snapshot); // batch-norm moving statistics back to where they were
    const lean = leanVariableGrads(loss, variables);

    expect(Object.keys(lean.grads).sort()).toEqual(Object.keys(reference.grads).sort());
    expect(Object.keys(lean.grads)).toHaveLength(variables.length);
    expect(await lean.value.data()).toEqual(await reference.value.data());
    for (const [name, g] of Object.entries(reference.grads)) {
      expect(Array.from(await lean.grads[name]!.data())).toEqual(Array.from(await g!.data()));
    }
    tf.dispose([
      reference.value,
      lean.value,
      ...Object.values(reference.grads),
      ...Object.values(lean.grads),
    ]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, labels, ...snapshot]);
    model.dispose();
  });

  it('holds less memory late in the backward pass than tf.variableGrads', () => {
    // A chain of conv + relu layers; a probe after the first layer records the bytes held when the
    // backward pass reaches it (almost at its end): tfjs-core still holds every saved activation
    // and every intermediate gradient there, the lean pass only what the first layer needs.
    const filters = [0, 1, 2, 3, 4].map((i) =>
      tf.variable(tf.randomNormal<tf.Rank.R4>([3, 3, i === 0 ? 2 : 8, 8], 0, 0.2, 'float32', 10 + i)),
    );
    const x = tf.randomUniform<tf.Rank.R4>([2, 16, 16, 2], -1, 1, 'float32', 7);
    let heldAtProbe = 0;
    const probe = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const [h, save] = args as [tf.Tensor, tf.GradSaveFunc];
      save([]);
      return {
        value: tf.clone(h),
        gradFunc: (dy) => {
          heldAtProbe = tf.memory().numBytes;
          return [tf.clone(dy)];
        },
      };
    });
    const f = () => {
      let h = tf.relu(tf.conv2d(x, filters[0]!, 1, 'same')) as tf.Tensor4D;
      h = probe(h) as tf.Tensor4D;
      for (const w of filters.slice(1)) h = tf.relu(tf.conv2d(h, w as tf.Tensor4D, 1, 'same')) as tf.Tensor4D;
      return tf.mean(tf.square(h)) as tf.Scalar;
    };
    const before = tf.memory().numTensors;
    const plain = tf.variableGrads(f, filters);
    const plainHeld = heldAtProbe;
    const lean = leanVariableGrads(f, filters);
    const leanHeld = heldAtProbe;
    for (const [name, g] of Object.entries(plain.grads)) {
      expect(Array.from(lean.grads[name]!.dataSync())).toEqual(Array.from(g!.dataSync()));
    }
    tf.dispose([plain.value, ...Object.values(plain.grads)]);
    const activation = 2 * 16 * 16 * 8 * 4;
    // The plain pass holds the lean pass's tensors plus, per later layer, at least its saved input
    // and the gradient of its output (the lean pass's own results are alive too here).
    expect(plainHeld - leanHeld).toBeGreaterThan(4 * 2 * activation - 8 * 1000);
    tf.dispose([lean.value, ...Object.values(lean.grads)]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, ...filters]);
  });

  it('refuses a non-scalar f without leaking', () => {
    const v = tf.variable(tf.ones([3]));
    const before = tf.memory().numTensors;
    expect(() => leanVariableGrads(() => tf.mul(v, 2) as unknown as tf.Scalar, [v])).toThrow(
      expect.objectContaining({
        code: 'INVALID_ARGUMENT',
        message: expect.stringMatching(/scalar.*received a rank-1 tensor/),
      }),
    );
    expect(tf.memory().numTensors).toBe(before);
    v.dispose();
  });

  it('refuses a loss that no given variable reaches, without leaking', () => {
    const v = tf.variable(tf.ones([3]));
    const w = tf.variable(tf.ones([3]));
    const before = tf.memory().numTensors;
    expect(() => leanVariableGrads(() => tf.sum(tf.mul(w, 2)) as tf.Scalar, [v])).toThrow(
      expect.objectContaining({
        code: 'INVALID_ARGUMENT',
        message: expect.stringMatching(/does not depend on any of the 1 trainable/),
      }),
    );
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([v, w]);
  });
});
