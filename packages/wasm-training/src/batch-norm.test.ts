/**
 * The batch-norm path on wasm — the `Sum`/`Mean` (leading axes), `FusedBatchNorm`, `Identity` and
 * `Cast` replacements and the wasm gradients of `Mean`, `Sum` and `FusedBatchNorm` — against the
 * cpu backend running tfjs-core's own kernels and gradients.
 */
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-layers'; // registers tfjs-core's gradient functions
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { registerWasmTrainingGradients, WASM_GRADIENTS } from './index.js';
import { leadingReduction } from './kernels/reductions.js';
import { randomValues, relativeError } from './test/random.js';

const TOLERANCE = 1e-5;

interface Input {
  shape: number[];
  values: Float32Array | Int32Array;
  dtype?: 'float32' | 'int32';
}

function input(shape: number[], seed: number, shift = 0): Input {
  const values = randomValues(
    shape.reduce((a, b) => a * b, 1),
    seed,
  ).map((v) => v + shift);
  return { shape, values };
}

/** `op` on wasm and on cpu with the same inputs: output shapes and values, and wasm buffers left. */
async function onBoth(inputs: Input[], op: (...xs: tf.Tensor[]) => tf.Tensor) {
  const run = () => {
    const xs = inputs.map((i) => tf.tensor(i.values, i.shape, i.dtype ?? 'float32'));
    const out = op(...xs);
    const result = { shape: out.shape, dtype: out.dtype, values: Float32Array.from(out.dataSync()) };
    tf.dispose([out, ...xs]);
    return result;
  };
  await tf.setBackend('wasm');
  const before = tf.engine().backend.numDataIds();
  const wasm = run();
  const leaked = tf.engine().backend.numDataIds() - before;
  await tf.setBackend('cpu');
  return { wasm, cpu: run(), leaked };
}

afterAll(async () => {
  await tf.setBackend('cpu');
});

describe('leadingReduction', () => {
  it('takes exactly the leading axes, in any order, and leaves the rest to the original kernels', () => {
    expect(leadingReduction([8, 5, 5, 6], [0, 1, 2])).toEqual({ k: 3, m: 200, c: 6 });
    expect(leadingReduction([8, 5, 5, 6], [2, 0, 1])).toEqual({ k: 3, m: 200, c: 6 });
    expect(leadingReduction([10, 4], 0)).toEqual({ k: 1, m: 10, c: 4 });
    expect(leadingReduction([10, 4], -2)).toEqual({ k: 1, m: 10, c: 4 });
    expect(leadingReduction([8, 5, 5, 6], [1, 2])).toBeUndefined(); // not leading
    expect(leadingReduction([8, 5, 5, 6], [0, 2])).toBeUndefined(); // not contiguous
    expect(leadingReduction([8, 5, 5, 6], [0, 1, 2, 3])).toBeUndefined(); // one value: no transpose anyway
    expect(leadingReduction([8, 5, 5, 1], [0, 1, 2])).toBeUndefined(); // one value
    expect(leadingReduction([0, 5], 0)).toBeUndefined(); // empty
  });
});

describe('Sum and Mean on wasm equal the cpu backend', () => {
  const cases: { shape: number[]; axis: number | number[]; keepDims: boolean; dtype?: 'int32' }[] = [
    { shape: [8, 5, 5, 6], axis: [0, 1, 2], keepDims: false }, // batch-norm statistics
    { shape: [8, 5, 5, 6], axis: [0, 1, 2], keepDims: true },
    { shape: [6, 7, 3], axis: [1, 0], keepDims: false },
    { shape: [300, 4], axis: 0, keepDims: true },
    { shape: [2, 3, 4], axis: 2, keepDims: false }, // innermost: original kernel
    { shape: [2, 3, 4], axis: [0, 2], keepDims: true }, // mixed: original kernel
    { shape: [2, 3, 4], axis: [0, 1, 2], keepDims: false }, // everything: original kernel
    { shape: [5, 3], axis: 0, keepDims: false, dtype: 'int32' }, // exact integers: original kernel
  ];
  for (const c of cases) {
    for (const kind of ['sum', 'mean'] as const) {
      if (kind === 'mean' && c.dtype === 'int32') continue;
      it(`${kind} of ${JSON.stringify(c.shape)} over ${JSON.stringify(c.axis)}${c.keepDims ? ', keepDims' : ''}${c.dtype ? ` ${c.dtype}` : ''}`, async () => {
        const x = input(c.shape, 3, 0.5);
        if (c.dtype === 'int32') {
          x.values = Int32Array.from(x.values, (v) => Math.round(v * 1000));
          x.dtype = 'int32';
        }
        const { wasm, cpu, leaked } = await onBoth([x], (t) =>
          kind === 'sum' ? tf.sum(t, c.axis, c.keepDims) : tf.mean(t, c.axis, c.keepDims),
        );
        expect(wasm.shape).toEqual(cpu.shape);
        expect(wasm.dtype).toBe(cpu.dtype);
        if (c.dtype === 'int32') expect(wasm.values).toEqual(cpu.values);
        else expect(relativeError(wasm.values, cpu.values)).toBeLessThan(TOLERANCE);
        expect(leaked).toBe(0);
      });
    }
  }
});

