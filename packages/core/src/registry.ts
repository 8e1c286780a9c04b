/**
 * The model registry: architectures as data, pretrained weights as typed metadata, timm-style ids
 * (`arch` or `arch.tag`), and deprecation aliases. Modelled on timm's `_registry.py` and
 * torchvision's `_api.py`.
 */
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { describeValue, invalidArgument, ZooError } from './errors.js';
import type { BuildOptions } from './options.js';

/** File formats tfzoo reads weights from. */
export type WeightFormat = 'safetensors' | 'pth' | 'tfjs';

/** One downloadable weight file, pinned by content hash. */
export interface WeightSource {
  /** Where the file is hosted. */
  url: string;
  /** Other URLs serving the same bytes, tried in order when `url` fails. */
  mirrors?: readonly string[];
  /** The file's format. */
  format: WeightFormat;
  /** Full lowercase hex sha256 of the file, when known. */
  sha256?: string;
  /** The published prefix of the sha256 (torchvision puts 8–10 hex digits in file names). */
  sha256Prefix?: string;
  /** Hosting revision (a Hugging Face commit id or tag); `main` when no commit is pinned. */
  revision?: string;
  /** Size in bytes, when known (used for progress). */
  sizeBytes?: number;
}

/** How inputs must be prepared for a set of pretrained weights. */
export interface Preprocessing {
  /** Network input `[height, width, channels]`. */
  inputSize: readonly [number, number, number];
  /** Size the shorter side is resized to before the center crop. */
  resizeSize: number;
  /** Fraction of the resized image kept by the center crop (`inputSize / resizeSize`). */
  cropFraction: number;
  /** Resize interpolation. */
  interpolation: 'bilinear' | 'bicubic' | 'nearest';
  /** Per-channel mean subtracted after scaling to `inputRange`. */
  mean: readonly number[];
  /** Per-channel standard deviation divided by after subtracting the mean. */
  std: readonly number[];
  /** Channel order the weights expect. */
  channelOrder: 'RGB' | 'BGR';
  /** Pixel range before normalization: `[0, 1]` (torchvision, timm) or `[0, 255]`. */
  inputRange: readonly [number, number];
}

/** A top-1/top-5 accuracy figure and where it comes from. */
export interface AccuracyReport {
  /** Top-1 accuracy in percent. */
  top1: number;
  /** Top-5 accuracy in percent, when reported. */
  top5?: number;
  /** Evaluation data set, e.g. `imagenet-1k-val` or `fashion-mnist-test`. */
  dataset: string;
  /** Where the figure was published or how it was measured. */
  source?: string;
}

/** Typed metadata of one set of pretrained weights (`arch.tag`). */
export interface PretrainedConfig {
  /** Full id, `arch.tag`. */
  id: string;
  /** Architecture id (the registry name of the builder). */
  arch: string;
  /** Weight tag, e.g. `tv_in1k`. */
  tag: string;
  /** The file, with its hash and mirrors. */
  source: WeightSource;
  /** Id of the name mapping that loads the file (e.g. `torchvision`, `timm`). */
  mapping: string;
  /** Build options the weights require (e.g. `{ transformInput: true }`), merged under user options. */
  buildOptions?: Readonly<Record<string, unknown>>;
  /** Number of classes of the stored classifier. */
  numClasses: number;
  /**
   * Reference module name(s) of the classifier (timm's `classifier`, e.g. `fc` or `classifier.1`):
   * its tensors are left out when the user asks for a different `numClasses` (a fresh head).
   */
  classifier: string | readonly string[];
  /** Class labels, index-aligned with the logits. */
  labels?: readonly string[];
  /** Trainable + non-trainable parameter count as the reference counts it (no BN statistics). */
  numParams: number;
  /** Input preparation. */
  preprocessing: Preprocessing;
  /** Accuracy reported upstream. */
  accuracy?: AccuracyReport;
  /** Accuracy measured by tfzoo with these weights. */
  measuredAccuracy?: AccuracyReport;
  /** License of the weights (SPDX id where one exists). */
  license: string;
  /** Where the weights come from (a model page or the reference code). */
  sourceUrl: string;
  /** The paper introducing the architecture. */
  paperUrl?: string;
  /** Free-form notes (training recipe, caveats). */
  notes?: string;
}

/** A builder: options in, untrained model out. */
export type ModelBuilder = (options?: BuildOptions & Record<string, unknown>) => LayersModel;

