/**
 * The build-option contract every tfzoo builder accepts (Keras applications' signature in
 * TypeScript spelling), and the one validator every family uses.
 */
import { describeValue, invalidArgument, ZooError } from './errors.js';

/** Global pooling applied to the last feature map when `includeTop` is false. */
export type PoolingMode = 'avg' | 'max' | null;

/** Activation of the classifier's output. `'linear'` returns logits, like torchvision and timm. */
export type ClassifierActivation = 'softmax' | 'linear';

/** Options every builder takes; each field is optional and has a documented default. */
export interface BuildOptions {
  /** Number of output classes (default 1000; 10 for LeNet). */
  numClasses?: number;
  /** Input shape without the batch dimension, NHWC: `[height, width, channels]`. */
  inputShape?: readonly [number, number, number];
  /** Whether to include the classifier head (default true). */
  includeTop?: boolean;
  /** Global pooling when `includeTop` is false (default `null`: the raw feature map). */
  pooling?: PoolingMode;
  /** Dropout rate before the classifier, in [0, 1) (default: the reference's). */
  dropRate?: number;
  /** Activation on the classifier output (default `'linear'`: logits). */
  classifierActivation?: ClassifierActivation;
  /** Name of the returned model (default: the architecture id). */
  name?: string;
  /**
   * Start every weight at zero instead of the reference initialization (default false). Only for
   * models whose weights are all loaded right after building: it skips seconds of random number
   * generation for the big models. `createModel` sets it when a strict load follows.
   */
  skipInit?: boolean;
  /**
   * Return a multi-output feature extractor instead of a classifier (timm's `features_only`): one
   * feature map per stage end, as `featureInfo(model)` describes; no head (default false).
   */
  featuresOnly?: boolean;
  /** Feature levels returned with `featuresOnly`, ascending indices into `featureInfo` (default: all). */
  outIndices?: readonly number[];
}

/** The keys of {@link BuildOptions}: the options every builder accepts. */
export const BUILD_OPTION_KEYS: readonly (keyof BuildOptions)[] = Object.freeze([
  'numClasses',
  'inputShape',
  'includeTop',
  'pooling',
  'dropRate',
  'classifierActivation',
  'name',
  'skipInit',
  'featuresOnly',
  'outIndices',
]);

/** Edit distance with transpositions (optimal string alignment), for "did you mean" hints. */
function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) =>
    Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, d[i - 2]![j - 2]! + 1);
      }
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * The candidate closest to `name` (case-insensitive edit distance), or `undefined` when none is
 * close enough to be a plausible typo (more than a third of the longer name differs).
 */
export function nearestName(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  if (best === undefined) return undefined;
  const limit = Math.max(2, Math.floor(Math.max(name.length, best.length) / 3));
  return bestDistance <= limit ? best : undefined;
}

/**
 * Refuses option keys outside `known`: `unknown option "numClases" for resnet18; did you mean
 * "numClasses"?`. Every builder and `createModel` call it, so a typo never builds a default model
 * silently.
 *
 * @param options - the options object as the user gave it (`undefined` passes).
 * @param known - every key the receiver accepts.
 * @param owner - who receives the options, for the message (a model id or builder name).
 * @throws {@link ZooError} `INVALID_ARGUMENT` naming the first unknown key, the nearest known one and
 * `owner`.
 */
export function checkOptionKeys(options: unknown, known: Iterable<string>, owner: string): void {
  if (options === undefined || options === null || typeof options !== 'object') return;
  const accepted = new Set(known);
  for (const key of Object.keys(options)) {
    if (accepted.has(key)) continue;
    const near = nearestName(key, accepted);
    const sorted = [...accepted].sort();
    throw new ZooError(
      'INVALID_ARGUMENT',
      `unknown option ${describeValue(key)} for ${owner}; ${
        near === undefined ? `expected one of ${sorted.join(', ')}` : `did you mean ${describeValue(near)}?`
      }`,
      { received: key, expected: `one of ${sorted.join(', ')}` },
    );
  }
}

/** {@link BuildOptions} with every field filled in. */
export interface ResolvedBuildOptions {
  numClasses: number;
  inputShape: [number, number, number];
  includeTop: boolean;
  pooling: PoolingMode;
  dropRate: number;
  classifierActivation: ClassifierActivation;
  name: string;
  skipInit: boolean;
}

