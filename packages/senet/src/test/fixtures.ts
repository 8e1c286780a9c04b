/**
 * Reading the timm parity fixtures (copied from the project's shared fixtures, made with real timm;
 * format and fill rule in `fixtures/README.md`) and building their state dicts.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { RawTensorMap } from '@tfzoo/core';

/** One tensor of a fixture's state dict. */
export interface FixtureTensor {
  /** Reference name. */
  name: string;
  /** PyTorch shape. */
  shape: number[];
  /** `F32` or `I64` (`num_batches_tracked`). */
  dtype: 'F32' | 'I64';
  /** Batch-norm statistics, when given. */
  values?: number[];
}

/** A parsed fixture. */
export interface Fixture {
  /** timm model name. */
  model: string;
  /** Trainable parameters as timm counts them. */
  numParams: number;
  /** timm's pretrained config (mean, std, input size, crop, interpolation, classifier). */
  pretrainedCfg: { interpolation: string; classifier: string; first_conv: string; crop_pct: number };
  /** The state dict's names and shapes, in order. */
  tensors: FixtureTensor[];
  /** `[2, H, W, 3]`, NHWC (full fixtures only). */
  inputShape?: [number, number, number, number];
  /** timm's eval-mode logits `[2][1000]` (full fixtures only). */
  logits?: number[][];
}

const FIXTURES = new URL('./fixtures/', import.meta.url);

/** Reads `fixtures/<model>.json.gz` (full: values and logits) or `fixtures/<model>.names.json` (names and shapes). */
export function readFixture(model: string, kind: 'full' | 'names'): Fixture {
  const text =
    kind === 'full'
      ? gunzipSync(readFileSync(new URL(`${model}.json.gz`, FIXTURES))).toString('utf8')
      : readFileSync(new URL(`${model}.names.json`, FIXTURES), 'utf8');
  return JSON.parse(text) as Fixture;
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

/** The fixture fill rule for a tensor `name` of `shape` (PyTorch layout, C order). */
export function fill(name: string, shape: readonly number[]): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  const h = fnv1a(name);
  const out = new Float32Array(n);
  const fanIn = shape.length > 0 ? n / (shape[0] as number) : 1;
  const bound = Math.sqrt(6 / fanIn);
  for (let i = 0; i < n; i++) {
    const u = ((Math.imul(i, 2654435761) + h) >>> 0) / 4294967296;
    let value: number;
    if (name === 'input' || name === 'calibration') value = (u - 0.5) * 4;
    else if (name.endsWith('running_var')) value = 0.5 + u;
    else if (name.endsWith('running_mean')) value = (u - 0.5) * 0.2;
    else if (shape.length === 1 && name.endsWith('weight')) value = 0.8 + 0.4 * u;
    else if (shape.length <= 1) value = (u - 0.5) * 0.2;
    else value = (u - 0.5) * 2 * bound;
    out[i] = value;
  }
  return out;
}

/** The fixture's state dict as raw tensors: the fill rule, the given batch-norm statistics, I64 zeros. */
export function stateDict(fixture: Fixture): RawTensorMap {
  const out: RawTensorMap = new Map();
  for (const tensor of fixture.tensors) {
    if (tensor.dtype === 'I64') {
      out.set(tensor.name, { dtype: 'I64', shape: tensor.shape, data: new BigInt64Array(1) });
      continue;
    }
    const data = tensor.values ? Float32Array.from(tensor.values) : fill(tensor.name, tensor.shape);
    out.set(tensor.name, { dtype: 'F32', shape: tensor.shape, data });
  }
  return out;
}
