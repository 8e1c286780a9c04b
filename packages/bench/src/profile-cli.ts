/**
 * `npm run profile -w @tfzoo/bench -- [--models resnet18,mobilenet_v2] [--threads 1,2] [--runs 3]`:
 * per-kernel times of one batch-1 forward pass on wasm, the model as built against its inference
 * form (`optimizeForInference`), each kernel's total milliseconds (median over the runs) and call
 * count, as a Markdown table on stdout. A diagnostic for choosing what to optimize next, not a
 * benchmark: the bench command gives the throughput against onnxruntime-node.
 *
 * Each thread count runs in a process of its own (the wasm backend's pool is set when it starts).
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { deterministicImages, fillDeterministicWeights } from './deterministic.js';

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
  return { totals, wallMs };
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

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      models: { type: 'string', default: 'resnet18,mobilenet_v2' },
      threads: { type: 'string', default: '1,2' },
      runs: { type: 'string', default: '3' },
      'image-size': { type: 'string', default: '224' },
      child: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(
      'npm run profile -w @tfzoo/bench -- [--models resnet18,mobilenet_v2] [--threads 1,2] [--runs 3] [--image-size 224]\n',
    );
    return;
  }
  const runs = Number(values.runs);
  const size = Number(values['image-size']);
  const models = String(values.models).split(',');
  const threads = String(values.threads).split(',').map(Number);
  if (values.child) {
    await child(models[0] as string, threads[0] as number, runs, size);
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
        ],
        { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 },
      );
      const line = output.trim().split('\n').pop() as string;
      results.push(JSON.parse(line));
    }
  }
  process.stdout.write(`${table(results)}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