/** What a family registers for one architecture. */
export interface ModelDefinition {
  /** Architecture id, lowercase like torchvision and timm (`resnet50`, `mobilenet_v3_large`). */
  name: string;
  /** Family package, e.g. `resnet`. */
  family: string;
  /** Builds the model. */
  build: ModelBuilder;
  /**
   * The builder's option keys beyond `BuildOptions` (e.g. `featuresOnly`, `widthMultiplier`).
   * When given, `createModel` refuses any other key before building, naming this model.
   */
  options?: readonly string[];
  /** One-line description for listings. */
  description?: string;
  /** Paper title and link. */
  paper?: { title: string; url: string };
  /** Reference implementation the layout follows (e.g. `torchvision.models.resnet`). */
  reference?: string;
  /** Pretrained weights by tag. */
  pretrained?: readonly PretrainedConfig[];
  /** Tag used when `pretrained: true` (default: the first entry of `pretrained`). */
  defaultTag?: string;
  /**
   * Id of the weight mapping used for reference-format files given by path or URL
   * (`createModel(id, { weights })`), e.g. `torchvision` or `timm`.
   */
  defaultMapping?: string;
  /**
   * Every mapping id whose reference layout this architecture can load (e.g. VGG's torchvision and
   * timm layouts). `createModel(id, { weights })` without a `mapping` tries these, then
   * `defaultMapping`, `default` and `tfjs`, and keeps the one the file's tensor names fit.
   */
  mappings?: readonly string[];
}

/** The result of {@link resolveModelId}. */
export interface ResolvedModelId {
  /** Architecture id. */
  arch: string;
  /** Tag, when the id named one or `pretrained` was resolved to the default. */
  tag?: string;
  /** The registered definition. */
  definition: ModelDefinition;
  /** The pretrained config, when the id named a tag. */
  pretrained?: PretrainedConfig;
  /** When the id was a deprecated alias: the alias that was used. */
  deprecatedAlias?: string;
}

const ID_PATTERN = /^[a-z][a-z0-9_]*$/;
const TAG_PATTERN = /^[a-z0-9][a-z0-9_]*$/;

const models = new Map<string, ModelDefinition>();
const aliases = new Map<string, { target: string; message?: string }>();

/**
 * Checks a definition and returns it unchanged, typed. Families describe their variants with this
 * and register them with {@link registerModel}.
 *
 * @throws {@link @tfzoo/core!ZooError} when the name, a tag or a pretrained entry is malformed.
 */
export function defineModel(definition: ModelDefinition): ModelDefinition {
  if (typeof definition?.name !== 'string' || !ID_PATTERN.test(definition.name)) {
    throw invalidArgument('model name', definition?.name, 'lowercase letters, digits and _');
  }
  if (typeof definition.build !== 'function') {
    throw invalidArgument(`build of ${definition.name}`, definition.build, 'a builder function');
  }
  const tags = new Set<string>();
  for (const config of definition.pretrained ?? []) {
    if (config.arch !== definition.name) {
      throw invalidArgument(`pretrained arch of ${definition.name}`, config.arch, `"${definition.name}"`);
    }
    if (!TAG_PATTERN.test(config.tag) || config.id !== `${config.arch}.${config.tag}`) {
      throw invalidArgument(`pretrained id of ${definition.name}`, config.id, `"${config.arch}.<tag>"`);
    }
    if (tags.has(config.tag)) {
      throw new ZooError('DUPLICATE_MODEL', `pretrained tag "${config.id}" is declared twice`, {
        received: config.id,
      });
    }
    tags.add(config.tag);
  }
  if (definition.defaultTag !== undefined && !tags.has(definition.defaultTag)) {
    throw invalidArgument(
      `defaultTag of ${definition.name}`,
      definition.defaultTag,
      `one of ${describeValue([...tags])}`,
    );
  }
  return definition;
}

/**
 * Adds architectures to the registry.
 *
 * @throws {@link @tfzoo/core!ZooError} `DUPLICATE_MODEL` when a name is already registered, like torchvision.
 */
export function registerModel(...definitions: ModelDefinition[]): void {
  for (const definition of definitions) {
    defineModel(definition);
    if (models.has(definition.name) || aliases.has(definition.name)) {
      throw new ZooError('DUPLICATE_MODEL', `model "${definition.name}" is already registered`, {
        received: definition.name,
        expected: 'a name not yet in the registry',
      });
    }
    models.set(definition.name, definition);
  }
}

/**
 * Registers `alias` as a deprecated name of `target` (an `arch` or `arch.tag`).
 * Resolving the alias works and reports it in {@link ResolvedModelId.deprecatedAlias}.
 */
export function registerAlias(alias: string, target: string, message?: string): void {
  if (models.has(alias) || aliases.has(alias)) {
    throw new ZooError('DUPLICATE_MODEL', `model "${alias}" is already registered`, { received: alias });
  }
  aliases.set(alias, message === undefined ? { target } : { target, message });
}

/** Removes architectures and aliases from the registry (for tests and hot reload). */
export function unregisterModel(...names: string[]): void {
  for (const name of names) {
    models.delete(name);
    aliases.delete(name);
  }
}

