#!/usr/bin/env node
/**
 * Adding a new architecture (docs/guides/new-architecture.md): once `./tinynet/index.js` is imported,
 * the registry knows `tinynet_s` and `tinynet_m`, so `createModel`, `summarize`, saving with
 * reference names and loading them back all work like for the built-in families.
 *
 * Usage: `node examples/new-architecture/dist/main.js`
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { exportStateDict, initBackend, listModels, saveWeights, summarize } from '@tfzoo/core';
import { createModel } from '@tfzoo/models';
import './tinynet/index.js';

/** What {@link run} returns. */
export interface NewArchitectureResult {
  /** Registered TinyNet ids. */
  registered: string[];
  /** Trainable parameters of `tinynet_s` with 10 classes. */
  params: number;
  /** MACs of `tinynet_s` at 32×32. */
  macs: number;
  /** The state-dict names `saveWeights(..., { names: 'reference' })` writes. */
  referenceNames: string[];
  /** Largest difference between the model and its copy loaded from the saved file. */
  reloadDifference: number;
}

/** Builds TinyNet through the registry, saves it with PyTorch names and loads it back. */
export async function run(): Promise<NewArchitectureResult> {
  const dir = mkdtempSync(join(tmpdir(), 'tfzoo-tinynet-'));
  const model = await createModel('tinynet_s', { numClasses: 10, inputShape: [32, 32, 3] });
  let copy: Awaited<ReturnType<typeof createModel>> | undefined;
  try {
    const summary = summarize(model);
    const referenceNames = [...exportStateDict(model, { names: 'reference' }).keys()].sort();
    const file = await saveWeights(model, join(dir, 'tinynet_s.safetensors'), { names: 'reference' });
    copy = await createModel('tinynet_s', { numClasses: 10, inputShape: [32, 32, 3], weights: file });
    const reloadDifference = tf.tidy(() => {
      const input = tf.randomNormal([2, 32, 32, 3], 0, 1, 'float32', 5);
      const a = model.predict(input) as tf.Tensor;
      const b = (copy as NonNullable<typeof copy>).predict(input) as tf.Tensor;
      return tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] as number;
    });
    return {
      registered: listModels('tinynet*'),
      params: summary.trainableParams,
      macs: summary.macs,
      referenceNames,
      reloadDifference,
    };
  } finally {
    model.dispose();
    copy?.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await initBackend(['wasm', 'cpu']);
  const result = await run();
  console.log(`registered: ${result.registered.join(', ')}`);
  console.log(`tinynet_s: ${result.params} params, ${result.macs} MACs at 32×32`);
  console.log(`state dict: ${result.referenceNames.join(', ')}`);
  console.log(`reloaded from the saved file: max |Δ| ${result.reloadDifference}`);
}
