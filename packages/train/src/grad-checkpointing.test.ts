import '@tensorflow/tfjs-backend-wasm';
import '@tfzoo/wasm-training';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { featureExtractor, withSeed, ZooError } from '@tfzoo/core';
import type { TensorBatch } from '@tfzoo/datasets';
import { sparseCategoricalCrossEntropy } from '@tfzoo/losses';
import { mobilenetV3Small } from '@tfzoo/mobilenet';
import { SGD } from '@tfzoo/optimizers';
import { resnet18 } from '@tfzoo/resnet';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CheckpointedModel,
  estimateTrainingMemory,
  leanVariableGrads,
  type TrainingMemoryEstimate,
  train,
  trainableVariables,
} from './index.js';

/** Two stages (16×16 → 8×8 with a residual, → 4×4), batch-norm, pooled dense head: seeded. */
function smallModel(): tfl.LayersModel {
  let seed = 10;
  const conv = (name: string, strides: number) =>
    tfl.layers.conv2d({
      name,
      filters: 4,
      kernelSize: 3,
      strides,
      padding: 'same',
      kernelInitializer: tfl.initializers.glorotUniform({ seed: seed++ }),
    });
  const input = tfl.input({ shape: [16, 16, 3] });
  const apply = (layer: tfl.layers.Layer, x: tfl.SymbolicTensor | tfl.SymbolicTensor[]) =>
    layer.apply(x) as tfl.SymbolicTensor;
  let a = apply(conv('stem_conv', 2), input);
  a = apply(tfl.layers.batchNormalization({ name: 'stem_bn' }), a);
  a = apply(tfl.layers.reLU({ name: 'stem_relu' }), a);
  let b = apply(conv('block_conv', 1), a);
  b = apply(tfl.layers.batchNormalization({ name: 'block_bn' }), b);
  b = apply(tfl.layers.add({ name: 'block_add' }), [a, b]);
  b = apply(tfl.layers.reLU({ name: 'block_relu' }), b);
  let c = apply(conv('down_conv', 2), b);
  c = apply(tfl.layers.batchNormalization({ name: 'down_bn' }), c);
  c = apply(tfl.layers.reLU({ name: 'down_relu' }), c);
  c = apply(tfl.layers.globalAveragePooling2d({ name: 'pool' }), c);
  const out = apply(
    tfl.layers.dense({
      name: 'fc',
      units: 3,
      kernelInitializer: tfl.initializers.glorotUniform({ seed: 9 }),
    }),
    c,
  );
  return tfl.model({ inputs: input, outputs: out });
}

const loss = sparseCategoricalCrossEntropy({ fromLogits: true });

interface Step {
  loss: number;
  grads: Map<string, Float32Array>;
  state: Float32Array[];
}

/** One training step's loss, gradients and moving statistics after it; the statistics are then put back. */
function step(
  model: tfl.LayersModel,
  forward: (x: tf.Tensor) => tf.Tensor,
  lean: boolean,
  shape: readonly number[] = [32, 32, 3],
): Step {
  const variables = trainableVariables(model);
  const state = model.nonTrainableWeights;
  const before = state.map((w) => tf.add(w.read(), 0));
  const x = tf.randomNormal([2, ...shape], 0, 1, 'float32', 5);
  const y = tf.tensor1d([3, 7], 'int32');
  const f = () => loss(y, forward(x)) as tf.Scalar;
  const { value, grads } = lean ? leanVariableGrads(f, variables) : tf.variableGrads(f, variables);
  const result: Step = {
    loss: value.dataSync()[0]!,
    grads: new Map(Object.entries(grads).map(([k, g]) => [k, g.dataSync() as Float32Array])),
    state: state.map((w) => w.read().dataSync() as Float32Array),
  };
  tf.dispose([value, x, y, ...Object.values(grads)]);
  state.forEach((w, i) => {
    w.write(before[i]!);
  });
  tf.dispose(before);
  return result;
}

/** Largest |a − b| over max |b| of each gradient (relative to the gradient's scale). */
function relativeError(a: Float32Array, b: Float32Array): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return scale === 0 ? diff : diff / scale;
}

function expectSameStep(actual: Step, expected: Step): void {
  expect(actual.loss).toBeCloseTo(expected.loss, 5);
  expect([...actual.grads.keys()].sort()).toEqual([...expected.grads.keys()].sort());
  let worst = 0;
  for (const [name, g] of expected.grads) worst = Math.max(worst, relativeError(actual.grads.get(name)!, g));
  expect(worst).toBeLessThanOrEqual(1e-5);
  expect(actual.state.length).toBe(expected.state.length);
  actual.state.forEach((s, i) => {
    expect(relativeError(s, expected.state[i]!)).toBeLessThanOrEqual(1e-6);
  });
}