/** A family's defaults and limits, used by {@link resolveBuildOptions}. */
export interface BuildDefaults {
  /** Default model name (the architecture id). */
  name: string;
  /** Default number of classes (1000 unless the family says otherwise). */
  numClasses?: number;
  /** Default input shape (`[224, 224, 3]` unless the family says otherwise). */
  inputShape?: readonly [number, number, number];
  /** Default dropout rate (0 unless the family says otherwise). */
  dropRate?: number;
  /** Smallest height and width the architecture accepts (default 1). */
  minInputSize?: number;
  /** Channel count the architecture requires, when fixed (e.g. 3 for `transformInput`). */
  channels?: number;
  /**
   * The family's own option keys beyond {@link BUILD_OPTION_KEYS} (e.g. `featuresOnly`): any other
   * key is refused by {@link checkOptionKeys}.
   */
  options?: readonly string[];
  /**
   * The builder returns feature maps itself when `featuresOnly` is true (ResNet's taps). Otherwise a
   * `featuresOnly: true` reaching {@link resolveBuildOptions} is refused instead of being ignored:
   * wrap the builder with `buildFeatures`.
   */
  handlesFeatures?: boolean;
}

function isPositiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0;
}

/**
 * Validates user build options against a family's defaults and fills in every field.
 *
 * @throws {@link ZooError} naming the received value when an option is malformed.
 */
export function resolveBuildOptions(
  options: BuildOptions | undefined,
  defaults: BuildDefaults,
): ResolvedBuildOptions {
  const given = options ?? {};
  if (typeof given !== 'object' || given === null || Array.isArray(given)) {
    throw invalidArgument('options', given, 'an object of build options');
  }
  checkOptionKeys(given, [...BUILD_OPTION_KEYS, ...(defaults.options ?? [])], defaults.name);
  if (given.featuresOnly === true && !defaults.handlesFeatures) {
    throw invalidArgument(
      'featuresOnly',
      true,
      `false for ${defaults.name}, whose builder returns no feature maps (start it with buildFeatures)`,
    );
  }
  const numClasses = given.numClasses ?? defaults.numClasses ?? 1000;
  if (!isPositiveInteger(numClasses)) {
    throw invalidArgument('numClasses', numClasses, 'a positive integer');
  }
  const inputShape = given.inputShape ?? defaults.inputShape ?? [224, 224, 3];
  if (!Array.isArray(inputShape) || inputShape.length !== 3) {
    throw invalidArgument('inputShape', inputShape, '[height, width, channels]');
  }
  if (!inputShape.every(isPositiveInteger)) {
    throw invalidArgument('inputShape', inputShape, '[height, width, channels] of positive integers');
  }
  const minSize = defaults.minInputSize ?? 1;
  if (inputShape[0] < minSize || inputShape[1] < minSize) {
    throw invalidArgument(
      'inputShape',
      inputShape,
      `height and width of at least ${minSize} for ${defaults.name}`,
    );
  }
  if (defaults.channels !== undefined && inputShape[2] !== defaults.channels) {
    throw invalidArgument('inputShape', inputShape, `${defaults.channels} channels for ${defaults.name}`);
  }
  const includeTop = given.includeTop ?? true;
  if (typeof includeTop !== 'boolean') throw invalidArgument('includeTop', includeTop, 'a boolean');
  const pooling = given.pooling === undefined ? null : given.pooling;
  if (pooling !== null && pooling !== 'avg' && pooling !== 'max') {
    throw invalidArgument('pooling', pooling, "'avg', 'max' or null");
  }
  const dropRate = given.dropRate ?? defaults.dropRate ?? 0;
  if (typeof dropRate !== 'number' || !(dropRate >= 0 && dropRate < 1)) {
    throw invalidArgument('dropRate', dropRate, 'a number in [0, 1)');
  }
  const classifierActivation = given.classifierActivation ?? 'linear';
  if (classifierActivation !== 'softmax' && classifierActivation !== 'linear') {
    throw invalidArgument('classifierActivation', classifierActivation, "'softmax' or 'linear'");
  }
  const skipInit = given.skipInit ?? false;
  if (typeof skipInit !== 'boolean') throw invalidArgument('skipInit', skipInit, 'a boolean');
  const name = given.name ?? defaults.name;
  if (typeof name !== 'string' || name.length === 0) {
    throw invalidArgument('name', name, 'a non-empty string');
  }
  return {
    numClasses,
    inputShape: [inputShape[0], inputShape[1], inputShape[2]],
    includeTop,
    pooling,
    dropRate,
    classifierActivation,
    name,
    skipInit,
  };
}
