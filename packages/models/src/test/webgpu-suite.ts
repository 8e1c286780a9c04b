/**
 * Issue 24's registry-wide WebGPU check, run in CI without a GPU: Dawn (the `webgpu` package) on
 * SwiftShader's Vulkan driver (Debian's `chromium`, installed by `.ci/setup`), the code path an
 * NVIDIA Vulkan driver takes on a GPU machine.
 *
 * - every architecture (one variant each, at 64×64 or its own input size) gives the cpu backend's
 *   logits within 1e-3 relative;
 * - one model per family runs a training step: finite loss, finite gradients, changed weights;
 * - nothing leaks (`tf.memory().numTensors` before and after), and every read is asynchronous.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { getModelDefinition, listModels, withSeed } from '@tfzoo/core';
import { useWebGpu } from '@tfzoo/test-harness';
import { describe, expect, it } from 'vitest';
import { createModel } from '../index.js';

/** Input side of the checks (every family's total stride is at most 32). */
export const WEBGPU_SIZE = 64;

/** Architectures with a fixed input of their own, built at their default size. */
const OWN_INPUT = new Set(['lenet5']);

/**
 * The architecture an id is a variant of: the id without its depth, width or group suffix
 * (`resnet50` → `resnet`, `shufflenet_v1_g3_x1_5` → `shufflenet_v1`, `vgg16_bn` → `vgg_bn`,
 * `mobilenet_v3_small` → `mobilenet_v3`, `seresnext50_32x4d` → `seresnext`).
 */
export function architectureOf(id: string): string {
  const special =
    /^(shufflenet_v[12])_/.exec(id) ??
    /^(mobilenet_v\d)(_large|_small)?$/.exec(id) ??
    /^(mobilenetv\d)_\d+$/.exec(id) ??
    // timm's MobileNetV3 ids (every width, small, large, rw): one architecture; the tf_ ports another (TF padding).
    /^((?:tf_)?mobilenetv3)_/.exec(id) ??
    /^(squeezenet)1_[01]$/.exec(id);
  if (special) return special[1]!;
  return id.replace(/\d+(_\d+x\d+d|_2)?(_bn)?$/, '$2');
}

