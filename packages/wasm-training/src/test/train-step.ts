/**
 * Reusable check that one training step (forward, backward, SGD update) gives the same weights on
 * the wasm backend as on the cpu backend, for any `tf.LayersModel` builder. Used by
 * `train-step.test.ts` on small CNNs made of the zoo's layer kinds; the registry-wide contract test
 * can call {@link compareTrainingStep} for every registered model at a reduced input size.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { randomValues } from './random.js';

/** One model to check. */
export interface TrainStepCase {
  /** Name shown by the test. */
  name: string;
  /** Builds the model (called once, on the cpu backend). Outputs are class probabilities. */
  build: () => tfl.LayersModel;
  /** Batch size of the step (default 4). */
  batchSize?: number;
}

/** Per-weight relative differences of the update `w₁ − w₀` between the two backends. */
export interface TrainStepComparison {
  /** Loss of the step on each backend. */
  loss: { reference: number; candidate: number };
  /**
   * For each weight: its name and max |Δ_candidate − Δ_reference| / max(max |Δ_reference|,
   * 0.01 · the largest update of the model). The floor keeps updates that are zero in exact
   * arithmetic (a bias or γ before another batch norm, the moving mean of a batch norm fed by a
   * normalized tensor) from turning float noise into a large relative error.
   */
  updates: { name: string; relativeError: number }[];
  /** The largest of the per-weight relative errors. */
  worst: number;
}

async function stepOn(
  backend: string,
  model: tfl.LayersModel,
  initial: tf.Tensor[],
  x: { values: Float32Array; shape: number[] },
  y: { values: Float32Array; shape: number[] },
  learningRate: number,
): Promise<{ loss: number; weights: Float32Array[] }> {
  await tf.setBackend(backend);
  const copies = initial.map((w) => tf.tensor(w.dataSync(), w.shape, w.dtype));
  model.setWeights(copies);
  tf.dispose(copies);
  const optimizer = tf.train.sgd(learningRate);
  model.compile({ optimizer, loss: 'categoricalCrossentropy' });
  const xs = tf.tensor(x.values, x.shape);
  const ys = tf.tensor(y.values, y.shape);
  const loss = (await model.trainOnBatch(xs, ys)) as number;
  tf.dispose([xs, ys]);
  optimizer.dispose();
  return { loss, weights: model.getWeights().map((w) => Float32Array.from(w.dataSync())) };
}

/**
 * Runs one SGD step of `testCase`'s model on `reference` (default cpu) and `candidate` (default
 * wasm) from the same weights and batch, and compares the weight updates. Leaves the reference
 * backend active and disposes the model.
 */
export async function compareTrainingStep(
  testCase: TrainStepCase,
  { reference = 'cpu', candidate = 'wasm', learningRate = 0.1, seed = 7 } = {},
): Promise<TrainStepComparison> {
  await tf.setBackend(reference);
  const model = testCase.build();
  const batch = testCase.batchSize ?? 4;
  const inputShape = [batch, ...(model.inputs[0]!.shape.slice(1) as number[])];
  const classes = model.outputs[0]!.shape[1] as number;
  const x = {
    values: randomValues(
      inputShape.reduce((a, b) => a * b, 1),
      seed,
    ),
    shape: inputShape,
  };
  const labels = new Float32Array(batch * classes);
  for (let i = 0; i < batch; i++) labels[i * classes + ((i * 7 + seed) % classes)] = 1;
  const y = { values: labels, shape: [batch, classes] };
  // Seeded weights, so a run is reproducible: a max pool or ReLU near a tie can route a gradient
  // differently on two backends whose forward passes differ in the last bit, and random init made
  // that an occasional failure.
  const initial = model.weights.map((w, i) => {
    const shape = w.shape as number[];
    const name = w.name;
    if (/moving_variance|gamma/.test(name))
      return tf.randomUniform(shape, 0.8, 1.2, 'float32', seed * 1000 + i);
    if (/moving_mean|beta|bias/.test(name))
      return tf.randomUniform(shape, -0.1, 0.1, 'float32', seed * 1000 + i);
    const fanIn = shape.slice(0, -1).reduce((a, b) => a * b, 1) || 1;
    const limit = Math.sqrt(3 / fanIn);
    return tf.randomUniform(shape, -limit, limit, 'float32', seed * 1000 + i);
  });
  try {
    const ref = await stepOn(reference, model, initial, x, y, learningRate);
    const cand = await stepOn(candidate, model, initial, x, y, learningRate);
    const spreads = model.weights.map((w, i) => {
      const w0 = initial[i]!.dataSync();
      let maxDiff = 0;
      let maxRef = 0;
      for (let j = 0; j < w0.length; j++) {
        const dRef = ref.weights[i]![j]! - w0[j]!;
        const dCand = cand.weights[i]![j]! - w0[j]!;
        maxDiff = Math.max(maxDiff, Math.abs(dCand - dRef));
        maxRef = Math.max(maxRef, Math.abs(dRef));
      }
      return { name: w.name, maxDiff, maxRef };
    });
    const floor = 0.01 * Math.max(...spreads.map((u) => u.maxRef));
    const updates = spreads.map((u) => ({
      name: u.name,
      relativeError: u.maxDiff / Math.max(u.maxRef, floor, Number.MIN_VALUE),
    }));
    return {
      loss: { reference: ref.loss, candidate: cand.loss },
      updates,
      worst: Math.max(...updates.map((u) => u.relativeError)),
    };
  } finally {
    await tf.setBackend(reference);
    tf.dispose(initial);
    model.dispose();
  }
}
