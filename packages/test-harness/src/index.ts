/**
 * `@tfzoo/test-harness` (private): the contract every registered model must satisfy, as one
 * reusable vitest suite, in the spirit of timm's `tests/test_models.py` — forward shape, finite
 * outputs, a gradient for every trainable weight, a save/load round trip through `tf.io`, and no
 * leaked tensors.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { withSeed } from '@tfzoo/core';
import { describe, expect, it } from 'vitest';

/** One model to run through the contract. */
export interface ContractEntry {
  /** Test name, usually the model id. */
  name: string;
  /** Builds a fresh, untrained model (use a reduced input size to keep the suite fast). */
  build: () => tfl.LayersModel;
  /** Expected output shape without the batch dimension (or one per output). */
  outputShape: readonly (number | null)[] | readonly (readonly (number | null)[])[];
  /** Batch size of the test input (default 2). */
  batchSize?: number;
  /** Weight names allowed to receive an all-zero gradient (e.g. a branch unused at this size). */
  allowZeroGradient?: readonly string[];
  /** Absolute tolerance of the save/load round trip (default 1e-5 of the output scale). */
  roundTripTolerance?: number;
}

/** Options of {@link describeModelContract}. */
export interface ContractOptions {
  /** Seed of the random test input and of the models' initial weights (default 0). */
  seed?: number;
}

function inputsFor(model: tfl.LayersModel, batchSize: number, seed: number): tf.Tensor[] {
  return model.inputs.map((input, index) => {
    const shape = [batchSize, ...input.shape.slice(1).map((d) => d ?? 1)];
    return tf.randomUniform(shape, -1, 1, 'float32', seed + index);
  });
}

function asArray(output: tf.Tensor | tf.Tensor[]): tf.Tensor[] {
  return Array.isArray(output) ? output : [output];
}

function expectedShapes(entry: ContractEntry): (number | null)[][] {
  const shape = entry.outputShape;
  return (Array.isArray(shape[0]) ? shape : [shape]) as (number | null)[][];
}

/**
 * Registers one vitest `describe` block per entry with the model contract tests.
 *
 * @example
 * ```ts
 * describeModelContract([
 *   { name: 'resnet18', build: () => resnet18({ inputShape: [64, 64, 3], numClasses: 7 }), outputShape: [7] },
 * ]);
 * ```
 */
