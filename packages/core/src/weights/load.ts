/**
 * Loading reference weights into a TF.js model and saving a model's weights back with the
 * reference names and layouts, so a state dict round-trips with PyTorch's
 * `load_state_dict(strict=True)` (`torch/nn/modules/module.py`), whose strict checks (missing keys,
 * unexpected keys, size mismatches, all reported at once) `loadWeights` mirrors.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { writeFileAtomic } from '#weights-platform';
import { describeValue, invalidArgument, ZooError } from '../errors.js';
import { getWeightLayout, type WeightTransform } from './layouts.js';
import { type SlotSource, type WeightMapping, WeightResolver, type WeightSlot } from './mapping.js';
import { convertValues, type RawTensor, type RawTensorMap, rawToTensor, tensorToRaw } from './raw.js';
import { type ReadWeightsOptions, readRawWeights } from './read.js';
import { writeSafetensors } from './safetensors.js';

/** Where `loadWeights` reads from: a path or URL, file bytes, raw tensors or TF.js tensors (not disposed). */
export type WeightsInput = string | URL | Uint8Array | RawTensorMap | tf.NamedTensorMap;

/** Options of {@link loadWeights}. */
export interface LoadWeightsOptions extends ReadWeightsOptions {
  /** Mapping id or mapping (default `default`: the mechanical `.`→`_` rule). */
  mapping?: string | WeightMapping;
  /**
   * When true (default), any unused source tensor or unfilled model weight is an error, like
   * PyTorch's `load_state_dict(strict=True)`. Shape mismatches are errors either way.
   */
  strict?: boolean;
  /**
   * Reference module names (e.g. `fc`, `classifier.1`; a `PretrainedConfig.classifier`) whose
   * tensors are not loaded; the model weights they would fill may stay unfilled even in strict
   * mode. This is how a head with a different `numClasses` is left fresh, like timm.
   */
  exclude?: string | readonly string[];
  /**
   * Check everything (names, shapes, strictness) and report, but assign nothing (default false).
   * How a caller tries several mappings on one file without touching the model.
   */
  dryRun?: boolean;
}

/** What {@link loadWeights} did. */
export interface LoadWeightsReport {
  /** Model weights that were filled, as `layer/weight`. */
  loaded: string[];
  /** Source tensors skipped on purpose (ignored by the mapping, BN step counters). */
  ignored: string[];
  /** Source tensors that matched nothing (only non-empty when `strict` is false). */
  unused: string[];
  /** Model weights the source did not fill (only non-empty when `strict` is false). */
  unfilled: string[];
  /**
   * With `dryRun`: the load plan, one `source name → layer/weight (transform)` line per tensor, in
   * source order — equal plans mean two mappings would load the same model.
   */
  plan?: string[];
}

interface SourceTensor {
  shape: number[];
  /** Creates the tensor in reference layout (float32 unless the slot is int32). */
  make(dtype: string): tf.Tensor;
}

function isNamedTensorMap(value: unknown): value is tf.NamedTensorMap {
  if (
    typeof value !== 'object' ||
    value === null ||
    value instanceof Map ||
    ArrayBuffer.isView(value) ||
    value instanceof URL
  ) {
    return false;
  }
  return Object.values(value).every((v) => v instanceof tf.Tensor);
}

async function sourceTensors(
  source: WeightsInput,
  options: ReadWeightsOptions,
): Promise<Map<string, SourceTensor>> {
  const out = new Map<string, SourceTensor>();
  if (source instanceof Map) {
    for (const [name, raw] of source) out.set(name, rawSource(raw, name));
    return out;
  }
  if (typeof source === 'string' || source instanceof URL || source instanceof Uint8Array) {
    const raw = await readRawWeights(source instanceof URL ? source.href : source, options);
    for (const [name, tensor] of raw) out.set(name, rawSource(tensor, name));
    return out;
  }
  if (isNamedTensorMap(source)) {
    for (const [name, tensor] of Object.entries(source)) {
      out.set(name, {
        shape: [...tensor.shape],
        make: (dtype) => (tensor.dtype === dtype ? tensor.clone() : tf.cast(tensor, dtype as tf.DataType)),
      });
    }
    return out;
  }
  throw invalidArgument('source', source, 'a path, URL, Uint8Array, Map of raw tensors or NamedTensorMap');
}