describe('FusedBatchNorm on wasm equals the cpu backend', () => {
  const cases: { name: string; x: number[]; stats: number[]; scale?: number[]; offset?: number[] }[] = [
    {
      name: 'NHWC with [C] statistics, scale and offset',
      x: [4, 5, 5, 6],
      stats: [6],
      scale: [6],
      offset: [6],
    },
    { name: 'without scale and offset', x: [4, 5, 5, 6], stats: [6] },
    {
      name: 'statistics shaped [1, 1, 1, C]',
      x: [2, 3, 3, 5],
      stats: [1, 1, 1, 5],
      scale: [1, 1, 1, 5],
      offset: [1, 1, 1, 5],
    },
    { name: 'a 2-D input (after a dense layer)', x: [10, 7], stats: [7], scale: [7], offset: [7] },
    {
      name: 'a scale that is not per channel: original kernel',
      x: [2, 3, 3, 4],
      stats: [4],
      scale: [1],
      offset: [4],
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const inputs = [
        input(c.x, 11, 2),
        input(c.stats, 12, 2),
        {
          ...input(c.stats, 13),
          values: randomValues(
            c.stats.reduce((a, b) => a * b, 1),
            13,
          ).map((v) => v + 1.5),
        },
        ...(c.scale ? [input(c.scale, 14, 1)] : []),
        ...(c.offset ? [input(c.offset, 15)] : []),
      ];
      const { wasm, cpu, leaked } = await onBoth(inputs, (x, mean, variance, ...rest) => {
        const scale = c.scale ? rest.shift() : undefined;
        const offset = c.offset ? rest.shift() : undefined;
        return tf.batchNorm(x!, mean!, variance!, offset, scale, 1e-3);
      });
      expect(wasm.shape).toEqual(cpu.shape);
      expect(relativeError(wasm.values, cpu.values)).toBeLessThan(TOLERANCE);
      expect(leaked).toBe(0);
    });
  }
});

describe('Identity and Cast on wasm share the buffer instead of copying it', () => {
  it('clone and a same-type cast add no buffer and keep their values after the source is disposed', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor([1.5, -2, 3.25, 4], [2, 2]);
    const buffers = tf.engine().backend.numDataIds();
    const y = tf.clone(x);
    const z = tf.cast(x, 'float32');
    expect(tf.engine().backend.numDataIds()).toBe(buffers);
    x.dispose();
    expect(Array.from(y.dataSync())).toEqual([1.5, -2, 3.25, 4]);
    expect(Array.from(z.dataSync())).toEqual([1.5, -2, 3.25, 4]);
    y.dispose();
    expect(tf.engine().backend.numDataIds()).toBe(buffers);
    z.dispose();
    expect(tf.engine().backend.numDataIds()).toBe(buffers - 1);
  });

  it('a cast to another type still converts, into a buffer of its own', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor([1.7, -2.2, 0, 3.9]);
    const buffers = tf.engine().backend.numDataIds();
    const i = tf.cast(x, 'int32');
    expect(tf.engine().backend.numDataIds()).toBe(buffers + 1);
    expect([i.dtype, Array.from(i.dataSync())]).toEqual(['int32', [1, -2, 0, 3]]);
    tf.dispose([x, i]);
  });

  it('a cast to bool is x ≠ 0, as on cpu, for float32 and int32 (tfjs-backend-wasm gives 254, 0, 3)', async () => {
    const floats = [-2.2, 0, 0.5, 3, -0, 1e-30, Number.NaN, -1e-7];
    const ints = [-2, 0, 256, 3, 65536, -1];
    const cast = async (backend: string) => {
      await tf.setBackend(backend);
      const before = tf.engine().backend.numDataIds();
      const a = tf.tensor(floats);
      const b = tf.tensor(ints, undefined, 'int32');
      const [ca, cb] = [tf.cast(a, 'bool'), tf.cast(b, 'bool')];
      const out = [ca.dtype, Array.from(await ca.data()), cb.dtype, Array.from(await cb.data())];
      tf.dispose([a, b, ca, cb]);
      expect(tf.engine().backend.numDataIds()).toBe(before);
      return out;
    };
    const cpu = await cast('cpu');
    expect(cpu).toEqual(['bool', [1, 0, 1, 1, 0, 1, 1, 1], 'bool', [1, 0, 1, 1, 1, 1]]);
    expect(await cast('wasm')).toEqual(cpu);
  });
});

