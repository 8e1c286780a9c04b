/**
 * Reading the timm parity fixtures (`fixtures/README.md`) and building their state dicts with the
 * fill rule of `@tfzoo/test-harness` (every float tensor and the input from its name and shape).
 */
import { readFileSync } from 'node:fs';
import type { RawTensor, RawTensorMap } from '@tfzoo/core';
import { timmFill as fill, fnv1a } from '@tfzoo/test-harness';

/** The fixtures' fill rule and hash: `@tfzoo/test-harness`'s, shared by every family's timm parity test. */
export { fill, fnv1a };

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
