/**
 * What the commands share: backend set-up, model loading (registered pretrained weights, including
 * the files that ship inside a package under a `file:` URL) and data sets by name.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import type * as tfl from '@tensorflow/tfjs-layers';
import {
  type BackendInfo,
  type BackendName,
  FASHION_MNIST_PREPROCESSING,
  initBackend,
  invalidArgument,
  type PretrainedConfig,
  resolveModelId,
  ZooError,
} from '@tfzoo/core';
import {
  CIFAR10_CLASSES,
  compose,
  type Dataset,
  imageFolder,
  loadCifar10,
  loadFashionMnist,
  loadFashionMnistSample,
  loadMnist,
  normalize,
  randomCrop,
  randomHorizontalFlip,
  resize,
  Subset,
  type Transform,
  toFloat,
} from '@tfzoo/datasets';
import { createModel } from '@tfzoo/models';

/** Where Debian's `dataset-fashion-mnist` puts the IDX files. */
export const DEBIAN_FASHION_MNIST = '/usr/share/datasets/fashion-mnist';

/** Backends the `--backend` option accepts. */
export const BACKEND_CHOICES = ['auto', 'tensorflow-gpu', 'tensorflow', 'webgpu', 'wasm', 'cpu'] as const;

/**
 * Brings up the backend: `auto` (default) is wasm with `@tfzoo/wasm-training`'s gradient kernels and
 * threads, falling back to cpu; any other name is required exactly.
 */
export async function setupBackend(name = 'auto', threads?: number): Promise<BackendInfo> {
  if (!(BACKEND_CHOICES as readonly string[]).includes(name)) {
    throw invalidArgument('--backend', name, BACKEND_CHOICES.join(', '));
  }
  const wantsWasm = name === 'auto' || name === 'wasm';
  let wasmTraining = false;
  if (wantsWasm) {
    try {
      await import('@tfzoo/wasm-training');
      wasmTraining = true;
    } catch {
      /* plain wasm: inference works, conv training falls back to cpu below */
    }
  }
  const count = threads ?? Math.max(1, Math.min(4, availableParallelism()));
  if (name === 'auto') {
    return initBackend(wasmTraining ? ['wasm', 'cpu'] : ['cpu'], wasmTraining ? { threads: count } : {});
  }
  return initBackend(name as BackendName, wantsWasm && wasmTraining ? { threads: count } : {});
}

/** Options of {@link loadModel}. */
export interface LoadModelOptions {
  /** Load the registered pretrained weights of the id's tag. */
  pretrained?: boolean;
  /** A weight file to load instead. */
  weights?: string;
  /** Number of classes (a different count than the weights' gives a fresh head). */
  numClasses?: number;
  /** Extra build options (`--model-options` JSON). */
  buildOptions?: Record<string, unknown>;
  /** Seed for the random initialization. */
  seed?: number;
  /** Leave the pretrained classifier out even when the class count matches (a fresh head). */
  freshHead?: boolean;
}

/**
 * The CLI's spelling of {@link createModel}'s options: builds `id` and loads weights through
 * `createModel`, which owns everything between an id and a ready model (class count, fresh head,
 * shipped and downloaded weights, mapping, strict load).
 */
export async function loadModel(id: string, options: LoadModelOptions = {}): Promise<tfl.LayersModel> {
  if (options.pretrained && resolveModelId(id).pretrained === undefined) {
    throw new ZooError(
      'NOT_FOUND',
      `${id} has no pretrained weights; pick an id with a tag (tfzoo list --pretrained)`,
      {
        received: id,
        expected: 'an id listed by `tfzoo list --pretrained`',
      },
    );
  }
  return createModel(id, {
    ...(options.buildOptions ?? {}),
    ...(options.numClasses === undefined ? {} : { numClasses: options.numClasses }),
    ...(options.pretrained ? { pretrained: true } : {}),
    ...(options.weights ? { weights: options.weights } : {}),
    ...(options.freshHead ? { freshHead: true } : {}),
    ...(options.seed === undefined ? {} : { seed: options.seed }),
  });
}

/** The local path of a pretrained file that ships inside its package (`file:` source URL). */
export function shippedWeightsPath(config: PretrainedConfig): string | undefined {
  if (!config.source.url.startsWith('file:')) return undefined;
  const path = fileURLToPath(config.source.url);
  if (!existsSync(path)) {
    throw new ZooError('NOT_FOUND', `the weights of ${config.id} should ship at ${path} but are missing`, {
      received: path,
      expected: 'the package installed with its weights/ directory',
    });
  }
  return path;
}

/** Mean and std of Fashion-MNIST's training pixels (÷255). */
export const FASHION_MNIST_STATS = {
  mean: FASHION_MNIST_PREPROCESSING.mean,
  std: FASHION_MNIST_PREPROCESSING.std,
} as const;
/** Mean and std of CIFAR-10's training pixels (÷255). */
export const CIFAR10_STATS = { mean: [0.4914, 0.4822, 0.4465], std: [0.247, 0.2435, 0.2616] } as const;

