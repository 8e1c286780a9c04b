/**
 * Issue 29's registry-wide check: every registered architecture's inference form
 * (`optimizeForInference`) gives the training form's logits, and leaks no tensor. The weights are
 * seeded random values, batch-norm moving statistics included (non-trivial mean and variance, so
 * that folding them changes the weights), at a reduced input size. The architectures are split
 * into groups, one test file each, so that CI's two cores share the work. On wasm, with
 * `@tfzoo/wasm-training`'s kernels, as `tfzoo predict` runs: its 3×3 stride-1 convolutions by
 * Winograd's algorithm in both forms.
 */
import '@tensorflow/tfjs-backend-wasm';
import '@tfzoo/wasm-training';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { listModels, optimizeForInference } from '@tfzoo/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createModel } from '../index.js';

/** Input side per architecture: the smallest every family takes (AlexNet's is 63). */
function inputSize(id: string): number | undefined {
  if (id === 'lenet5') return undefined;
  return id.startsWith('alexnet') ? 64 : 32;
}

/** The groups, by architecture-id prefix; the last takes every architecture the others do not. */
export const INFERENCE_GROUPS: Record<string, (id: string) => boolean> = {
  'resnet, resnext, wide resnet, senet': (id) => /^(resnet|resnext|wide_resnet|legacy_|seres)/.test(id),
  rest: (id) => !/^(resnet|resnext|wide_resnet|legacy_|seres)/.test(id),
};

interface NodeLike {
  inboundLayers: tfl.layers.Layer[];
}

function producers(layer: tfl.layers.Layer): tfl.layers.Layer[] {
  return (layer as unknown as { inboundNodes: NodeLike[] }).inboundNodes[0]?.inboundLayers ?? [];
}

/**
 * The batch-norms that end a residual branch (read by an `Add`, directly or through a
 * squeeze-excite block): torchvision's `zero_init_residual` and trained ResNets keep their γ small.
 */
function residualBatchNorms(model: tfl.LayersModel): Set<string> {
  const names = new Set<string>();
  for (const layer of model.layers) {
    if (layer.getClassName() !== 'Add') continue;
    for (let p of producers(layer)) {
      if (p.getClassName() === 'tfzoo>SqueezeExcite') p = producers(p)[0] ?? p;
      if (p.getClassName() === 'BatchNormalization') names.add(p.name);
    }
  }
  return names;
}

/**
 * Fills every weight of `model` with seeded uniform values of these standard deviations: kernels
 * `√(2 / fanIn)` (He), biases and β 0.02, the moving mean 0.05; γ `U(0.5, 1.5)` (`U(0.05, 0.2)` at
 * the end of a residual branch) and the moving variance `U(0.5, 1.5)` (small constants: a deep random network
 * with large ones gives nearly the same logits for every input): every batch-norm a non-trivial affine
 * map, so that folding changes every folded weight. The small residual γ keeps a deep residual
 * network's activations from doubling block after block (with γ near 1, SENet-154's logits reach
 * 10⁵ and float rounding grows with them: no float32 computation reproduces another there).
 */
export function seedWeights(model: tfl.LayersModel, seed: number): void {
  const residual = residualBatchNorms(model);
  const residualWeights = new Set(
    model.layers.filter((l) => residual.has(l.name)).flatMap((l) => l.weights.map((w) => w.name)),
  );
  model.weights.forEach((variable, index) => {
    const name = variable.originalName ?? variable.name;
    const shape = variable.shape as number[];
    const random = seededUniform(seed * 100_003 + index);
    let fill: (u: number) => number;
    if (/gamma/.test(name) && residualWeights.has(variable.name)) fill = (u) => 0.05 + 0.15 * u;
    else if (/moving_variance|gamma/.test(name)) fill = (u) => 0.5 + u;
    else if (/moving_mean/.test(name)) fill = (u) => SQRT3 * 0.05 * (2 * u - 1);
    else if (shape.length === 1) fill = (u) => SQRT3 * 0.02 * (2 * u - 1);
    else {
      // Depthwise kernels [kh, kw, C, m] read kh·kw inputs per output; others every axis but the last.
      const fanIn = /depthwise/.test(name)
        ? (shape[0] as number) * (shape[1] as number)
        : shape.slice(0, -1).reduce((a, b) => a * b, 1);
      const bound = SQRT3 * Math.sqrt(2 / fanIn);
      fill = (u) => bound * (2 * u - 1);
    }
    const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
    for (let i = 0; i < values.length; i++) values[i] = fill(random());
    const value = tf.tensor(values, shape);
    variable.write(value);
    value.dispose();
  });
}

