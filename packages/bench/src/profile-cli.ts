/**
 * `npm run profile -w @tfzoo/bench -- [--models resnet18,mobilenet_v2] [--threads 1,2] [--runs 3]`:
 * per-kernel times of one batch-1 forward pass on wasm, the model as built against its inference
 * form (`optimizeForInference`), each kernel's total milliseconds (median over the runs) and call
 * count, as a Markdown table on stdout. With `--train-batch N`: the same for one training step at
 * batch N instead (the bench's step: forward in training mode (`applyReleasing`), cross-entropy, `leanVariableGrads`,
 * SGD update), with each kernel's share. A diagnostic for choosing what to optimize next, not a
 * benchmark: the bench command gives the throughput against onnxruntime-node and PyTorch.
 *
 * Each thread count runs in a process of its own (the wasm backend's pool is set when it starts).
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { deterministicImages, deterministicLabels, fillDeterministicWeights } from './deterministic.js';

interface KernelTotals {
  [kernel: string]: { ms: number; calls: number };
}

async function profileOnce(run: () => tf.Tensor): Promise<{ totals: KernelTotals; wallMs: number }> {
  const started = performance.now();
  let output: tf.Tensor | undefined;
  const info = await tf.profile(() => {
    output = run();
    return output;
  });
  await output?.data();
  const wallMs = performance.now() - started;
  output?.dispose();
  return { totals: totalsOf(info), wallMs };
}

/** Each kernel's total time and calls in a `tf.profile` record. */
function totalsOf(info: Awaited<ReturnType<typeof tf.profile>>): KernelTotals {
  const totals: KernelTotals = {};
  for (const k of info.kernels) {
    // `…__op` entries are the ops wrapping the kernels (their time includes the kernel's).
    if (k.name.endsWith('__op')) continue;
    const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    const entry = totals[k.name] ?? { ms: 0, calls: 0 };
    entry.ms += ms;
    entry.calls += 1;
    totals[k.name] = entry;
  }
  return totals;
}

async function timeForward(run: () => tf.Tensor, runs: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const y = run();
    await y.data();
    y.dispose();
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)] as number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

async function trainChild(
  model: string,
  threads: number,
  runs: number,
  size: number,
  batch: number,
): Promise<void> {
  await import('@tfzoo/wasm-training');
  const core = await import('@tfzoo/core');
  const { applyReleasing, leanVariableGrads } = await import('@tfzoo/train');
  await core.initBackend('wasm', { threads });
  const { createModel } = await import('@tfzoo/models');
  const built: tfl.LayersModel = await createModel(model, { inputShape: [size, size, 3], skipInit: true });
  fillDeterministicWeights(built, 1);
  const x = deterministicImages(batch, size, 2);
  const labels = deterministicLabels(batch, 1000, 3);
  const optimizer = tf.train.sgd(0.01);
  const variables = built.trainableWeights.map((w) => w.read() as tf.Variable);
  const step = (): tf.Tensor => {
    const { value, grads } = leanVariableGrads(
      () => tf.losses.softmaxCrossEntropy(labels, applyReleasing(built, x) as tf.Tensor) as tf.Scalar,
      variables,
    );
    optimizer.applyGradients(grads);
    tf.dispose(Object.values(grads));
    return value;
  };
  await timeForward(step, 1); // warm-up
  const stepMs = await timeForward(step, Math.max(3, runs));
  const profiles: KernelTotals[] = [];
  let peakBytes = 0;
  for (let i = 0; i < runs; i++) {
    let loss: tf.Tensor | undefined;
    const info = await tf.profile(() => {
      loss = step();
      return loss;
    });
    await loss?.data();
    loss?.dispose();
    peakBytes = Math.max(peakBytes, info.peakBytes);
    profiles.push(totalsOf(info));
  }
  const kernels: KernelTotals = {};
  for (const name of new Set(profiles.flatMap((p) => Object.keys(p)))) {
    kernels[name] = {
      ms: median(profiles.map((p) => p[name]?.ms ?? 0)),
      calls: profiles[0]?.[name]?.calls ?? 0,
    };
  }
  tf.dispose([x, labels]);
  optimizer.dispose();
  built.dispose();
  process.stdout.write(
    `${JSON.stringify({ model, threads, batch, size, train: { stepMs, peakBytes, kernels } })}\n`,
  );
}

