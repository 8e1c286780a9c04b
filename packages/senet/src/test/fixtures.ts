/**
 * Reading the timm parity fixtures (copied from the project's shared fixtures, made with real timm;
 * format and fill rule in `fixtures/README.md`) and building their state dicts.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { RawTensorMap } from '@tfzoo/core';
import { timmFill as fill, fnv1a } from '@tfzoo/test-harness';

/** The fixtures' fill rule and hash: `@tfzoo/test-harness`'s, shared by every family's timm parity test. */
export { fill, fnv1a };

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