describe('gradient checkpointing', () => {
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  // (The cpu backend takes ~15 s for one resnet18 step even at 32×32, so resnet18 runs on wasm.)
  const cases: [string, string, () => tfl.LayersModel, number][] = [
    [
      'resnet18 (batch-norm, residuals)',
      'wasm',
      () => resnet18({ inputShape: [32, 32, 3], numClasses: 10 }),
      5,
    ],
    [
      'mobilenetv3_small (depthwise, squeeze-excitation)',
      'cpu',
      // No dropout before the classifier: the plain step would draw its mask from another stream.
      () => mobilenetV3Small({ inputShape: [32, 32, 3], numClasses: 10, dropRate: 0 }),
      5,
    ],
  ];
  it('train: gradientCheckpointing with accumulateSteps gives the weights of the plain run, no leaks', async () => {
    await tf.setBackend('cpu');
    const run = async (options: { gradientCheckpointing?: boolean }) => {
      const model = smallModel();
      const x = tf.randomUniform([8, 16, 16, 3], -1, 1, 'float32', 3);
      const y = tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1], 'int32');
      const data = [0, 4].map(
        (start) => ({ x: tf.slice(x, start, 4), y: tf.slice(y, start, 4) }) as TensorBatch,
      );
      tf.dispose([x, y]);
      const optimizer = new SGD({ learningRate: 0.1, momentum: 0.9 });
      const before = tf.memory().numTensors;
      const history = await train({ model, data, epochs: 1, optimizer, accumulateSteps: 2, ...options });
      expect(history.state.step).toBe(1);
      const weights = model.getWeights().map((w) => w.dataSync() as Float32Array);
      // What remains is the optimizer's state.
      const left = tf.memory().numTensors - before;
      optimizer.dispose();
      model.dispose();
      return { weights, left };
    };
    const plain = await run({});
    const checkpointed = await run({ gradientCheckpointing: true });
    expect(checkpointed.left).toBe(plain.left);
    expect(checkpointed.weights.length).toBe(plain.weights.length);
    checkpointed.weights.forEach((w, i) => {
      expect(relativeError(w, plain.weights[i]!)).toBeLessThanOrEqual(1e-5);
    });
  });

  it('dropout inside a stage: the recompute replays the forward pass mask', async () => {
    await tf.setBackend('cpu');
    const input = tfl.input({ shape: [8, 8, 2] });
    let h = tfl.layers
      .conv2d({
        filters: 6,
        kernelSize: 3,
        strides: 2,
        padding: 'same',
        kernelInitializer: 'ones',
        name: 'conv',
      })
      .apply(input) as tfl.SymbolicTensor;
    h = tfl.layers.dropout({ rate: 0.5, name: 'drop' }).apply(h) as tfl.SymbolicTensor;
    h = tfl.layers.reLU({ name: 'relu' }).apply(h) as tfl.SymbolicTensor;
    h = tfl.layers.globalAveragePooling2d({ name: 'pool' }).apply(h) as tfl.SymbolicTensor;
    const out = tfl.layers
      .dense({ units: 10, kernelInitializer: tfl.initializers.glorotUniform({ seed: 4 }), name: 'fc' })
      .apply(h) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: out });
    const checkpointed = new CheckpointedModel(model);
    expect(checkpointed.stages.map((s) => s.outputLayer)).toEqual(['relu']);
    // The one stage runs under a seed drawn from Math.random; the reference draws it the same way
    // and runs the plain forward under it, so both see one mask, which only a replayed recompute keeps.
    const shape = [8, 8, 2];
    const plain = withSeed(11, () => {
      const seed = Math.floor(Math.random() * 2 ** 32);
      return step(
        model,
        (x) => withSeed(seed, () => model.apply(x, { training: true }) as tf.Tensor),
        true,
        shape,
      );
    });
    const replayed = withSeed(11, () => step(model, (x) => checkpointed.apply(x) as tf.Tensor, true, shape));
    expectSameStep(replayed, plain);
    // Another mask gives other gradients: the comparison above can fail.
    const other = withSeed(12, () => step(model, (x) => checkpointed.apply(x) as tf.Tensor, true, shape));
    const kernel = trainableVariables(model)[0]!.name;
    expect(relativeError(other.grads.get(kernel)!, plain.grads.get(kernel)!)).toBeGreaterThan(1e-3);
    model.dispose();
  });

  it('a features-only model: every feature map, and the gradients through all of them', async () => {
    await tf.setBackend('cpu');
    const classifier = smallModel();
    const body = tfl.model({ inputs: classifier.inputs, outputs: classifier.getLayer('down_relu').output });
    const features = featureExtractor(body);
    const checkpointed = new CheckpointedModel(features);
    expect(checkpointed.stages.map((s) => s.outputLayer)).toEqual(['block_relu', 'down_relu']);
    const x = tf.randomNormal([2, 16, 16, 3], 0, 1, 'float32', 6);
    const gradients = (forward: () => tf.Tensor[]) => {
      const { value, grads } = leanVariableGrads(
        () => tf.addN(forward().map((f, i) => tf.sum(tf.mul(f, i + 1)))) as tf.Scalar,
        trainableVariables(features),
      );
      const out = Object.values(grads).map((g) => g.dataSync() as Float32Array);
      tf.dispose([value, ...Object.values(grads)]);
      return out;
    };
    const moving = features.nonTrainableWeights.map((w) => tf.add(w.read(), 0));
    const plain = gradients(() => features.apply(x, { training: true }) as tf.Tensor[]);
    features.nonTrainableWeights.forEach((w, i) => {
      w.write(moving[i]!);
    });
    tf.dispose(moving);
    const ours = gradients(() => checkpointed.apply(x) as tf.Tensor[]);
    ours.forEach((g, i) => {
      expect(relativeError(g, plain[i]!)).toBeLessThanOrEqual(1e-5);
    });
    x.dispose();
    classifier.dispose();
  });

  it('estimates the checkpointed step below the plain one; refuses a model without stages', async () => {
    await tf.setBackend('cpu');
    const model = smallModel();
    expect(new CheckpointedModel(model).stages.map((s) => s.outputLayer)).toEqual([
      'block_relu',
      'down_relu',
    ]);
    const before = tf.memory().numTensors;
    const plain = estimateTrainingMemory(model, [16, 16, 3], 4);
    const checkpointed: TrainingMemoryEstimate = estimateTrainingMemory(model, [16, 16, 3], 4, undefined, {
      gradientCheckpointing: true,
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(plain.activationBytesPerSample).toBe(plain.plainActivationBytesPerSample);
    expect(checkpointed.activationBytesPerSample).toBe(checkpointed.checkpointedActivationBytesPerSample);
    expect(checkpointed.activationBytesPerSample).toBeLessThan(plain.activationBytesPerSample);
    expect(checkpointed.totalBytes).toBeLessThan(plain.totalBytes);
    model.dispose();
    const input = tfl.input({ shape: [4] });
    const dense = tfl.model({
      inputs: input,
      outputs: tfl.layers.dense({ units: 2 }).apply(input) as tfl.SymbolicTensor,
    });
    expect(() => new CheckpointedModel(dense)).toThrow(ZooError);
    dense.dispose();
  });

  for (const [name, backend, build, stages] of cases) {
    it(`${name} on ${backend}: same gradients and moving statistics as the plain step, no leaks`, async () => {
      await tf.setBackend(backend);
      const model = withSeed(1, build);
      const checkpointed = new CheckpointedModel(model);
      expect(checkpointed.stages.length).toBe(stages);
      const plain = step(model, (x) => model.apply(x, { training: true }) as tf.Tensor, false);
      // The moving statistics moved: the comparison below would notice a second update.
      const initial = model.nonTrainableWeights.map((w) => w.read().dataSync() as Float32Array);
      expect(plain.state.some((s, i) => relativeError(s, initial[i]!) > 1e-3)).toBe(true);
      const tensors = tf.memory().numTensors;
      const lean = step(model, (x) => checkpointed.apply(x) as tf.Tensor, true);
      expect(tf.memory().numTensors).toBe(tensors);
      expectSameStep(lean, plain);
      const engine = step(model, (x) => checkpointed.apply(x) as tf.Tensor, false);
      expect(tf.memory().numTensors).toBe(tensors);
      expectSameStep(engine, plain);
      // The memory estimate: a checkpointed step keeps less, and the estimate leaks nothing.
      const estimate: TrainingMemoryEstimate = estimateTrainingMemory(model, [32, 32, 3], 4, undefined, {
        gradientCheckpointing: true,
      });
      expect(tf.memory().numTensors).toBe(tensors);
      expect(estimate.activationBytesPerSample).toBe(estimate.checkpointedActivationBytesPerSample);
      expect(estimate.activationBytesPerSample).toBeLessThan(0.8 * estimate.plainActivationBytesPerSample);
      model.dispose();
    });
  }
});
