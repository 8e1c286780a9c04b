/**
 * A benchmark worker: one runtime and one model in a process of its own (TF.js backends and wasm
 * thread counts cannot be switched cleanly inside one process). Run by the orchestrator as
 * `node worker.js <task.json> <result.json>`; it rewrites the result file after every case, so a
 * worker killed at its time limit still leaves what it measured.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { applyReleasing, CheckpointedModel, leanVariableGrads } from '@tfzoo/train';
import {
  deterministicImages,
  deterministicLabels,
  fillDeterministicWeights,
  uniform,
} from './deterministic.js';
import { measureCase, peakRssBytes, seconds } from './measure.js';
import { NEAR_HEAP_LIMIT_RSS_BYTES } from './train-check.js';
import type { BenchRow, Case, CheckResult, WorkerResult, WorkerTask } from './types.js';

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function failAll(task: WorkerTask, result: WorkerResult, status: BenchRow['status'], reason: string): void {
  result.rows = task.cases.map((c) => ({
    model: task.model?.id ?? '',
    runtime: task.runtime.key,
    ...c,
    status,
    reason,
  }));
}

/** The logits check: the relative error of `logits` against the reference, held to `tolerance`. */
export function compareLogits(
  logits: ArrayLike<number>,
  reference: ArrayLike<number>,
  tolerance: number,
  secondsTaken: number,
): CheckResult {
  if (logits.length !== reference.length) {
    return {
      ok: false,
      maxAbsDiff: Number.NaN,
      relativeError: Number.NaN,
      tolerance,
      seconds: secondsTaken,
      reason: `logits have ${logits.length} values, the cpu reference ${reference.length}`,
    };
  }
  let maxAbsDiff = 0;
  let scale = 0;
  for (let i = 0; i < logits.length; i++) {
    const diff = Math.abs((logits[i] as number) - (reference[i] as number));
    maxAbsDiff = Number.isNaN(diff) ? Number.NaN : Math.max(maxAbsDiff, diff);
    scale = Math.max(scale, Math.abs(reference[i] as number));
  }
  const relativeError = maxAbsDiff / (scale || 1);
  return { ok: relativeError <= tolerance, maxAbsDiff, relativeError, tolerance, seconds: secondsTaken };
}