/**
 * A training-mode batch norm written with tfjs-core ops (as tfjs-layers' `BatchNormalization`
 * does it): statistics by `moments`, then `batchNorm`; a smooth loss so that every gradient is
 * non-trivial.
 */
function batchNormLoss(x: tf.Tensor, scale: tf.Tensor, offset: tf.Tensor, weights: tf.Tensor): tf.Scalar {
  const axes = x.shape.map((_, i) => i).slice(0, -1);
  const { mean, variance } = tf.moments(x, axes);
  return tf.sum(tf.mul(tf.tanh(tf.batchNorm(x, mean, variance, offset, scale, 1e-5)), weights));
}

/**
 * Each gradient `gradients` returns, computed on wasm and on cpu from the same inputs: equal within
 * 1e-4 relative, and no wasm buffer left behind.
 */
async function expectGradientsAsOnCpu(
  inputs: Input[],
  gradients: (...xs: tf.Tensor[]) => tf.Tensor[],
): Promise<void> {
  let count = 1;
  for (let which = 0; which < count; which++) {
    const { wasm, cpu, leaked } = await onBoth(inputs, (...xs) => {
      const grads = gradients(...xs);
      count = grads.length;
      const chosen = grads[which]!;
      tf.dispose(grads.filter((g) => g !== chosen));
      return chosen;
    });
    expect(wasm.shape).toEqual(cpu.shape);
    expect(relativeError(wasm.values, cpu.values)).toBeLessThan(1e-4);
    expect(leaked).toBe(0);
  }
}

describe('the wasm gradients of Mean, Sum and FusedBatchNorm equal tfjs-core’s on cpu', () => {
  it('are registered once, for exactly these kernels', () => {
    expect(WASM_GRADIENTS.map((g) => g.kernelName)).toEqual(['Mean', 'Sum', 'FusedBatchNorm']);
    expect(registerWasmTrainingGradients()).toEqual([]); // importing the package registered them
  });

  for (const shape of [
    [4, 5, 5, 6],
    [16, 7],
  ]) {
    it(`a training-mode batch norm of ${JSON.stringify(shape)}: input, scale and offset gradients`, async () => {
      const channels = shape[shape.length - 1]!;
      const inputs = [input(shape, 21, 1), input([channels], 22, 1), input([channels], 23), input(shape, 24)];
      await expectGradientsAsOnCpu(inputs, (x, scale, offset, w) =>
        tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => batchNormLoss(a, b, c, w!))([
          x!,
          scale!,
          offset!,
        ]),
      );
    });
  }

  it('gradients of mean and variance inputs, and of a sum and a mean over leading axes', async () => {
    const shape = [3, 4, 4, 5];
    const inputs = [
      input(shape, 31),
      input([5], 32),
      input([5], 33, 2),
      input([5], 34, 1),
      input([5], 36),
      input(shape, 35),
    ];
    await expectGradientsAsOnCpu(inputs, (x, mean, variance, scale, offset, w) =>
      tf.grads((a: tf.Tensor, m: tf.Tensor, v: tf.Tensor, s: tf.Tensor) =>
        tf.add(
          tf.sum(tf.mul(tf.sin(tf.batchNorm(a, m, v, offset, s, 1e-3)), w!)),
          tf.sum(tf.square(tf.add(tf.mean(a, [0, 1, 2]), tf.sum(a, [0, 1], true)))),
        ),
      )([x!, mean!, variance!, scale!]),
    );
  });
});
