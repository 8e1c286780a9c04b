/**
 * The deterministic fill rule of the timm parity fixtures (`fixtures/README.md`): every float tensor
 * of the reference state dict, and the input, as a function of its name and shape.
 */
import { readFileSync } from 'node:fs';
import type { RawTensor, RawTensorMap } from '@tfzoo/core';

/** One tensor of a fixture's state dict. */
export interface FixtureTensor {
  /** State-dict name. */
  name: string;
  /** PyTorch-layout shape. */
  shape: number[];
  /** `F32` or `I64`. */
  dtype: 'F32' | 'I64';
  /** Batch-norm statistics, given explicitly. */
  values?: number[];
}

/** A timm parity fixture. */
export interface Fixture {
  /** timm model name. */
  model: string;
  /** Trainable parameters as timm counts them. */
  numParams: number;
  /** timm's pretrained config (mean, std, input size, crop, interpolation, first conv, classifier). */
  pretrainedCfg: {
    mean: number[];
    std: number[];
    input_size: number[];
    crop_pct: number;
    interpolation: string;
    first_conv: string;
    classifier: string;
  };
  /** The state dict in order. */
  tensors: FixtureTensor[];
  /** NHWC input shape. */
  inputShape: [number, number, number, number];
  /** timm's eval-mode logits for the input. */
  logits: number[][];
}

/** Reads a fixture JSON file. */
export function readFixture(path: string): Fixture {
  return JSON.parse(readFileSync(path, 'utf8')) as Fixture;
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

/** The rule's values for tensor `name` of `shape` (PyTorch layout, C order). */
export function fill(name: string, shape: readonly number[]): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  const h = fnv1a(name);
  const out = new Float32Array(n);
  const isInput = name === 'input' || name === 'calibration';
  const fanIn = shape.length > 0 ? n / (shape[0] as number) : 1;
  const bound = Math.sqrt(6 / fanIn);
  for (let i = 0; i < n; i++) {
    const u = ((Math.imul(i, 2654435761) + h) >>> 0) / 4294967296;
    let value: number;
    if (isInput) value = (u - 0.5) * 4;
    else if (name.endsWith('running_var')) value = 0.5 + u;
    else if (name.endsWith('running_mean')) value = (u - 0.5) * 0.2;
    else if (shape.length === 1 && name.endsWith('weight')) value = 0.8 + 0.4 * u;
    else if (shape.length <= 1) value = (u - 0.5) * 0.2;
    else value = (u - 0.5) * 2 * bound;
    out[i] = value;
  }
  return out;
}

/** The fixture's state dict as raw tensors (float tensors by the rule or their `values`). */
export function fixtureStateDict(fixture: Fixture): RawTensorMap {
  const map: RawTensorMap = new Map();
  for (const tensor of fixture.tensors) {
    let raw: RawTensor;
    if (tensor.dtype === 'I64') raw = { dtype: 'I64', shape: tensor.shape, data: new BigInt64Array(1) };
    else {
      const data = tensor.values ? Float32Array.from(tensor.values) : fill(tensor.name, tensor.shape);
      raw = { dtype: 'F32', shape: tensor.shape, data };
    }
    map.set(tensor.name, raw);
  }
  return map;
}
