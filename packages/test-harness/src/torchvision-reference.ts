/**
 * Test helpers: reference models built by PyTorch / torchvision with random weights, saved with
 * `torch.save` (loaded by the tests through `@tfzoo/core`'s `loadWeights`), with their inputs and
 * outputs; and the relative-error check of the parity tests. {@link runReference} builds one model per
 * case, each under its own seed; {@link ReferenceSession} builds a family's models on one shared input
 * and stays up for round trips back into PyTorch. Both run `torchvision_reference.py`.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { PYTHON, pythonEnv } from './python.js';
import { PythonSession, readF32 } from './python-session.js';

/** One reference model to build in PyTorch. */
export interface ReferenceCase {
  /** File stem of the outputs. */
  id: string;
  /** `torchvision.models` builder name. */
  arch: string;
  /** Keyword arguments of the builder. */
  kwargs?: Record<string, unknown>;
  /** `torch.manual_seed`. */
  seed: number;
  /** Input `[N, H, W, C]`. */
  input: [number, number, number, number];
  /** Extra heads to run in eval mode on a module's output, e.g. `{ aux1: 'inception4a' }`. */
  heads?: Record<string, string>;
}

/** What PyTorch produced for a {@link ReferenceCase}. */
export interface ReferenceResult {
  /** Path of the `torch.save`d state dict. */
  checkpoint: string;
  /** The input, NHWC. */
  input: tf.Tensor4D;
  /** PyTorch's logits. */
  logits: tf.Tensor;
  /** Trainable parameter count of the PyTorch model. */
  params: number;
  /** Outputs of the extra heads, `[N, classes]` each. */
  heads: Record<string, tf.Tensor2D>;
}

const script = fileURLToPath(new URL('./torchvision_reference.py', import.meta.url));

/** Builds every case in one python process (torch starts once); the caller disposes the tensors. */
export function runReference(cases: ReferenceCase[], dir: string): Map<string, ReferenceResult> {
  const casesPath = join(dir, 'cases.json');
  writeFileSync(casesPath, JSON.stringify(cases));
  execFileSync(PYTHON, [script, casesPath, dir], { env: pythonEnv(), stdio: ['ignore', 'ignore', 'pipe'] });
  const results = new Map<string, ReferenceResult>();
  for (const c of cases) {
    const base = join(dir, c.id);
    const meta = JSON.parse(readFileSync(`${base}.json`, 'utf8')) as {
      params: number;
      logitsShape: number[];
    };
    const heads: Record<string, tf.Tensor2D> = {};
    for (const head of Object.keys(c.heads ?? {})) {
      heads[head] = tf.tensor2d(readF32(`${base}.${head}.bin`), meta.logitsShape as [number, number]);
    }
    results.set(c.id, {
      checkpoint: `${base}.pth`,
      input: tf.tensor4d(readF32(`${base}.input.bin`), c.input),
      logits: tf.tensor(readF32(`${base}.logits.bin`), meta.logitsShape),
      params: meta.params,
      heads,
    });
  }
  return results;
}

/** Max |a − b| and max |b|, for the `≤ 1e-4 × scale` parity check. */
export function maxError(actual: tf.Tensor, expected: tf.Tensor): { error: number; scale: number } {
  return tf.tidy(() => ({
    error: tf.max(tf.abs(tf.sub(actual, expected))).dataSync()[0] as number,
    scale: tf.max(tf.abs(expected)).dataSync()[0] as number,
  }));
}

/** One model of a {@link ReferenceSession}, built, saved and run in PyTorch. */
export interface SessionModel {
  /** File stem of its outputs (`<id>.pth`, `<id>.logits.f32`). */
  id: string;
  /** `torchvision.models` builder name, or a harness network (`alexnet_paper`, `megvii_shufflenet_v1`). */
  arch: string;
  /** Keyword arguments of the builder. */
  kwargs?: Record<string, unknown>;
  /** `heNormal`: Kaiming-normal conv kernels (for networks whose own init is not O(1) at depth). */
  init?: 'heNormal';
  /** What to draw at random after the init (default `batchNorm`; `batchNormAndBiases` also conv and linear biases). */
  randomize?: 'batchNorm' | 'batchNormAndBiases' | 'none';
  /** Files to save the state dict as (default `['pth']`). */
  formats?: readonly ('pth' | 'safetensors')[];
  /** `create_feature_extractor` return nodes, `{ node: key }`; their NCHW shapes come back. */
  features?: Record<string, string>;
}

/** A model whose trainable parameters a {@link ReferenceSession} counts as built. */
export interface SessionCount {
  /** Key of the count. */
  id: string;
  /** Builder name, as in {@link SessionModel}. */
  arch: string;
  /** Keyword arguments of the builder. */
  kwargs?: Record<string, unknown>;
}

