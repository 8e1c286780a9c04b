/**
 * Everything a model card says, gathered from the code: the registry's definitions and pretrained
 * configs (`listModels`, `getModelDefinition`, `PretrainedConfig`), parameter counts and MACs from
 * `summarize()` of the model built at its default input size, the parity table, and the benchmark
 * JSON. Nothing here is typed in by hand.
 */
import {
  getModelDefinition,
  listModels,
  type ModelDefinition,
  type PretrainedConfig,
  summarize,
} from '@tfzoo/core';
import type { BenchmarkRecord } from './benchmarks.js';
import { PARITY_EVIDENCE, type ParityEvidence } from './parity.js';

/** What `summarize()` reports for an architecture built with its default options. */
export interface ModelCost {
  /** Default input `[height, width, channels]` of the builder. */
  inputShape: [number, number, number];
  /** Trainable parameters (the figure torchvision and timm publish). */
  trainableParams: number;
  /** All weights, including batch-norm moving statistics. */
  totalParams: number;
  /** Multiply-accumulates of one forward pass at batch 1 and the default input size. */
  macs: number;
}

/** All facts of one registered architecture. */
export interface ModelFacts {
  /** The registry definition. */
  definition: ModelDefinition;
  /** Cost at the default input size. */
  cost: ModelCost;
  /** Pretrained weights, in registry order. */
  pretrained: readonly PretrainedConfig[];
  /** Tag loaded by `pretrained: true`, when the architecture has weights. */
  defaultTag?: string;
  /** Parity tests that compare this family, each marked with whether it covers this variant. */
  parity: readonly (ParityEvidence & { coversThisVariant: boolean })[];
  /** Our measured speed, when the benchmark JSON has rows for this architecture. */
  benchmarks: readonly BenchmarkRecord[];
}

/** Options of {@link collectModelFacts}. */
export interface CollectOptions {
  /** Architecture ids (default: every registered one, `listModels()`). */
  ids?: readonly string[];
  /** Benchmark rows (see {@link readBenchmarks}); default none. */
  benchmarks?: readonly BenchmarkRecord[];
  /** Which parity test files exist (default: assume all do). Entries whose file is missing are dropped. */
  fileExists?: (path: string) => boolean;
}

/**
 * Builds an architecture with its default options and no random initialization (the weights are
 * never read: `skipInit`, a build option every family takes), summarizes it and disposes it.
 */
export function measureCost(definition: ModelDefinition): ModelCost {
  const model = definition.build({ skipInit: true });
  try {
    const shape = model.inputs[0]?.shape ?? [];
    const summary = summarize(model as never);
    return {
      inputShape: [shape[1] ?? 0, shape[2] ?? 0, shape[3] ?? 0],
      trainableParams: summary.trainableParams,
      totalParams: summary.totalParams,
      macs: summary.macs,
    };
  } finally {
    model.dispose();
  }
}

/** Orders ids as people read them: `resnet18` before `resnet101`. */
export function naturalOrder(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

/** Collects the facts of every registered architecture (or of `options.ids`), sorted by id. */
export function collectModelFacts(options: CollectOptions = {}): ModelFacts[] {
  const ids = options.ids ?? listModels();
  const exists = options.fileExists ?? (() => true);
  return [...ids].sort(naturalOrder).map((id): ModelFacts => {
    const definition = getModelDefinition(id);
    const pretrained = definition.pretrained ?? [];
    const defaultTag = definition.defaultTag ?? pretrained[0]?.tag;
    const parity = (PARITY_EVIDENCE[definition.family] ?? [])
      .filter((entry) => exists(entry.file))
      .map((entry) => ({ ...entry, coversThisVariant: entry.variants.includes(definition.name) }));
    const benchmarks = (options.benchmarks ?? []).filter(
      (row) => row.model === definition.name || row.model.startsWith(`${definition.name}.`),
    );
    return {
      definition,
      cost: measureCost(definition),
      pretrained,
      ...(defaultTag === undefined ? {} : { defaultTag }),
      parity,
      benchmarks,
    };
  });
}
