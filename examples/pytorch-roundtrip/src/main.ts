#!/usr/bin/env node
/**
 * Moving weights to and from PyTorch (docs/guides/pytorch.md), both directions in one run:
 *
 * 1. tfzoo → PyTorch: `saveWeights(model, 'ours.safetensors', { names: 'reference' })` writes a
 *    state dict with torchvision's names and layouts; torchvision's model loads it with
 *    `load_state_dict(strict=True)` and gives the same logits.
 * 2. PyTorch → tfzoo: `torch.save(model.state_dict(), 'theirs.pth')`, then
 *    `createModel(arch, { weights: 'theirs.pth' })` gives the same logits as PyTorch.
 *
 * The PyTorch side is `reference.py` (torch + torchvision; Debian's `/usr/bin/python3` here).
 *
 * Usage: `node examples/pytorch-roundtrip/dist/main.js [resnet18] [size] [python]`
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { initBackend, saveWeights } from '@tfzoo/core';
import { createModel } from '@tfzoo/models';

const SCRIPT = fileURLToPath(new URL('../reference.py', import.meta.url));

/** Options of {@link run}. */
export interface RoundTripOptions {
  /** A torchvision architecture tfzoo registers (default `resnet18`). */
  arch?: string;
  /** Input height and width (default 224). */
  inputSize?: number;
  /** Python with torch and torchvision (default `/usr/bin/python3`). */
  python?: string;
}

/** Largest absolute difference, relative to the largest absolute reference value. */
export interface Agreement {
  /** max |ours − torch|. */
  maxError: number;
  /** max |torch|. */
  scale: number;
}

/** What {@link run} returns. */
export interface RoundTripResult {
  /** Reference names written by `saveWeights` (torchvision's state-dict keys). */
  savedNames: string[];
  /** Our model vs torchvision with our saved weights loaded strictly. */
  toTorch: Agreement;
  /** torchvision's saved weights loaded by `createModel` vs torchvision. */
  fromTorch: Agreement;
}

function agreement(ours: Float32Array, torch: Float32Array): Agreement {
  if (ours.length !== torch.length) throw new Error(`logit counts differ: ${ours.length} vs ${torch.length}`);
  let maxError = 0;
  let scale = 0;
  for (let i = 0; i < ours.length; i++) {
    maxError = Math.max(maxError, Math.abs((ours[i] as number) - (torch[i] as number)));
    scale = Math.max(scale, Math.abs(torch[i] as number));
  }
  return { maxError, scale };
}

function readF32(path: string): Float32Array {
  const bytes = readFileSync(path);
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

async function logits(model: tfl.LayersModel, input: tf.Tensor): Promise<Float32Array> {
  const output = model.predict(input) as tf.Tensor;
  const values = (await output.data()) as Float32Array;
  output.dispose();
  return values;
}

/** Runs both directions and reports how closely tfzoo and PyTorch agree. */
export async function run(options: RoundTripOptions = {}): Promise<RoundTripResult> {
  const arch = options.arch ?? 'resnet18';
  const size = options.inputSize ?? 224;
  const dir = mkdtempSync(join(tmpdir(), 'tfzoo-roundtrip-'));
  const input = tf.randomNormal([2, size, size, 3], 0, 1, 'float32', 7);
  let ours: tfl.LayersModel | undefined;
  let theirs: tfl.LayersModel | undefined;
  try {
    writeFileSync(join(dir, 'input.f32'), (await input.data()) as Float32Array);
    // 1. tfzoo → PyTorch. A freshly initialized model; its batch-norm statistics are 0 and 1.
    ours = await createModel(arch, { inputShape: [size, size, 3] });
    const saved = await saveWeights(ours, join(dir, 'ours.safetensors'), { names: 'reference' });
    execFileSync(options.python ?? '/usr/bin/python3', [SCRIPT, dir, arch, String(size)], { stdio: 'pipe' });
    const toTorch = agreement(await logits(ours, input), readF32(join(dir, 'ours.logits.f32')));
    // 2. PyTorch → tfzoo: the .pth torch.save wrote, loaded strictly with the family's mapping.
    theirs = await createModel(arch, { inputShape: [size, size, 3], weights: join(dir, 'theirs.pth') });
    const fromTorch = agreement(await logits(theirs, input), readF32(join(dir, 'theirs.logits.f32')));
    const header = readFileSync(saved);
    const length = Number(header.readBigUInt64LE(0));
    const names = Object.keys(JSON.parse(header.subarray(8, 8 + length).toString('utf8'))).filter(
      (name) => name !== '__metadata__',
    );
    return { savedNames: names, toTorch, fromTorch };
  } finally {
    ours?.dispose();
    theirs?.dispose();
    input.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [arch = 'resnet18', size = '224', python] = process.argv.slice(2);
  await initBackend(['wasm', 'cpu']);
  const result = await run({ arch, inputSize: Number(size), ...(python ? { python } : {}) });
  console.log(
    `saved ${result.savedNames.length} tensors with torchvision names (${result.savedNames[0]}, …)`,
  );
  console.log(
    `tfzoo → PyTorch: max |Δlogit| ${result.toTorch.maxError.toExponential(2)} (scale ${result.toTorch.scale.toFixed(3)})`,
  );
  console.log(
    `PyTorch → tfzoo: max |Δlogit| ${result.fromTorch.maxError.toExponential(2)} (scale ${result.fromTorch.scale.toFixed(3)})`,
  );
}
