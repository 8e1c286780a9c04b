/**
 * `applyReleasing` against `model.apply(x, { training: true })`: the same outputs and gradients, no
 * leaks, the inputs and outputs left alive, and a lower peak of live tensor bytes (the intermediates
 * nothing saves are gone before the forward pass ends).
 */
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyReleasing, leanVariableGrads } from './index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const init = (seed: number) => tfl.initializers.glorotUniform({ seed });

/** A residual block (conv → BN → ELU → conv → BN, + shortcut → ELU), a head; a layer read twice. */
function model(): tfl.LayersModel {
  const input = tfl.input({ shape: [8, 8, 3] });
  const stem = tfl.layers
    .conv2d({ filters: 4, kernelSize: 3, padding: 'same', kernelInitializer: init(1) })
    .apply(input) as tfl.SymbolicTensor;
  let y = tfl.layers
    .conv2d({ filters: 4, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: init(2) })
    .apply(stem) as tfl.SymbolicTensor;
  y = tfl.layers.batchNormalization().apply(y) as tfl.SymbolicTensor;
  y = tfl.layers.elu().apply(y) as tfl.SymbolicTensor;
  y = tfl.layers
    .conv2d({ filters: 4, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: init(3) })
    .apply(y) as tfl.SymbolicTensor;
  y = tfl.layers.batchNormalization().apply(y) as tfl.SymbolicTensor;
  y = tfl.layers.add().apply([y, stem]) as tfl.SymbolicTensor;
  y = tfl.layers.elu().apply(y) as tfl.SymbolicTensor;
  const squared = tfl.layers.multiply().apply([y, y]) as tfl.SymbolicTensor; // one tensor read twice
  y = tfl.layers.globalAveragePooling2d({}).apply(squared) as tfl.SymbolicTensor;
  const out = tfl.layers.dense({ units: 3, kernelInitializer: init(4) }).apply(y) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: out });
}

describe('applyReleasing', () => {
  it('gives model.apply’s outputs and gradients, keeps the input, and leaks nothing', async () => {
    const m = model();
    const x = tf.randomUniform([2, 8, 8, 3], -1, 1, 'float32', 7);
    const target = tf.tensor2d([1, 0, 0, 0, 0, 1], [2, 3]);
    const variables = m.trainableWeights.map((w) => w.read() as tf.Variable);
    const step = async (forward: () => tf.Tensor) => {
      const { value, grads } = leanVariableGrads(
        () => tf.losses.meanSquaredError(target, forward()) as tf.Scalar,
        variables,
      );
      const result = {
        loss: (await value.data())[0]!,
        grads: await Promise.all(Object.values(grads).map((g) => g.data())),
      };
      tf.dispose([value, ...Object.values(grads)]);
      return result;
    };
    const plain = await step(() => m.apply(x, { training: true }) as tf.Tensor);
    const before = tf.memory().numTensors;
    const released = await step(() => applyReleasing(m, x) as tf.Tensor);
    expect(tf.memory().numTensors).toBe(before);
    expect(x.isDisposed).toBe(false);
    expect(released.loss).toBe(plain.loss);
    expect(released.grads).toHaveLength(variables.length);
    released.grads.forEach((g, i) => {
      expect(Array.from(g)).toEqual(Array.from(plain.grads[i]!));
    });
    // Outside a tape, too: the output equals model.apply's and is the caller's.
    const a = m.apply(x, { training: true }) as tf.Tensor;
    const b = applyReleasing(m, x) as tf.Tensor;
    expect(Array.from(await b.data())).toEqual(Array.from(await a.data()));
    tf.dispose([a, b, x, target]);
    m.dispose();
  });

  it('holds fewer bytes at the forward pass’s peak than model.apply', async () => {
    const m = model();
    const x = tf.randomUniform([16, 8, 8, 3], -1, 1, 'float32', 8);
    const variables = m.trainableWeights.map((w) => w.read() as tf.Variable);
    /** The most live tensor bytes after any kernel of the forward pass (within a training step). */
    const peakOf = (forward: () => tf.Tensor): number => {
      const engine = tf.engine() as unknown as { runKernel: (...args: unknown[]) => unknown };
      const runKernel = engine.runKernel;
      let peak = 0;
      engine.runKernel = (...args: unknown[]) => {
        const out = runKernel.apply(engine, args);
        peak = Math.max(peak, tf.memory().numBytes);
        return out;
      };
      try {
        const { value, grads } = leanVariableGrads(() => {
          const out = forward();
          engine.runKernel = runKernel;
          return tf.mean(out) as tf.Scalar;
        }, variables);
        tf.dispose([value, ...Object.values(grads)]);
      } finally {
        engine.runKernel = runKernel;
      }
      return peak;
    };
    const plain = peakOf(() => m.apply(x, { training: true }) as tf.Tensor);
    const released = peakOf(() => applyReleasing(m, x) as tf.Tensor);
    // model.apply keeps every layer's output until the model's last layer has run; here the first
    // batch norm's output and the residual sum, which no gradient saves (batch norm saves its
    // input, ELU its output), are gone by then: two activation-sized tensors (16·8·8·4 values)
    // fewer at the peak.
    expect(plain - released).toBeGreaterThanOrEqual(2 * 16 * 8 * 8 * 4 * 4);
    x.dispose();
    m.dispose();
  });

  it('refuses inputs that are not one tensor per model input, naming both counts', () => {
    const m = model();
    const x = tf.zeros([1, 8, 8, 3]);
    expect(() => applyReleasing(m, [x, x])).toThrow(/one tensor per model input \(1\).*received.*2 tensors/);
    x.dispose();
    m.dispose();
  });
});