function rawSource(raw: RawTensor, name: string): SourceTensor {
  return {
    shape: raw.shape,
    make: (dtype) =>
      dtype === 'int32' ? rawToTensor(raw, 'native', name) : rawToTensor(raw, 'float32', name),
  };
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

const lastTemplates = new WeakMap<object, { mapping: WeightMapping; names: string[] }>();

/**
 * Loads reference weights into `model`: reads the source, maps every tensor name to a model weight
 * with the mapping, converts layouts, checks every shape, and assigns all weights at once (nothing
 * is assigned when any check fails).
 *
 * @throws {@link ZooError} `WEIGHTS_MISMATCH` listing, by name, every shape mismatch and — in strict
 * mode — every unused source tensor and every unfilled model weight.
 */
export async function loadWeights(
  model: SlotSource,
  source: WeightsInput,
  options: LoadWeightsOptions = {},
): Promise<LoadWeightsReport> {
  const strict = options.strict ?? true;
  const resolver = new WeightResolver(model as SlotSource, options.mapping);
  const tensors = await sourceTensors(source, options);
  const report: LoadWeightsReport = { loaded: [], ignored: [], unused: [], unfilled: [] };
  const mismatches: string[] = [];
  const duplicates: string[] = [];
  const plan: { name: string; slot: WeightSlot; transform: WeightTransform; tensor: SourceTensor }[] = [];
  const filled = new Map<string, string>();
  const unusedReasons: string[] = [];
  const excluded = typeof options.exclude === 'string' ? [options.exclude] : [...(options.exclude ?? [])];
  const excused = new Set<string>();
  for (const [name, tensor] of tensors) {
    const resolved = resolver.resolve(name);
    if (excluded.some((module) => name === module || name.startsWith(`${module}.`))) {
      report.ignored.push(name);
      if (resolved.kind === 'slot') excused.add(resolved.slot.key);
      continue;
    }
    if (resolved.kind !== 'slot') {
      if (resolved.kind === 'ignored') report.ignored.push(name);
      else {
        report.unused.push(name);
        unusedReasons.push(`${name} ${describeValue(tensor.shape)} (${resolved.reason})`);
      }
      continue;
    }
    const { slot, transform } = resolved;
    const previous = filled.get(slot.key);
    if (previous !== undefined) {
      duplicates.push(`${name} and ${previous} both map to ${slot.key}`);
      continue;
    }
    filled.set(slot.key, name);
    let expected: number[];
    try {
      expected = transform.referenceShape(slot.shape);
    } catch {
      expected = [];
    }
    if (!sameShape(expected, tensor.shape)) {
      mismatches.push(
        `${name} is ${describeValue(tensor.shape)} in the source; ${slot.key} ${describeValue(slot.shape)} (${transform.name}) expects ${describeValue(expected)}`,
      );
      continue;
    }
    plan.push({ name, slot, transform, tensor });
  }
  for (const slot of resolver.slots.values()) if (!filled.has(slot.key)) report.unfilled.push(slot.key);
  const problems: string[] = [
    ...mismatches.map((m) => `shape mismatch: ${m}`),
    ...duplicates.map((d) => `duplicate: ${d}`),
  ];
  if (strict) {
    problems.push(...unusedReasons.map((u) => `unused source tensor: ${u}`));
    problems.push(
      ...report.unfilled
        .filter((key) => !excused.has(key))
        .map((key) => `unfilled model weight: ${key} ${describeValue(resolver.slots.get(key)!.shape)}`),
    );
  }
  if (problems.length > 0) {
    const modelName = (model as { name?: string }).name ?? 'model';
    throw new ZooError(
      'WEIGHTS_MISMATCH',
      `weights do not fit ${modelName} (mapping ${describeValue(resolver.mapping.id ?? '(unnamed)')}): ${problems.length} problem(s)\n  ${problems.join('\n  ')}`,
      {
        received: { mismatches, duplicates, unused: report.unused, unfilled: report.unfilled },
        expected: 'every source tensor to fill exactly one model weight of the right shape',
      },
    );
  }
  if (options.dryRun) {
    report.plan = plan.map((item) => `${item.name} → ${item.slot.key} (${item.transform.name})`);
    report.loaded = plan.map((item) => item.slot.key);
    return report;
  }
  const values: tf.Tensor[] = [];
  try {
    for (const item of plan) {
      const value = tf.tidy(() => {
        const reference = item.tensor.make(item.slot.variable.dtype === 'int32' ? 'int32' : 'float32');
        return item.transform.toModel(reference, item.slot.shape);
      });
      values.push(value);
    }
    plan.forEach((item, i) => {
      item.slot.variable.write(values[i]);
      report.loaded.push(item.slot.key);
    });
  } finally {
    tf.dispose(values);
  }
  lastTemplates.set(model, { mapping: resolver.mapping, names: [...tensors.keys()] });
  return report;
}

/** Options of {@link exportStateDict} and {@link saveWeights}. */
export interface ExportWeightsOptions {
  /** `reference` (default): reference names and layouts; `tfjs`: `layer/weight` names, TF.js layouts. */
  names?: 'reference' | 'tfjs';
  /** Mapping id or mapping (default `default`). */
  mapping?: string | WeightMapping;
  /**
   * Reference names to reuse (e.g. the names of the file the weights came from). Default: the names
   * of the last `loadWeights` into this model with the same mapping, if any.
   */
  template?: Iterable<string>;
}

/** Options of {@link saveWeights}. */
export interface SaveWeightsOptions extends ExportWeightsOptions {
  /** File format; only `safetensors` is written. */
  format?: 'safetensors';
  /** Strings stored in the safetensors `__metadata__`. */
  metadata?: Readonly<Record<string, string>>;
}

/**
 * The model's weights as raw tensors: with `names: 'reference'`, a PyTorch state dict (reference
 * names, reference layouts, float32, plus each batch-norm's `num_batches_tracked` as an I64 zero),
 * leaving out names the mapping ignores.
 */
export function exportStateDict(
  model: LayersModel | SlotSource,
  options: ExportWeightsOptions = {},
): RawTensorMap {
  const resolver = new WeightResolver(model as SlotSource, options.mapping);
  const out: RawTensorMap = new Map();
  if (options.names === 'tfjs') {
    for (const slot of resolver.slots.values())
      out.set(slot.key, tensorToRaw(slot.variable.read() as tf.Tensor));
    return out;
  }
  if (options.names !== undefined && options.names !== 'reference') {
    throw invalidArgument('options.names', options.names, '"reference" or "tfjs"');
  }
  const remembered = lastTemplates.get(model);
  const template =
    options.template ?? (remembered?.mapping === resolver.mapping ? remembered.names : undefined);
  const names = resolver.referenceNames(template);
  const extrasDone = new Set<string>();
  for (const slot of resolver.slots.values()) {
    const entry = names.get(slot.key)!;
    if (resolver.isIgnored(entry.name)) continue;
    const value = tf.tidy(() => entry.transform.toReference(slot.variable.read() as tf.Tensor));
    try {
      out.set(entry.name, tensorToRaw(value));
    } finally {
      value.dispose();
    }
    const extras = getWeightLayout(slot.layer.getClassName())?.extras;
    if (extras && !extrasDone.has(slot.layer.name)) {
      extrasDone.add(slot.layer.name);
      const module = entry.name.slice(0, entry.name.lastIndexOf('.'));
      for (const [param, extra] of Object.entries(extras)) {
        const name = `${module}.${param}`;
        if (resolver.isIgnored(name)) continue;
        const size = extra.shape.reduce((a, b) => a * b, 1);
        out.set(name, {
          dtype: extra.dtype,
          shape: [...extra.shape],
          data: convertValues(new Array(size).fill(extra.value), extra.dtype),
        });
      }
    }
  }
  return out;
}

/**
 * Saves the model's weights as a safetensors file (written to a temporary file, then renamed).
 * With `names: 'reference'` (default) the file is a PyTorch state dict that loads with
 * `model.load_state_dict(safetensors.torch.load_file(path), strict=True)`.
 *
 * @returns the path written.
 */
export async function saveWeights(
  model: SlotSource,
  path: string,
  options: SaveWeightsOptions = {},
): Promise<string> {
  if (options.format !== undefined && options.format !== 'safetensors') {
    throw invalidArgument('options.format', options.format, '"safetensors"');
  }
  if (typeof path !== 'string' || path.length === 0) throw invalidArgument('path', path, 'a file path');
  const bytes = writeSafetensors(exportStateDict(model, options), options.metadata);
  await writeFileAtomic(path, bytes);
  return path;
}