async function runTfjs(task: WorkerTask, result: WorkerResult, save: () => void): Promise<void> {
  const backend = task.runtime.backend ?? 'cpu';
  try {
    await import('@tfzoo/wasm-training');
    result.info.wasmTraining = 'loaded (wasm gradient kernels and the Node thread loader registered)';
  } catch (error) {
    result.info.wasmTraining = `not loaded: ${message(error)}`;
  }
  const core = await import('@tfzoo/core');
  try {
    const info = await core.initBackend(backend as Parameters<typeof core.initBackend>[0], {
      threads: task.runtime.threads,
    });
    result.info.attempts = info.attempts;
    result.info.tfBackend = tf.getBackend();
    if (info.adapter) result.info.adapter = info.adapter;
  } catch (error) {
    const attempts = (error as { details?: unknown }).details;
    result.info.initError = message(error);
    if (attempts !== undefined) result.info.details = attempts;
    result.reason = message(error).replace(/\s+/g, ' ');
    failAll(task, result, 'unavailable', result.reason);
    return;
  }
  result.available = true;
  result.info.tfjsCore = tf.version_core;
  if (backend === 'wasm') {
    try {
      const { wasmThreadsCount } = await import('@tfzoo/wasm-training');
      result.info.wasmThreads = wasmThreadsCount();
    } catch (error) {
      result.info.wasmThreads = `unknown: ${message(error)}`;
    }
  }
  const spec = task.model;
  if (!spec) return;

  let model: tfl.LayersModel;
  const buildStart = seconds();
  try {
    for (const name of spec.packages) {
      try {
        await import(name);
      } catch (error) {
        result.info[`import ${name}`] = message(error);
      }
    }
    const { createModel } = await import('@tfzoo/models');
    model = await createModel(spec.id, { numClasses: 1000, inputShape: [task.imageSize, task.imageSize, 3] });
    fillDeterministicWeights(model, task.seed);
  } catch (error) {
    result.reason = `model not available: ${message(error)}`;
    failAll(task, result, 'error', result.reason);
    return;
  }
  // The inference form, when the runtime asks for it: predict-only, so training rows never use it.
  const fast = task.runtime.optimize ? core.optimizeForInference(model) : undefined;
  const predict = (x: tf.Tensor): tf.Tensor => (fast ?? model).predict(x) as tf.Tensor;
  if (fast) result.info.inferencePlan = summarizePlan(fast.plan);
  result.buildSeconds = seconds() - buildStart;
  save();

  // The logits check: batch 1, the same weights and input in every process.
  /** One batch-1 call on the check input: its logits and seconds. */
  const predictCheck = async (): Promise<{ logits: ArrayLike<number>; seconds: number }> => {
    // Made and released around each call: a batch-1 input kept alive across the calls split the
    // heap's free space (MobileNetV2's training row then peaked at a 2.19 GiB heap, not 1.91).
    const input = deterministicImages(1, task.imageSize, task.seed + 1);
    const started = seconds();
    const output = predict(input);
    const values = await output.data();
    const took = seconds() - started;
    tf.dispose([input, output]);
    return { logits: values, seconds: took };
  };
  const { logits, seconds: checkSeconds } = await predictCheck();
  if (backend === 'cpu') {
    if (task.referencePath)
      writeFileSync(task.referencePath, JSON.stringify({ model: spec.id, logits: Array.from(logits) }));
    result.check = {
      ok: true,
      maxAbsDiff: 0,
      relativeError: 0,
      tolerance: task.tolerance,
      seconds: checkSeconds,
      reason: 'the reference',
    };
  } else if (task.referencePath && existsSync(task.referencePath)) {
    const reference = JSON.parse(readFileSync(task.referencePath, 'utf8')) as { logits: number[] };
    result.check = compareLogits(logits, reference.logits, task.tolerance, checkSeconds);
    if (!result.check.ok) {
      result.reason = `logits differ from the cpu backend's: relative error ${result.check.relativeError.toExponential(2)} > ${task.tolerance}${result.check.reason ? ` (${result.check.reason})` : ''}`;
      failAll(task, result, 'error', result.reason);
      fast?.dispose();
      model.dispose();
      return;
    }
  } else {
    result.check = {
      ok: false,
      maxAbsDiff: Number.NaN,
      relativeError: Number.NaN,
      tolerance: task.tolerance,
      seconds: checkSeconds,
      reason: 'no cpu reference logits (the cpu worker did not produce them); timed unchecked',
    };
  }
  save();

  let perImage = checkSeconds;
  // The check's call is a first call: it packs the weights (VGG-16 at batch 1: several seconds, a
  // warm call well under one). When a training case comes first, with no inference row to estimate
  // from, a second batch-1 call gives the per-image time instead.
  if (task.cases[0]?.mode === 'train') perImage = (await predictCheck()).seconds;
  let trainPerImage: number | undefined;
  for (const c of task.cases) {
    result.running = { ...c, since: Date.now() };
    save();
    const base = { model: spec.id, runtime: task.runtime.key, ...c };
    const x = deterministicImages(c.batch, task.imageSize, task.seed + 2);
    let row: BenchRow;
    try {
      if (c.mode === 'inference') {
        const call = async (): Promise<void> => {
          const y = predict(x);
          await y.data();
          y.dispose();
        };
        row = await measureCase(base, call, {
          warmup: task.warmup,
          repeats: task.repeats,
          budgetSeconds: task.rowBudgetSeconds,
          estimateSeconds: perImage * c.batch,
          warm: async () => ({ peakTensorBytes: (await tf.profile(call)).peakBytes }),
        });
        if (row.medianSeconds !== undefined) perImage = row.medianSeconds / c.batch;
      } else {
        const labels = deterministicLabels(c.batch, 1000, task.seed + 3);
        const optimizer = tf.train.sgd(0.01);
        const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
        const checkpointed = task.gradCheckpointing ? new CheckpointedModel(model) : undefined;
        const forward = (): tf.Tensor =>
          checkpointed ? (checkpointed.apply(x) as tf.Tensor) : (applyReleasing(model, x) as tf.Tensor);
        // The training loop's step (`@tfzoo/train`): gradients with the backward pass's memory
        // released as it goes, applied, then freed before the loss is read.
        const call = async (): Promise<void> => {
          const { value, grads } = leanVariableGrads(
            () => tf.losses.softmaxCrossEntropy(labels, forward()) as tf.Scalar,
            variables,
          );
          optimizer.applyGradients(grads);
          tf.dispose(Object.values(grads));
          await value.data();
          value.dispose();
        };
        try {
          row = await measureCase(base, call, {
            warmup: task.warmup,
            repeats: task.repeats,
            budgetSeconds: task.rowBudgetSeconds,
            estimateSeconds: (trainPerImage ?? 3 * perImage) * c.batch,
            warm: async () => ({ peakTensorBytes: (await tf.profile(call)).peakBytes }),
          });
          if (row.medianSeconds !== undefined) trainPerImage = row.medianSeconds / c.batch;
        } finally {
          labels.dispose();
          optimizer.dispose();
        }
      }
    } catch (error) {
      row = { ...base, status: 'error', reason: message(error).split('\n')[0] ?? 'error' };
      if (error instanceof Error && error.stack) result.info[`stack ${c.mode} b${c.batch}`] = error.stack;
      // wasm32 cannot grow past 4 GiB: a kernel whose allocation fails surfaces as a TypeError.
      if (backend === 'wasm' && peakRssBytes() > NEAR_HEAP_LIMIT_RSS_BYTES) {
        row.reason = `${row.reason} (peak RSS ${(peakRssBytes() / 2 ** 30).toFixed(1)} GiB: the wasm heap's 4 GiB limit was most likely reached)`;
      }
    } finally {
      x.dispose();
    }
    row.peakRssBytes = peakRssBytes();
    const heap = core.wasmHeapBytes(tf.backend());
    if (heap !== undefined) row.heapBytes = heap;
    result.rows.push(row);
    delete result.running;
    save();
  }
  fast?.dispose();
  model.dispose();
}

