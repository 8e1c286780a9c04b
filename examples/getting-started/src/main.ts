#!/usr/bin/env node
/**
 * Getting started (docs/guides/getting-started.md): install one family, build a model, predict.
 *
 * Builds ResNet-18 (He et al., 2016; torchvision's layout) from `@tfzoo/resnet` alone, optionally
 * loads a weight file (`--weights resnet18-f37072fd.pth` or a `model.safetensors`), runs one image
 * through it and prints the five most likely ImageNet classes.
 *
 * Usage: `node examples/getting-started/dist/main.js [--weights FILE] [--size 224]`
 */
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { getModelDefinition, IMAGENET_CLASSES, initBackend, loadWeights } from '@tfzoo/core';
import { resnet18 } from '@tfzoo/resnet';

/** Options of {@link run}. */
export interface GettingStartedOptions {
  /** Input height and width (default 224; any size ≥ 32 works, the classifier follows a global pool). */
  inputSize?: number;
  /** A torchvision/timm ResNet-18 weight file to load (default: none, random weights). */
  weights?: string;
  /** The image, `[height, width, 3]` normalized as the weights expect (default: a seeded random one). */
  image?: tf.Tensor3D;
}

/** One predicted class. */
export interface Prediction {
  /** Class index in ImageNet-1k. */
  index: number;
  /** Class name. */
  label: string;
  /** Softmax probability. */
  probability: number;
}

/** What {@link run} returns. */
export interface GettingStartedResult {
  /** Shape of the model's output. */
  outputShape: number[];
  /** All 1000 probabilities. */
  probabilities: Float32Array;
  /** The five most likely classes, most likely first. */
  top5: Prediction[];
}

/** Builds ResNet-18, loads `weights` if given, and classifies one image. */
export async function run(options: GettingStartedOptions = {}): Promise<GettingStartedResult> {
  const size = options.inputSize ?? 224;
  // softmax on the classifier: probabilities instead of logits.
  const model = resnet18({ inputShape: [size, size, 3], classifierActivation: 'softmax' });
  try {
    if (options.weights) {
      // The family registers its name mapping; the registry says which one reads torchvision files.
      const mapping = getModelDefinition('resnet18').defaultMapping ?? 'default';
      await loadWeights(model, options.weights, { mapping });
    }
    const output = tf.tidy(() => {
      const image = options.image ?? tf.randomNormal([size, size, 3], 0, 1, 'float32', 42);
      return model.predict(tf.expandDims(image, 0)) as tf.Tensor;
    });
    const probabilities = (await output.data()) as Float32Array;
    const outputShape = output.shape;
    output.dispose();
    const top5 = [...probabilities]
      .map((probability, index) => ({ index, probability, label: IMAGENET_CLASSES[index] ?? String(index) }))
      .sort((a, b) => b.probability - a.probability)
      .slice(0, 5);
    return { outputShape, probabilities, top5 };
  } finally {
    model.dispose();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const flag = (name: string) => {
    const at = args.indexOf(name);
    return at >= 0 ? args[at + 1] : undefined;
  };
  const { backend } = await initBackend(['wasm', 'cpu']);
  const weights = flag('--weights');
  const result = await run({
    inputSize: Number(flag('--size') ?? 224),
    ...(weights ? { weights } : {}),
  });
  console.log(`backend ${backend}; output ${JSON.stringify(result.outputShape)}`);
  for (const { label, probability } of result.top5)
    console.log(`${(probability * 100).toFixed(2)}%  ${label}`);
}
