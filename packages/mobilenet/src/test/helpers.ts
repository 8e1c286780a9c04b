/** Test helpers of @tfzoo/mobilenet: timm fixtures and comparisons. */
import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs-core';
import type { RawTensor, RawTensorMap } from '@tfzoo/core';
import { timmFill as fillRule, fnv1a } from '@tfzoo/test-harness';

export { compare, predictValues } from '@tfzoo/test-harness';
/** The fixtures' fill rule and hash: `@tfzoo/test-harness`'s, shared by every family's timm parity test. */
export { fillRule, fnv1a };

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

/** Reads a fixture under `src/test/fixtures/`: `<model>.json`, or gzipped `<model>.json.gz`. */
export function readFixture(model: string): TimmFixture {
  const path = new URL(`./fixtures/${model}.json`, import.meta.url);
  if (existsSync(path)) return JSON.parse(readFileSync(path, 'utf8')) as TimmFixture;
  const gz = new URL(`./fixtures/${model}.json.gz`, import.meta.url);
  return JSON.parse(gunzipSync(readFileSync(gz)).toString('utf8')) as TimmFixture;
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