export function describeModelContract(
  entries: readonly ContractEntry[],
  options: ContractOptions = {},
): void {
  const seed = options.seed ?? 0;
  for (const entry of entries) {
    describe(`model contract: ${entry.name}`, () => {
      const batchSize = entry.batchSize ?? 2;
      // Seeded initial weights: a model whose init happens to kill a unit fails every run, not once in a while.
      const build = () => withSeed(seed, entry.build);

      it('builds, predicts the declared shape with finite values, and leaks no tensors', async () => {
        const model = build();
        const before = tf.memory().numTensors;
        const inputs = inputsFor(model, batchSize, seed);
        const outputs = asArray(
          model.predict(inputs.length === 1 ? inputs[0]! : inputs) as tf.Tensor | tf.Tensor[],
        );
        const shapes = expectedShapes(entry);
        expect(outputs.length).toBe(shapes.length);
        for (const [index, output] of outputs.entries()) {
          expect(output.shape).toEqual([batchSize, ...(shapes[index] ?? [])]);
          const values = await output.data();
          expect(values.every(Number.isFinite)).toBe(true);
        }
        tf.dispose([...inputs, ...outputs]);
        expect(tf.memory().numTensors).toBe(before);
        model.dispose();
      });

      it('gives every trainable weight a finite, non-zero gradient', () => {
        const model = build();
        const inputs = inputsFor(model, batchSize, seed);
        const before = tf.memory().numTensors;
        const { grads, value } = tf.variableGrads(() => {
          const outputs = asArray(
            model.apply(inputs.length === 1 ? inputs[0]! : inputs, { training: true }) as
              | tf.Tensor
              | tf.Tensor[],
          );
          // A loss that depends on every output element with distinct weights.
          const terms = outputs.map((output) =>
            tf.sum(tf.mul(tf.sin(tf.reshape(tf.range(0, output.size), output.shape)), output)),
          );
          return tf.addN(terms) as tf.Scalar;
        });
        const trainable = model.trainableWeights.map((weight) => weight.name);
        const missing = trainable.filter((name) => !grads[name]);
        expect(missing).toEqual([]);
        const zero: string[] = [];
        const nonFinite: string[] = [];
        for (const name of trainable) {
          const grad = grads[name]!;
          const data = grad.dataSync();
          if (!data.every(Number.isFinite)) nonFinite.push(name);
          if (
            data.every((v) => v === 0) &&
            !(entry.allowZeroGradient ?? []).some((allowed) => name.includes(allowed))
          ) {
            zero.push(name);
          }
        }
        expect(nonFinite).toEqual([]);
        expect(zero).toEqual([]);
        tf.dispose([value, ...Object.values(grads)]);
        expect(tf.memory().numTensors).toBe(before);
        tf.dispose(inputs);
        model.dispose();
      });

      it('survives a save/load round trip through tf.io with identical outputs', async () => {
        const model = build();
        let artifacts: tf.io.ModelArtifacts | undefined;
        await model.save(
          tf.io.withSaveHandler(async (saved) => {
            artifacts = saved;
            return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
          }),
        );
        expect(artifacts?.modelTopology).toBeDefined();
        const loaded = await tfl.loadLayersModel(tf.io.fromMemory(artifacts!));
        expect(loaded.trainableWeights.length).toBe(model.trainableWeights.length);
        const inputs = inputsFor(model, batchSize, seed);
        const a = asArray(
          model.predict(inputs.length === 1 ? inputs[0]! : inputs) as tf.Tensor | tf.Tensor[],
        );
        const b = asArray(
          loaded.predict(inputs.length === 1 ? inputs[0]! : inputs) as tf.Tensor | tf.Tensor[],
        );
        for (const [index, output] of a.entries()) {
          const scale = Math.max(
            1e-6,
            tf.tidy(() => tf.max(tf.abs(output)).dataSync()[0]!),
          );
          const error = tf.tidy(() => tf.max(tf.abs(tf.sub(output, b[index]!))).dataSync()[0]!);
          expect(error).toBeLessThanOrEqual((entry.roundTripTolerance ?? 1e-5) * scale);
        }
        tf.dispose([...inputs, ...a, ...b]);
        model.dispose();
        loaded.dispose();
      });
    });
  }
}
export { type Mode, type PathStats, startTestServer, type TestServer } from './http-server.js';
export {
  HARNESS_PYTHON_DIR,
  maxAbs,
  maxAbsDiff,
  PYTHON,
  pythonEnv,
  runPython,
  runPythonScript,
} from './python.js';
export { compare, PythonSession, predictValues, readF32 } from './python-session.js';
export { normals, seededRandom } from './random.js';
export { describeShippedWeights, type ShippedWeightsCase } from './shipped-weights.js';
export {
  fnv1a,
  readTimmFixture,
  type TimmFixture,
  type TimmFixtureNames,
  type TimmFixtureTensor,
  type TimmPretrainedConfig,
  timmFill,
  timmInput,
  timmLogitsError,
  timmStateDict,
} from './timm-fixture.js';
export {
  maxError,
  type ReferenceCase,
  type ReferenceResult,
  ReferenceSession,
  type ReferenceSessionSpec,
  runReference,
  type SessionCount,
  type SessionModel,
  type SessionModelResult,
  type TorchvisionWeights,
} from './torchvision-reference.js';
export { SWIFTSHADER_ICD, type UseWebGpuOptions, useWebGpu } from './webgpu.js';