function globToRegExp(pattern: string): RegExp {
  const escaped = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`);
}

function matcher(filter: string | readonly string[] | undefined): (id: string) => boolean {
  if (filter === undefined) return () => true;
  const patterns = (typeof filter === 'string' ? [filter] : filter).map(globToRegExp);
  return (id) => patterns.some((p) => p.test(id));
}

/** Registered architecture ids, sorted, optionally filtered by glob(s) such as `resnet*`. */
export function listModels(filter?: string | readonly string[]): string[] {
  const match = matcher(filter);
  return [...models.keys()].filter(match).sort();
}

/** Registered pretrained ids (`arch.tag`), sorted, optionally filtered by glob(s). */
export function listPretrained(filter?: string | readonly string[]): string[] {
  const match = matcher(filter);
  const ids: string[] = [];
  for (const definition of models.values()) {
    for (const config of definition.pretrained ?? []) if (match(config.id)) ids.push(config.id);
  }
  return ids.sort();
}

/** The registered definition of an architecture id (aliases resolved). */
export function getModelDefinition(arch: string): ModelDefinition {
  return resolveModelId(arch).definition;
}

function unknownModel(id: string): ZooError {
  const known = [...models.keys()];
  const near = known.filter((name) => name.startsWith(id.slice(0, 3))).slice(0, 8);
  const hint =
    known.length === 0
      ? 'no models are registered: import a family package (e.g. @tfzoo/resnet) or @tfzoo/models'
      : `known ids include ${(near.length > 0 ? near : known.slice(0, 8)).join(', ')}`;
  return new ZooError('UNKNOWN_MODEL', `unknown model id ${describeValue(id)}; ${hint}`, {
    received: id,
    expected: 'a registered architecture id, see listModels()',
  });
}

/**
 * Resolves `arch` or `arch.tag` (timm style) to its definition and, for a tag, its pretrained config.
 *
 * @throws {@link @tfzoo/core!ZooError} `INVALID_ARGUMENT` for a malformed id, `UNKNOWN_MODEL` for an unknown
 * architecture or tag.
 */
export function resolveModelId(id: string): ResolvedModelId {
  if (typeof id !== 'string' || id.length === 0) {
    throw invalidArgument('model id', id, 'a string "arch" or "arch.tag"');
  }
  let deprecatedAlias: string | undefined;
  let resolved = id;
  const alias = aliases.get(id);
  if (alias) {
    deprecatedAlias = id;
    resolved = alias.target;
  }
  const parts = resolved.split('.');
  if (
    parts.length > 2 ||
    !ID_PATTERN.test(parts[0] ?? '') ||
    (parts.length === 2 && !TAG_PATTERN.test(parts[1] ?? ''))
  ) {
    throw invalidArgument('model id', id, '"arch" or "arch.tag" (lowercase letters, digits, _; one dot)');
  }
  const [arch, tag] = parts as [string, string | undefined];
  let definition = models.get(arch);
  if (!definition) {
    const archAlias = aliases.get(arch);
    if (archAlias) {
      deprecatedAlias = arch;
      definition = models.get(archAlias.target.split('.')[0] ?? '');
    }
  }
  if (!definition) throw unknownModel(arch);
  const result: ResolvedModelId = { arch: definition.name, definition };
  if (deprecatedAlias !== undefined) result.deprecatedAlias = deprecatedAlias;
  if (tag !== undefined) {
    const pretrained = definition.pretrained?.find((config) => config.tag === tag);
    if (!pretrained) {
      const tags = (definition.pretrained ?? []).map((config) => config.tag);
      throw new ZooError(
        'UNKNOWN_MODEL',
        `unknown pretrained tag ${describeValue(tag)} for ${definition.name}; ${
          tags.length ? `available: ${tags.join(', ')}` : 'this architecture has no pretrained weights'
        }`,
        { received: id, expected: tags.map((t) => `${definition.name}.${t}`).join(', ') },
      );
    }
    result.tag = tag;
    result.pretrained = pretrained;
  }
  return result;
}

/**
 * The pretrained config of `arch.tag`, or of the architecture's default tag when `id` has none.
 *
 * @throws {@link @tfzoo/core!ZooError} `UNKNOWN_MODEL` when the id is unknown or has no pretrained weights.
 */
export function getPretrainedConfig(id: string): PretrainedConfig {
  const resolved = resolveModelId(id);
  if (resolved.pretrained) return resolved.pretrained;
  const { definition } = resolved;
  const configs = definition.pretrained ?? [];
  const config = definition.defaultTag ? configs.find((c) => c.tag === definition.defaultTag) : configs[0];
  if (!config) {
    throw new ZooError('UNKNOWN_MODEL', `${definition.name} has no pretrained weights`, {
      received: id,
      expected: `one of ${describeValue(listPretrained())}`,
    });
  }
  return config;
}