/** A data set chosen by `--data`, with its default normalization. */
export interface NamedData {
  /** The samples. */
  dataset: Dataset;
  /** Name for messages. */
  name: string;
  /** Per-channel mean of the normalization. */
  mean: readonly number[];
  /** Per-channel std. */
  std: readonly number[];
  /** Image size `[h, w, c]` of the samples (folders: after resizing). */
  shape: readonly [number, number, number];
}

/** Options of {@link loadData}. */
export interface LoadDataOptions {
  /** A directory holding the files (IDX, CIFAR); default: Debian's directory when present, else download. */
  root?: string;
  /** `train` or `test`. */
  split: 'train' | 'test';
  /** Image size for folders (`[h, w, c]`). */
  size?: readonly [number, number, number];
  /** Keep only the first `n` samples of each class (few-shot runs). */
  perClass?: number;
  /** Keep only the first `n` samples. */
  limit?: number;
}

function firstPerClass(dataset: Dataset, perClass: number): Subset {
  const seen = new Array<number>(dataset.classes.length).fill(0);
  const keep: number[] = [];
  dataset.labels.forEach((label, i) => {
    if (seen[label]! < perClass) {
      seen[label]!++;
      keep.push(i);
    }
  });
  return new Subset(dataset, keep);
}

/**
 * Loads `fashion-mnist`, `fashion-mnist-sample` (the 1,000 test images bundled in
 * `@tfzoo/datasets`), `mnist`, `cifar10`, or an image folder (`<dir>/<class>/<image>`).
 */
export async function loadData(spec: string, options: LoadDataOptions): Promise<NamedData> {
  let data: NamedData;
  const root =
    options.root ??
    (spec === 'fashion-mnist' && existsSync(DEBIAN_FASHION_MNIST) ? DEBIAN_FASHION_MNIST : undefined);
  if (spec === 'fashion-mnist' || spec === 'mnist') {
    const load = spec === 'mnist' ? loadMnist : loadFashionMnist;
    const dataset = await load({ split: options.split, ...(root ? { root } : {}) });
    const stats = spec === 'mnist' ? { mean: [0.1307], std: [0.3081] } : FASHION_MNIST_STATS;
    data = { dataset, name: spec, ...stats, shape: [28, 28, 1] };
  } else if (spec === 'fashion-mnist-sample') {
    // 1,000 test images bundled in @tfzoo/datasets, for both splits: offline demos (split them with
    // --val-split), never for reporting accuracy.
    data = {
      dataset: await loadFashionMnistSample(),
      name: spec,
      ...FASHION_MNIST_STATS,
      shape: [28, 28, 1],
    };
  } else if (spec === 'cifar10') {
    const dataset = await loadCifar10({ split: options.split, ...(root ? { root } : {}) });
    if (dataset.classes.length !== CIFAR10_CLASSES.length)
      throw invalidArgument('cifar10', dataset.classes, '10 classes');
    data = { dataset, name: spec, ...CIFAR10_STATS, shape: [32, 32, 3] };
  } else if (existsSync(spec)) {
    const size = options.size ?? [224, 224, 3];
    const dataset = await imageFolder(spec, { channels: size[2] === 1 ? 1 : 3 });
    const imagenet =
      size[2] === 1
        ? { mean: [0.5], std: [0.5] }
        : { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };
    data = { dataset, name: spec, ...imagenet, shape: size };
  } else {
    throw new ZooError(
      'INVALID_ARGUMENT',
      `--data ${JSON.stringify(spec)} is neither a known data set nor an existing folder; expected fashion-mnist, fashion-mnist-sample, mnist, cifar10 or a folder of <class>/<image> files`,
      { received: spec, expected: 'fashion-mnist | fashion-mnist-sample | mnist | cifar10 | <folder>' },
    );
  }
  if (options.perClass !== undefined) data.dataset = firstPerClass(data.dataset, options.perClass);
  if (options.limit !== undefined && options.limit < data.dataset.length) {
    data.dataset = new Subset(
      data.dataset,
      Array.from({ length: options.limit }, (_, i) => i),
    );
  }
  return data;
}

/** The evaluation transform: resize (folders only), scale to [0, 1], normalize. */
export function evalTransform(data: NamedData, folder: boolean): Transform {
  const steps: Transform[] = [];
  if (folder) steps.push(resize([data.shape[0], data.shape[1]]));
  steps.push(toFloat(), normalize(data.mean, data.std));
  return compose(...steps);
}

/** The training transform: `augment` adds a random crop (padding 1/8 of the size) and a horizontal flip. */
export function trainTransform(data: NamedData, folder: boolean, augment: boolean): Transform {
  if (!augment) return evalTransform(data, folder);
  const [h, w] = data.shape;
  const steps: Transform[] = [];
  if (folder) steps.push(resize([h, w]));
  steps.push(
    randomCrop([h, w], { padding: Math.max(1, Math.round(h / 14)) }),
    randomHorizontalFlip(),
    toFloat(),
    normalize(data.mean, data.std),
  );
  return compose(...steps);
}