/** How many steps of each kind the inference form runs (`conv2d+relu: 8`, `layer: 2`, …). */
function summarizePlan(plan: readonly { op: string; activation?: string }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const step of plan) {
    const key = step.activation ? `${step.op}+${step.activation}` : step.op;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

interface OrtModule {
  InferenceSession: {
    create(
      path: string,
      options: Record<string, unknown>,
    ): Promise<{
      inputNames: readonly string[];
      outputNames: readonly string[];
      run(feeds: Record<string, unknown>): Promise<Record<string, { data: unknown; dispose?: () => void }>>;
      release(): Promise<void>;
    }>;
  };
  Tensor: new (type: string, data: Float32Array, dims: number[]) => unknown;
  env: { versions?: Record<string, string> };
}

async function runOnnxruntime(task: WorkerTask, result: WorkerResult, save: () => void): Promise<void> {
  let ort: OrtModule;
  try {
    const require = createRequire(import.meta.url);
    ort = require('onnxruntime-node') as OrtModule;
    result.info.onnxruntime = (require('onnxruntime-node/package.json') as { version: string }).version;
  } catch (error) {
    result.reason = `onnxruntime-node does not load (npm install --ignore-scripts onnxruntime-node brings its CPU binary): ${message(error)}`;
    failAll(task, result, 'unavailable', result.reason);
    return;
  }
  result.available = true;
  const spec = task.model;
  if (!spec) return;
  if (!task.onnxPath || !existsSync(task.onnxPath)) {
    result.reason = `no ONNX file for ${spec.id} (the PyTorch worker exports it with torch.onnx.export; see its error)`;
    failAll(task, result, 'error', result.reason);
    return;
  }
  const buildStart = seconds();
  const session = await ort.InferenceSession.create(task.onnxPath, {
    intraOpNumThreads: task.runtime.threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  result.buildSeconds = seconds() - buildStart;
  const inputName = session.inputNames[0] as string;
  const size = task.imageSize;
  const checkStart = seconds();
  await session.run({
    [inputName]: new ort.Tensor('float32', uniform(3 * size * size, -1, 1, task.seed + 1), [
      1,
      3,
      size,
      size,
    ]),
  });
  let perImage = seconds() - checkStart;
  for (const c of task.cases) {
    result.running = { ...c, since: Date.now() };
    save();
    const base = { model: spec.id, runtime: task.runtime.key, ...c };
    let row: BenchRow;
    if (c.mode !== 'inference') {
      row = {
        ...base,
        status: 'unavailable',
        reason: 'onnxruntime-node runs inference only (training needs onnxruntime-training)',
      };
    } else {
      const input = new ort.Tensor('float32', uniform(c.batch * 3 * size * size, -1, 1, task.seed + 2), [
        c.batch,
        3,
        size,
        size,
      ]);
      const call = async (): Promise<void> => {
        const outputs = await session.run({ [inputName]: input });
        for (const output of Object.values(outputs)) output.dispose?.();
      };
      try {
        row = await measureCase(base, call, {
          warmup: task.warmup,
          repeats: task.repeats,
          budgetSeconds: task.rowBudgetSeconds,
          estimateSeconds: perImage * c.batch,
        });
        if (row.medianSeconds !== undefined) perImage = row.medianSeconds / c.batch;
      } catch (error) {
        row = { ...base, status: 'error', reason: message(error).split('\n')[0] ?? 'error' };
      }
    }
    row.peakRssBytes = peakRssBytes();
    result.rows.push(row);
    delete result.running;
    save();
  }
  await session.release();
}

/** Runs the task in `taskPath` and writes the {@link WorkerResult} to `resultPath`. */
export async function runWorker(taskPath: string, resultPath: string): Promise<void> {
  const task = JSON.parse(readFileSync(taskPath, 'utf8')) as WorkerTask;
  const result: WorkerResult = {
    runtime: task.runtime.key,
    ...(task.model ? { model: task.model.id } : {}),
    available: false,
    info: {},
    rows: [],
  };
  const save = (): void => writeFileSync(resultPath, JSON.stringify(result, null, 1));
  save();
  try {
    if (task.runtime.kind === 'onnxruntime') await runOnnxruntime(task, result, save);
    else await runTfjs(task, result, save);
  } catch (error) {
    result.reason = `worker failed: ${message(error)}`;
    const done = new Set(result.rows.map((r: BenchRow) => `${r.mode}/${r.batch}`));
    for (const c of task.cases as Case[]) {
      if (!done.has(`${c.mode}/${c.batch}`)) {
        result.rows.push({
          model: task.model?.id ?? '',
          runtime: task.runtime.key,
          ...c,
          status: 'error',
          reason: result.reason,
        });
      }
    }
  }
  save();
}

const [taskPath, resultPath] = process.argv.slice(2);
if (taskPath && resultPath && process.argv[1]?.endsWith('worker.js')) {
  // wasm's pthread pool keeps the event loop alive: exit explicitly once the result is written.
  // A WebGPU device is released first (a Node process holding one does not exit by itself).
  runWorker(taskPath, resultPath)
    .then(async () => (await import('@tfzoo/core')).releaseBackend())
    .then(
      () => process.exit(0),
      (error) => {
        process.stderr.write(`${message(error)}\n`);
        process.exit(1);
      },
    );
}
