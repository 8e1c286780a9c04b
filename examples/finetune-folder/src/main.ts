#!/usr/bin/env node
/**
 * Fine-tuning on your own image folder (docs/guides/fine-tuning.md): `root/<class>/<image>` in,
 * a trained classifier out. The model comes from the registry with a fresh head for your classes
 * (`createModel(arch, { pretrained: true, numClasses })`, like timm), the backbone can be frozen,
 * images go through the weights' own preprocessing (`@tfzoo/datasets`), `@tfzoo/train` runs the
 * loop, and accuracy is measured on a held-out, stratified validation split.
 *
 * Usage: `node examples/finetune-folder/dist/main.js <root> [arch=resnet18] [epochs=3]`
 */
import { pathToFileURL } from 'node:url';
import type * as tfl from '@tensorflow/tfjs-layers';
import { initBackend } from '@tfzoo/core';
// wasm lacks three conv gradient kernels; this registers them, so training runs on wasm (side effect).
import '@tfzoo/wasm-training';
import {
  centerCrop,
  compose,
  DataLoader,
  imageFolder,
  preprocessForPretrained,
  resize,
  type Transform,
  toFloat,
  trainTransformForPretrained,
  trainValidationSplit,
} from '@tfzoo/datasets';
import { createModel, getPretrainedConfig } from '@tfzoo/models';
import { Adam } from '@tfzoo/optimizers';
import { evaluate, freeze, train as trainModel } from '@tfzoo/train';

/** Options of {@link run}. */
export interface FinetuneOptions {
  /** Image folder: one sub-folder per class. */
  root: string;
  /** Registered architecture (default `resnet18`). */
  arch?: string;
  /** Start from the registered pretrained weights (default true; downloads once, then cached). */
  pretrained?: boolean;
  /** Train only the new classifier, keeping the backbone frozen (default true with `pretrained`). */
  freezeBackbone?: boolean;
  /** Input height and width (default: the weights' input size; for no weights, the builder's). */
  inputSize?: number;
  /** Epochs (default 3). */
  epochs?: number;
  /** Batch size (default 16). */
  batchSize?: number;
  /** Adam learning rate (default 1e-3; `@tfzoo/optimizers`' PyTorch-exact Adam). */
  learningRate?: number;
  /** Family-specific build options passed to `createModel` (e.g. `{ activation: 'relu' }` for LeNet-5). */
  modelOptions?: Readonly<Record<string, unknown>>;
  /** Fraction of each class held out for validation (default 0.25). */
  validationFraction?: number;
  /** Seed of the split, the shuffling and (without pretrained weights) the initialization (default 0). */
  seed?: number;
}

/** What {@link run} returns. */
export interface FinetuneResult {
  /** Class names, in label order. */
  classes: readonly string[];
  /** Training loss after each epoch. */
  losses: number[];
  /** Accuracy on the held-out images. */
  validationAccuracy: number;
  /** Number of held-out images. */
  validationSize: number;
  /** Trainable weights of the model as trained. */
  trainableParams: number;
  /** The trained model (dispose it). */
  model: tfl.LayersModel;
}

/** Fine-tunes `arch` on the folder and evaluates it on a held-out split. */
export async function run(options: FinetuneOptions): Promise<FinetuneResult> {
  const arch = options.arch ?? 'resnet18';
  const pretrained = options.pretrained ?? true;
  const seed = options.seed ?? 0;
  const folder = await imageFolder(options.root);
  const { train, validation } = trainValidationSplit(folder, {
    validationFraction: options.validationFraction ?? 0.25,
    seed,
  });
  // Prepare images the way the weights were trained; without weights, resize and scale to [0, 1].
  let trainTransform: Transform;
  let evalTransform: Transform;
  let inputSize = options.inputSize;
  if (pretrained) {
    const { preprocessing } = getPretrainedConfig(arch);
    const size = inputSize ?? preprocessing.inputSize[0];
    const scaled = {
      ...preprocessing,
      inputSize: [size, size, 3] as const,
      resizeSize: Math.round(size / preprocessing.cropFraction),
    };
    trainTransform = trainTransformForPretrained(scaled);
    evalTransform = preprocessForPretrained(scaled);
    inputSize = size;
  } else {
    const size = inputSize ?? 224;
    trainTransform = compose(resize(size), centerCrop(size), toFloat());
    evalTransform = trainTransform;
    inputSize = size;
  }
  const model = await createModel(arch, {
    ...options.modelOptions,
    pretrained,
    numClasses: folder.classes.length, // a fresh classifier (logits) for our classes
    inputShape: [inputSize, inputSize, 3],
    seed, // a fresh head (and, without weights, the whole model) starts the same on every run
  });
  try {
    // The backbone: no gradients, and its batch-norm keeps its running statistics.
    if (options.freezeBackbone ?? pretrained) freeze(model, 'backbone');
    const batchSize = options.batchSize ?? 16;
    const data = new DataLoader(train, { batchSize, shuffle: true, seed, transform: trainTransform });
    const validationData = new DataLoader(validation, { batchSize, transform: evalTransform });
    const optimizer = new Adam({ learningRate: options.learningRate ?? 1e-3 });
    const history = await trainModel({ model, data, epochs: options.epochs ?? 3, optimizer });
    optimizer.dispose();
    const scores = await evaluate(model, validationData);
    const trainableParams = model.trainableWeights.reduce(
      (sum, w) => sum + w.shape.reduce<number>((a, b) => a * (b ?? 1), 1),
      0,
    );
    return {
      classes: folder.classes,
      losses: history.epochs.map((epoch) => epoch.loss),
      validationAccuracy: scores.accuracy as number,
      validationSize: scores.samples,
      trainableParams,
      model,
    };
  } catch (error) {
    model.dispose();
    throw error;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [root, arch = 'resnet18', epochs = '3'] = process.argv.slice(2);
  if (!root) {
    console.error('usage: main.js <image folder> [arch] [epochs]; the folder holds one sub-folder per class');
    process.exit(2);
  }
  await initBackend(['wasm', 'cpu']);
  const result = await run({ root, arch, epochs: Number(epochs) });
  console.log(`classes: ${result.classes.join(', ')}`);
  console.log(`loss by epoch: ${result.losses.map((l) => l.toFixed(4)).join(' → ')}`);
  console.log(
    `validation accuracy: ${(result.validationAccuracy * 100).toFixed(1)}% of ${result.validationSize} images`,
  );
  result.model.dispose();
}