/** Natural order: `resnet18` before `resnet101`, `x0_5` before `x1_0`. */
function natural(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

/** One variant per architecture: the first in natural order (the smallest depth or width). */
export function oneVariantPerArchitecture(ids: readonly string[] = listModels()): string[] {
  const chosen = new Map<string, string>();
  for (const id of [...ids].sort(natural)) {
    const arch = architectureOf(id);
    if (!chosen.has(arch)) chosen.set(arch, id);
  }
  return [...chosen.values()].sort();
}

/** One model per family (the smallest variant of each family package) for the training step. */
export function oneModelPerFamily(ids: readonly string[] = listModels()): string[] {
  const chosen = new Map<string, string>();
  // Legacy (Cadene-layout) variants sort first but are the heavy ones (SENet-154): prefer the others.
  const order = [...ids].sort(
    (a, b) => Number(a.startsWith('legacy_')) - Number(b.startsWith('legacy_')) || natural(a, b),
  );
  for (const id of order) {
    const family = getModelDefinition(id).family;
    if (!chosen.has(family)) chosen.set(family, id);
  }
  return [...chosen.values()].sort();
}

/** Builds `id` (10 classes, the check size, seeded weights), on the active backend. */
async function build(id: string): Promise<tfl.LayersModel> {
  return withSeed(24, () =>
    createModel(id, {
      numClasses: 10,
      ...(OWN_INPUT.has(id) ? {} : { inputShape: [WEBGPU_SIZE, WEBGPU_SIZE, 3] }),
    }),
  );
}

function inputOf(model: tfl.LayersModel, batch: number): tf.Tensor4D {
  const [, h, w, c] = model.inputs[0]!.shape as number[];
  return tf.randomUniform([batch, h!, w!, c!], -1, 1, 'float32', 7) as tf.Tensor4D;
}

/**
 * The logits of `id` on WebGPU against the cpu backend's, same weights and input: relative error
 * (max |Δ| / max |cpu logit|) at most 1e-3; no tensor left behind on either backend.
 */
export async function checkLogits(id: string): Promise<number> {
  await tf.setBackend('cpu');
  const model = await build(id);
  try {
    const x = inputOf(model, 2);
    const onCpu = model.predict(x) as tf.Tensor;
    const expected = await onCpu.data();
    onCpu.dispose();
    await tf.setBackend('webgpu');
    const before = tf.memory().numTensors;
    const onGpu = model.predict(x) as tf.Tensor;
    expect(onGpu.shape).toEqual([2, 10]);
    const actual = await onGpu.data();
    onGpu.dispose();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    let scale = 0;
    let error = 0;
    for (let i = 0; i < expected.length; i++) {
      scale = Math.max(scale, Math.abs(expected[i]!));
      error = Math.max(error, Math.abs(actual[i]! - expected[i]!));
    }
    expect(scale, `${id}: the cpu logits are all zero`).toBeGreaterThan(0);
    const relative = error / scale;
    expect(relative, `${id}: max |Δ| ${error} over max |logit| ${scale}`).toBeLessThanOrEqual(1e-3);
    return relative;
  } finally {
    model.dispose();
  }
}

/**
 * One SGD step of `id` on WebGPU, batch 2: finite loss, a finite gradient for every trainable
 * weight, a changed weight, no leaked tensor. Every read is asynchronous.
 */
export async function trainStep(id: string): Promise<number> {
  await tf.setBackend('webgpu');
  const model = await build(id);
  try {
    const before = tf.memory().numTensors;
    const x = inputOf(model, 2);
    const y = tf.tidy(() => tf.oneHot(tf.tensor1d([3, 7], 'int32'), 10));
    const variables = model.trainableWeights.map((v) => v.read() as tf.Variable);
    const { value, grads } = tf.variableGrads(() => {
      const logits = model.apply(x, { training: true }) as tf.Tensor;
      return tf.losses.softmaxCrossEntropy(y, logits) as tf.Scalar;
    }, variables);
    const loss = (await value.data())[0]!;
    expect(Number.isFinite(loss), `${id}: loss ${loss}`).toBe(true);
    expect(Object.keys(grads).length).toBe(variables.length);
    const allFinite = tf.tidy(() =>
      tf.min(tf.stack(Object.values(grads).map((g) => tf.cast(tf.all(tf.isFinite(g)), 'float32')))),
    );
    expect((await allFinite.data())[0], `${id}: every gradient is finite`).toBe(1);
    allFinite.dispose();
    const sample = variables[0]!;
    const sampleBefore = (await sample.data()).slice();
    const optimizer = tf.train.sgd(0.1);
    optimizer.applyGradients(grads);
    optimizer.dispose();
    const sampleAfter = await sample.data();
    expect(
      sampleAfter.some((v, i) => v !== sampleBefore[i]),
      `${id}: the step changed ${sample.name}`,
    ).toBe(true);
    tf.dispose([x, y, value, ...Object.values(grads)]);
    expect(tf.memory().numTensors).toBe(before);
    return loss;
  } finally {
    model.dispose();
  }
}

/** Declares the logits checks of `ids`. */
export function describeLogits(title: string, ids: readonly string[]): void {
  describe(`WebGPU logits vs cpu at ${WEBGPU_SIZE}×${WEBGPU_SIZE}: ${title}`, () => {
    useWebGpu({ relaxLeakCheck: true });
    // SwiftShader compiles every shader on the CPU: the largest models take minutes on a busy machine.
    for (const id of ids) it(id, async () => void (await checkLogits(id)), 900_000);
  });
}

/** Splits `ids` into `parts` interleaved shares (so each test file gets small and large models). */
export function share(ids: readonly string[], part: number, parts: number): string[] {
  return ids.filter((_, i) => i % parts === part);
}

/** Declares the training steps of `ids`. */
export function describeTraining(title: string, ids: readonly string[]): void {
  describe(`one WebGPU training step at ${WEBGPU_SIZE}×${WEBGPU_SIZE}: ${title}`, () => {
    useWebGpu({ relaxLeakCheck: true });
    for (const id of ids) it(id, async () => void (await trainStep(id)), 900_000);
  });
}