const SQRT3 = Math.sqrt(3);

/** xorshift32 in [0, 1): fast enough for VGG's 100M-value classifier, unlike tf.randomNormal. */
function seededUniform(seed: number): () => number {
  let state = (seed ^ 0x9e3779b9) >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 4294967296;
  };
}

/** `max |a − b|` and `max |a|`: the bound compared is `maxDiff ≤ 1e-5 · maxAbs`. */
async function compare(a: tf.Tensor, b: tf.Tensor): Promise<{ maxDiff: number; maxAbs: number }> {
  const [x, y] = await Promise.all([a.data(), b.data()]);
  let maxDiff = 0;
  let maxAbs = 0;
  for (let i = 0; i < x.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs((x[i] as number) - (y[i] as number)));
    maxAbs = Math.max(maxAbs, Math.abs(x[i] as number));
  }
  return { maxDiff, maxAbs };
}

/** Relative bound on the logits: `max |inference − training| ≤ RELATIVE · max |training|`. */
export const RELATIVE = 1e-5;

/** Checks one architecture on the active backend. */
export async function checkInferenceForm(id: string): Promise<void> {
  const size = inputSize(id);
  const model = await createModel(id, {
    numClasses: 10,
    skipInit: true,
    ...(size === undefined ? {} : { inputShape: [size, size, 3] }),
  });
  try {
    seedWeights(model, 29);
    const [, h, w, c] = model.inputs[0]!.shape as number[];
    const x = tf.randomNormal([2, h!, w!, c!], 0, 1, 'float32', 7);
    const reference = model.predict(x) as tf.Tensor;
    const before = tf.memory().numTensors;
    const fast = optimizeForInference(model);
    const made = tf.memory().numTensors;
    const logits = fast.predict(x) as tf.Tensor;
    expect(tf.memory().numTensors, 'predict leaves only its result').toBe(made + 1);
    expect(logits.shape).toEqual(reference.shape);
    const { maxDiff, maxAbs } = await compare(reference, logits);
    expect(maxAbs, 'logits are not all zero').toBeGreaterThan(1e-3);
    // The logits depend on the input (two images, two different rows; random MobileNetV3s barely do).
    const rows = (await reference.array()) as number[][];
    const [row0, row1] = rows;
    expect(Math.max(...row0!.map((v, i) => Math.abs(v - row1![i]!)))).toBeGreaterThan(1e-7 * maxAbs);
    expect(maxDiff, `max |Δ| ${maxDiff} vs max |logit| ${maxAbs}`).toBeLessThanOrEqual(RELATIVE * maxAbs);
    // Batch-norm after a convolution is folded, not called.
    const batchNorms = model.layers.filter((l) => l.getClassName() === 'BatchNormalization').length;
    const folded = fast.plan.filter((s) => s.op !== 'layer').flatMap((s) => s.layers);
    const foldedBn = model.layers.filter(
      (l) => l.getClassName() === 'BatchNormalization' && folded.includes(l.name),
    ).length;
    if (batchNorms > 0)
      expect(foldedBn, `${foldedBn} of ${batchNorms} batch-norms folded`).toBeGreaterThan(0);
    logits.dispose();
    fast.dispose();
    expect(tf.memory().numTensors, 'dispose releases every folded weight').toBe(before);
    x.dispose();
    reference.dispose();
  } finally {
    model.dispose();
  }
}

/** The architecture ids of one group, sorted. */
export function inferenceGroupIds(group: string): string[] {
  const member = INFERENCE_GROUPS[group];
  if (member === undefined) throw new Error(`unknown group ${group}`);
  return listModels().filter(member);
}

/** One `describe` with a test per architecture of `group`. */
export function describeInferenceGroup(group: string, backend = 'wasm'): void {
  describe(`inference form equals the training form: ${group}`, () => {
    beforeAll(async () => {
      await tf.setBackend(backend);
    });
    afterAll(async () => {
      await tf.setBackend('cpu');
    });
    for (const id of inferenceGroupIds(group)) {
      it(id, () => checkInferenceForm(id));
    }
  });
}