async function child(model: string, threads: number, runs: number, size: number): Promise<void> {
  await import('@tfzoo/wasm-training');
  const core = await import('@tfzoo/core');
  await core.initBackend('wasm', { threads });
  const { createModel } = await import('@tfzoo/models');
  const built: tfl.LayersModel = await createModel(model, { inputShape: [size, size, 3], skipInit: true });
  fillDeterministicWeights(built, 1);
  const fast = core.optimizeForInference(built);
  const x = deterministicImages(1, size, 2);
  const forms: Record<string, () => tf.Tensor> = {
    built: () => built.predict(x) as tf.Tensor,
    inference: () => fast.predict(x) as tf.Tensor,
  };
  const out: Record<string, unknown> = { model, threads };
  for (const [name, run] of Object.entries(forms)) {
    await timeForward(run, 2); // warm-up
    const forwardMs = await timeForward(run, Math.max(3, runs));
    const profiles = [];
    for (let i = 0; i < runs; i++) profiles.push((await profileOnce(run)).totals);
    const kernels: KernelTotals = {};
    for (const name of new Set(profiles.flatMap((p) => Object.keys(p)))) {
      kernels[name] = {
        ms: median(profiles.map((p) => p[name]?.ms ?? 0)),
        calls: profiles[0]?.[name]?.calls ?? 0,
      };
    }
    out[name] = { forwardMs, kernels };
  }
  x.dispose();
  fast.dispose();
  built.dispose();
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

interface FormResult {
  forwardMs: number;
  kernels: KernelTotals;
}

function table(
  results: { model: string; threads: number; built: FormResult; inference: FormResult }[],
): string {
  const lines: string[] = [];
  for (const r of results) {
    lines.push(
      `\n### ${r.model}, wasm ${r.threads} thread${r.threads > 1 ? 's' : ''}: forward ${r.built.forwardMs.toFixed(1)} ms as built, ${r.inference.forwardMs.toFixed(1)} ms inference form (${(r.built.forwardMs / r.inference.forwardMs).toFixed(2)}×)\n`,
    );
    lines.push('| kernel | built: ms | calls | inference form: ms | calls |');
    lines.push('| --- | ---: | ---: | ---: | ---: |');
    const names = [...new Set([...Object.keys(r.built.kernels), ...Object.keys(r.inference.kernels)])];
    names.sort(
      (a, b) =>
        Math.max(r.built.kernels[b]?.ms ?? 0, r.inference.kernels[b]?.ms ?? 0) -
        Math.max(r.built.kernels[a]?.ms ?? 0, r.inference.kernels[a]?.ms ?? 0),
    );
    const cell = (k?: { ms: number; calls: number }) => (k ? `${k.ms.toFixed(2)} | ${k.calls}` : '– | 0');
    for (const name of names)
      lines.push(`| ${name} | ${cell(r.built.kernels[name])} | ${cell(r.inference.kernels[name])} |`);
    const sum = (f: FormResult) => Object.values(f.kernels).reduce((a, k) => a + k.ms, 0);
    lines.push(`| **sum of kernels** | ${sum(r.built).toFixed(2)} | | ${sum(r.inference).toFixed(2)} | |`);
  }
  return lines.join('\n');
}

interface TrainResult {
  model: string;
  threads: number;
  batch: number;
  size: number;
  train: { stepMs: number; peakBytes: number; kernels: KernelTotals };
}

function trainTable(results: TrainResult[]): string {
  const lines: string[] = [];
  for (const r of results) {
    const { stepMs, peakBytes, kernels } = r.train;
    const sum = Object.values(kernels).reduce((a, k) => a + k.ms, 0);
    lines.push(
      `\n### ${r.model}, training step at batch ${r.batch}, ${r.size}×${r.size}, wasm ${r.threads} thread${r.threads > 1 ? 's' : ''}: ${stepMs.toFixed(0)} ms (${((r.batch * 1000) / stepMs).toFixed(2)} img/s), peak tensors ${(peakBytes / 2 ** 20).toFixed(0)} MiB\n`,
    );
    lines.push('| kernel | ms (profiled) | calls | share |');
    lines.push('| --- | ---: | ---: | ---: |');
    const names = Object.keys(kernels).sort((a, b) => (kernels[b]?.ms ?? 0) - (kernels[a]?.ms ?? 0));
    for (const name of names) {
      const k = kernels[name] as { ms: number; calls: number };
      lines.push(`| ${name} | ${k.ms.toFixed(1)} | ${k.calls} | ${((100 * k.ms) / sum).toFixed(1)} % |`);
    }
    lines.push(`| **sum of kernels** | ${sum.toFixed(1)} | | |`);
  }
  lines.push(
    "\nProfiled kernel times include the profiler's own synchronization, so their sum exceeds the step time; read the shares. Kernels that compose others (the conv gradients of @tfzoo/wasm-training) count their inner kernels too.",
  );
  return lines.join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      models: { type: 'string', default: 'resnet18,mobilenet_v2' },
      threads: { type: 'string', default: '1,2' },
      runs: { type: 'string', default: '3' },
      'image-size': { type: 'string', default: '224' },
      'train-batch': { type: 'string', default: '0' },
      child: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(
      'npm run profile -w @tfzoo/bench -- [--models resnet18,mobilenet_v2] [--threads 1,2] [--runs 3] [--image-size 224] [--train-batch 16]\n',
    );
    return;
  }
  const runs = Number(values.runs);
  const size = Number(values['image-size']);
  const models = String(values.models).split(',');
  const threads = String(values.threads).split(',').map(Number);
  const trainBatch = Number(values['train-batch']);
  for (const [name, value] of [
    ['runs', runs],
    ['image-size', size],
    ...threads.map((t) => ['threads', t] as const),
  ] as const) {
    if (!Number.isInteger(value) || value < 1)
      throw new Error(`--${name} must be a positive integer; received ${value}`);
  }
  if (!Number.isInteger(trainBatch) || trainBatch < 0) {
    throw new Error(
      `--train-batch must be a positive integer (0: profile inference); received ${values['train-batch']}`,
    );
  }
  if (values.child) {
    if (trainBatch > 0) await trainChild(models[0] as string, threads[0] as number, runs, size, trainBatch);
    else await child(models[0] as string, threads[0] as number, runs, size);
    return;
  }
  const results = [];
  for (const model of models) {
    for (const t of threads) {
      const output = execFileSync(
        process.execPath,
        [
          fileURLToPath(import.meta.url),
          '--child',
          '--models',
          model,
          '--threads',
          String(t),
          '--runs',
          String(runs),
          '--image-size',
          String(size),
          '--train-batch',
          String(trainBatch),
        ],
        { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 },
      );
      const line = output.trim().split('\n').pop() as string;
      results.push(JSON.parse(line));
    }
  }
  process.stdout.write(`${trainBatch > 0 ? trainTable(results) : table(results)}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
