/** Test helpers of @tfzoo/mobilenet: the PyTorch subprocess, timm fixtures and comparisons. */
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import type { RawTensor, RawTensorMap } from '@tfzoo/core';

export { compare, PythonSession, predictValues, readF32 } from '@tfzoo/test-harness';

/** One tensor of a timm fixture (`/work/shared/fixtures/README.md`). */
export interface FixtureTensor {
  /** State-dict name. */
  name: string;
  /** PyTorch shape. */
  shape: number[];
  /** `F32` or `I64`. */
  dtype: 'F32' | 'I64';
  /** Batch-norm statistics calibrated by the fixture's author; other tensors follow the fill rule. */
  values?: number[];
}

/** A timm parity fixture: names, shapes, BN statistics, input shape and timm's logits. */
export interface TimmFixture {
  /** timm model name. */
  model: string;
  /** Trainable parameters as timm counts them. */
  numParams: number;
  /** `[batch, height, width, 3]`, NHWC. */
  inputShape: [number, number, number, number];
  /** timm's pretrained config: mean, std, input size, crop, interpolation, first conv, classifier. */
  pretrainedCfg: {
    mean: number[];
    std: number[];
    input_size: [number, number, number];
    crop_pct: number;
    interpolation: string;
    first_conv: string;
    classifier: string;
  };
  /** The state dict, in order. */
  tensors: FixtureTensor[];
  /** timm's eval-mode output, `[batch][1000]`. */
  logits: number[][];
}

/** Reads a fixture copied under `src/test/fixtures/`. */
export function readFixture(model: string): TimmFixture {
  const path = new URL(`./fixtures/${model}.json`, import.meta.url);
  return JSON.parse(readFileSync(path, 'utf8')) as TimmFixture;
}

/** 32-bit FNV-1a of the UTF-8 bytes of `text`. */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** The fixture's deterministic fill rule for a tensor named `name` of `shape` (PyTorch layout). */
export function fillRule(name: string, shape: readonly number[]): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  const h = fnv1a(name);
  const out = new Float32Array(n);
  const fanIn = shape.length > 1 ? n / shape[0]! : 1;
  const scale = Math.sqrt(6 / fanIn);
  for (let i = 0; i < n; i++) {
    const u = ((Math.imul(i, 2654435761) + h) >>> 0) / 4294967296;
    let value: number;
    if (name === 'input' || name === 'calibration') value = (u - 0.5) * 4;
    else if (name.endsWith('running_var')) value = 0.5 + u;
    else if (name.endsWith('running_mean')) value = (u - 0.5) * 0.2;
    else if (shape.length === 1 && name.endsWith('weight')) value = 0.8 + 0.4 * u;
    else if (shape.length <= 1) value = (u - 0.5) * 0.2;
    else value = (u - 0.5) * 2 * scale;
    out[i] = Math.fround(value);
  }
  return out;
}

/** The fixture's state dict as raw tensors (`num_batches_tracked` as I64 zeros). */
export function fixtureStateDict(fixture: TimmFixture): RawTensorMap {
  const out: RawTensorMap = new Map();
  for (const tensor of fixture.tensors) {
    let raw: RawTensor;
    if (tensor.dtype === 'I64') {
      const size = tensor.shape.reduce((a, b) => a * b, 1);
      raw = { dtype: 'I64', shape: tensor.shape, data: new BigInt64Array(size) };
    } else {
      const data = tensor.values ? Float32Array.from(tensor.values) : fillRule(tensor.name, tensor.shape);
      raw = { dtype: 'F32', shape: tensor.shape, data };
    }
    out.set(tensor.name, raw);
  }
  return out;
}

/** The fixture's input, NHWC. */
export function fixtureInput(fixture: TimmFixture): tf.Tensor4D {
  return tf.tensor4d(fillRule('input', fixture.inputShape), fixture.inputShape);
}
