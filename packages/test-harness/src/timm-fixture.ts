/**
 * The timm parity fixtures (`/work/shared/fixtures/README.md`, copied into each family's
 * `src/test/fixtures/`): state-dict names and shapes made with real timm, the deterministic fill
 * rule that gives every float tensor its values, the input and timm's eval-mode logits. One copy of
 * the rule for every family.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { RawTensor, RawTensorMap } from '@tfzoo/core';
import { maxError } from './torchvision-reference.js';

/** One tensor of a timm fixture. */
export interface TimmFixtureTensor {
  /** State-dict name. */
  name: string;
  /** PyTorch shape. */
  shape: number[];
  /** `F32` or `I64` (`num_batches_tracked`, no data). */
  dtype: 'F32' | 'I64';
  /** Calibrated batch-norm statistics; every other tensor follows the fill rule. */
  values?: number[];
}

/** timm's `pretrained_cfg` of a fixture's model, as the fixtures record it. */
export interface TimmPretrainedConfig {
  /** Normalization mean. */
  mean: number[];
  /** Normalization std. */
  std: number[];
  /** `[3, height, width]`. */
  input_size: number[];
  /** Center-crop fraction. */
  crop_pct: number;
  /** Resize interpolation. */
  interpolation: string;
  /** Name of the first convolution. */
  first_conv: string;
  /** Name of the classifier. */
  classifier: string;
}

/**
 * What every timm fixture holds: a names-only fixture (`*.names.json`, for models too large to run
 * in a test) stops here.
 */
export interface TimmFixtureNames {
  /** timm model name. */
  model: string;
  /** Trainable parameters as timm counts them. */
  numParams: number;
  /** timm's `pretrained_cfg` of the model. */
  pretrainedCfg: TimmPretrainedConfig;
  /** The state dict, in order. */
  tensors: TimmFixtureTensor[];
}

/** A full timm parity fixture: names, shapes, BN statistics, input shape and timm's logits. */
export interface TimmFixture extends TimmFixtureNames {
  /** `[batch, height, width, 3]`, NHWC. */
  inputShape: [number, number, number, number];
  /** timm's eval-mode output, `[batch][classes]`. */
  logits: number[][];
}

/**
 * Reads a full fixture file (`.json`, or `.json.gz`); one without input shape or logits (a
 * names-only fixture) throws, naming the file.
 */
export function readTimmFixture(path: string | URL): TimmFixture;
/** Reads any fixture file's names, shapes and metadata (a names-only fixture's included). */
export function readTimmFixture(path: string | URL, part: 'names'): TimmFixtureNames;
export function readTimmFixture(path: string | URL, part?: 'names'): TimmFixture | TimmFixtureNames {
  const bytes = readFileSync(path);
  const text = String(path).endsWith('.gz') ? gunzipSync(bytes).toString('utf8') : bytes.toString('utf8');
  const fixture = JSON.parse(text) as Partial<TimmFixture>;
  if (part !== 'names' && (fixture.inputShape === undefined || fixture.logits === undefined)) {
    throw new Error(
      `${String(path)} has no inputShape and logits (a names-only fixture); read it with readTimmFixture(path, 'names')`,
    );
  }
  return fixture as TimmFixture;
}

/** 32-bit FNV-1a of the UTF-8 bytes of `text`. */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** The fill rule: the values of tensor `name` of `shape` (PyTorch layout, C order), float32. */
export function timmFill(name: string, shape: readonly number[]): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  const h = fnv1a(name);
  let scale: (u: number) => number;
  if (name === 'input' || name === 'calibration') scale = (u) => (u - 0.5) * 4;
  else if (name.endsWith('running_var')) scale = (u) => 0.5 + u;
  else if (name.endsWith('running_mean')) scale = (u) => (u - 0.5) * 0.2;
  else if (shape.length === 1 && name.endsWith('weight')) scale = (u) => 0.8 + 0.4 * u;
  else if (shape.length <= 1) scale = (u) => (u - 0.5) * 0.2;
  else {
    const bound = Math.sqrt(6 / (n / (shape[0] as number)));
    scale = (u) => (u - 0.5) * 2 * bound;
  }
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = scale(((Math.imul(i, 2654435761) + h) >>> 0) / 4294967296);
  return out;
}

/** The fixture's state dict as raw tensors (`num_batches_tracked` as I64 zeros). */
export function timmStateDict(fixture: TimmFixture): RawTensorMap {
  const out: RawTensorMap = new Map();
  for (const tensor of fixture.tensors) {
    let raw: RawTensor;
    if (tensor.dtype === 'I64') {
      const size = tensor.shape.reduce((a, b) => a * b, 1);
      raw = { dtype: 'I64', shape: tensor.shape, data: new BigInt64Array(size) };
    } else {
      const data = tensor.values ? Float32Array.from(tensor.values) : timmFill(tensor.name, tensor.shape);
      raw = { dtype: 'F32', shape: tensor.shape, data };
    }
    out.set(tensor.name, raw);
  }
  return out;
}

/** The fixture's input, NHWC, float32 (`[batch · height · width · 3]`). */
export function timmInput(fixture: TimmFixture): Float32Array {
  return timmFill('input', fixture.inputShape);
}

/**
 * Runs the fixture's input (its first `images` images, default all) through `model` and measures
 * the output against timm's logits: `error` = max |Δ|, `scale` = max |logit|. Throws when the
 * output's shape is not the logits'; leaks no tensors.
 */
export function timmLogitsError(
  model: tfl.LayersModel,
  fixture: TimmFixture,
  images: number = fixture.inputShape[0],
): { error: number; scale: number } {
  const [batch, height, width, channels] = fixture.inputShape;
  if (!Number.isInteger(images) || images < 1 || images > batch) {
    throw new Error(`images must be an integer from 1 to ${batch}; received ${images}`);
  }
  const size = images * height * width * channels;
  const input = tf.tensor4d(timmInput(fixture).subarray(0, size), [images, height, width, channels]);
  const expected = tf.tensor2d(fixture.logits.slice(0, images));
  let output: tf.Tensor | undefined;
  try {
    output = model.predict(input) as tf.Tensor;
    if (!tf.util.arraysEqual(output.shape, expected.shape)) {
      throw new Error(
        `output shape ${JSON.stringify(output.shape)} differs from timm's logits' ${JSON.stringify(expected.shape)}`,
      );
    }
    return maxError(output, expected);
  } finally {
    tf.dispose(output ? [input, expected, output] : [input, expected]);
  }
}