/** What a {@link ReferenceSession} builds. */
export interface ReferenceSessionSpec {
  /** `torch.manual_seed`, once, before the models are built in order (default 0). */
  seed?: number;
  /** The input every model runs on: `[N, H, W, C]`, a standard normal from its own generator. */
  input: { shape: [number, number, number, number]; seed: number };
  /** Seed of the one generator the models' randomization draws from, in order (default 42). */
  randomSeed?: number;
  /** Models to build, save and run. */
  models?: readonly SessionModel[];
  /** Models to count the parameters of. */
  counts?: readonly SessionCount[];
  /** `torchvision.models` names whose published weights' metadata to read. */
  weights?: readonly string[];
}

/** One of torchvision's published weights (`Weights` enum entry), keyed `<arch>.<entry, lower case>`. */
export interface TorchvisionWeights {
  /** Download URL. */
  url: string;
  /** `meta['num_params']`. */
  numParams: number;
  /** ImageNet-1K top-1 accuracy, percent. */
  top1: number;
  /** ImageNet-1K top-5 accuracy, percent. */
  top5: number;
  /** Evaluation crop size. */
  cropSize: number;
  /** Resize size before the crop. */
  resizeSize: number;
  /** Resize interpolation (`bilinear`, `bicubic`). */
  interpolation: string;
  /** Normalization mean. */
  mean: number[];
  /** Normalization std. */
  std: number[];
  /** Class names. */
  categories: string[];
  /** `meta['min_size']`. */
  minSize: number[];
}

/** What PyTorch produced for one {@link SessionModel}. */
export interface SessionModelResult {
  /** Trainable parameter count. */
  params: number;
  /** Shape of the logits. */
  logitsShape: number[];
  /** NCHW shapes of the requested feature nodes, by key. */
  features?: Record<string, number[]>;
}

/**
 * A PyTorch process that builds the models of a {@link ReferenceSessionSpec} once per test file (one
 * `import torch`) and then answers round trips: a family's whole torchvision parity reference. Its
 * files live in a temporary directory that {@link ReferenceSession.close} removes.
 */
export class ReferenceSession {
  /** Trainable parameter counts as built (and the widths of models that declare them), by id. */
  readonly counts: Record<string, { numParams: number; channels: number[] | null }>;
  /** The models' results, by id. */
  readonly models: Record<string, SessionModelResult>;
  /** torchvision's published weights of the requested archs. */
  readonly weights: Record<string, TorchvisionWeights>;

  private constructor(
    /** The session's temporary directory. */
    readonly dir: string,
    private readonly python: PythonSession,
    private readonly inputShape: [number, number, number, number],
  ) {
    const reference = JSON.parse(readFileSync(join(dir, 'reference.json'), 'utf8')) as Pick<
      ReferenceSession,
      'counts' | 'models' | 'weights'
    >;
    this.counts = reference.counts;
    this.models = reference.models;
    this.weights = reference.weights;
  }

  /** Starts PyTorch, builds everything in `spec`, and resolves once the files are written. */
  static async start(spec: ReferenceSessionSpec): Promise<ReferenceSession> {
    const dir = mkdtempSync(join(tmpdir(), 'tfzoo-reference-'));
    let python: PythonSession | undefined;
    try {
      writeFileSync(join(dir, 'spec.json'), JSON.stringify(spec));
      python = new PythonSession(script, ['serve', join(dir, 'spec.json'), dir]);
      const ready = await python.next();
      if (ready !== 'ready') throw new Error(`${script} answered ${JSON.stringify(ready)}, not "ready"`);
      return new ReferenceSession(dir, python, spec.input.shape);
    } catch (error) {
      python?.close();
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
  }

  /** The input, NHWC float32 values. */
  input(): Float32Array {
    return readF32(join(this.dir, 'input.f32'));
  }

  /** The input as a tensor (the caller disposes it). */
  inputTensor(): tf.Tensor4D {
    return tf.tensor4d(this.input(), this.inputShape);
  }

  /** PyTorch's logits of model `id` on the input. */
  logits(id: string): Float32Array {
    return readF32(join(this.dir, `${id}.logits.f32`));
  }

  /** Path of model `id`'s saved state dict. */
  file(id: string, format: 'pth' | 'safetensors' = 'pth'): string {
    return join(this.dir, `${id}.${format}`);
  }

  /** Loads `file` (safetensors) into torchvision's `arch` with `strict=True` and returns its logits on the input. */
  async roundtrip(arch: string, file: string): Promise<Float32Array> {
    const answer = await this.python.request(`roundtrip ${arch} ${file}`);
    if (answer !== 'done') throw new Error(`roundtrip ${arch} answered ${JSON.stringify(answer)}`);
    return readF32(join(this.dir, 'roundtrip.logits.f32'));
  }

  /** Ends the process and removes the directory. */
  close(): void {
    this.python.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
