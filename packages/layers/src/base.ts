/**
 * Shared plumbing of the layers in this package: argument checks that throw `ZooError`s, default
 * layer names, initializer (de)serialization through TF.js's public serialization map, and the
 * padding forms PyTorch accepts.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Initializer, InitializerIdentifier } from '@tensorflow/tfjs-layers/dist/initializers.js';
import { invalidArgument } from '@tfzoo/core';

/** Package prefix of every class name registered by `@tfzoo/layers` (`tfzoo>GroupConv2D`, …). */
export const CLASS_PREFIX = 'tfzoo>';

/** Keyword arguments TF.js passes to `Layer.call` (`training` during `fit`). */
export type CallKwargs = { [key: string]: unknown };

/** An initializer: a TF.js identifier such as `'heNormal'`, an instance, or its serialized form. */
export type InitializerSpec = InitializerIdentifier | Initializer | tf.serialization.ConfigDict;

const uids = new Map<string, number>();

/**
 * A unique default layer name such as `group_conv2d_3`. TF.js derives default names from the class
 * name, and ours contain `>` which is not valid in a tensor name, so the layers name themselves.
 */
export function defaultLayerName(prefix: string): string {
  const next = (uids.get(prefix) ?? 0) + 1;
  uids.set(prefix, next);
  return `${prefix}_${next}`;
}

/** Throws unless `value` is an integer ≥ `min`. */
export function checkInteger(what: string, value: unknown, min = 1): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw invalidArgument(what, value, min === 0 ? 'a non-negative integer' : `an integer ≥ ${min}`);
  }
  return value;
}

/** Throws unless `value` is a finite number in `[min, max]` (or the half-open range). */
export function checkNumber(
  what: string,
  value: unknown,
  range: { min?: number; max?: number; minExclusive?: boolean; maxExclusive?: boolean } = {},
): number {
  const { min = -Infinity, max = Infinity, minExclusive = false, maxExclusive = false } = range;
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (minExclusive ? value > min : value >= min) &&
    (maxExclusive ? value < max : value <= max);
  if (!ok) {
    const lo = Number.isFinite(min) ? `${minExclusive ? '>' : '≥'} ${min}` : '';
    const hi = Number.isFinite(max) ? `${maxExclusive ? '<' : '≤'} ${max}` : '';
    throw invalidArgument(
      what,
      value,
      `a finite number${lo || hi ? ` ${[lo, hi].filter(Boolean).join(' and ')}` : ''}`,
    );
  }
  return value as number;
}

/** Throws unless `value` is one of `allowed`. */
export function checkOneOf<T extends string>(what: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw invalidArgument(what, value, `one of ${allowed.map((a) => `'${a}'`).join(', ')}`);
  }
  return value as T;
}

/** Normalizes `n | [h, w]` into `[h, w]`, checking each is an integer ≥ `min`. */
export function intPair(what: string, value: unknown, min = 1): [number, number] {
  if (typeof value === 'number') {
    checkInteger(what, value, min);
    return [value, value];
  }
  if (Array.isArray(value) && value.length === 2) {
    const bad = value.some((v) => typeof v !== 'number' || !Number.isInteger(v) || v < min);
    if (!bad) return [value[0] as number, value[1] as number];
  }
  throw invalidArgument(what, value, `an integer ≥ ${min} or a pair [height, width] of integers ≥ ${min}`);
}

/**
 * Explicit spatial padding as PyTorch writes it: one symmetric amount, `[padHeight, padWidth]`
 * (PyTorch's tuple), or `[top, bottom, left, right]`.
 */
export type ExplicitPadding = number | [number, number] | [number, number, number, number];

/** Normalizes an {@link ExplicitPadding} to `[top, bottom, left, right]`. */
export function explicitPadding(what: string, value: unknown): [number, number, number, number] {
  const valid = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0;
  if (valid(value)) {
    const p = value as number;
    return [p, p, p, p];
  }
  if (Array.isArray(value) && value.every(valid)) {
    if (value.length === 2) return [value[0], value[0], value[1], value[1]];
    if (value.length === 4) return [value[0], value[1], value[2], value[3]];
  }
  throw invalidArgument(
    what,
    value,
    'a non-negative integer, [padHeight, padWidth] or [top, bottom, left, right] of non-negative integers',
  );
}

/** Copies an {@link ExplicitPadding} so a config never aliases the caller's array. */
export function copyPadding<T>(value: T): T {
  return (Array.isArray(value) ? [...value] : value) as T;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * Resolves an {@link InitializerSpec} to an instance using TF.js's public serialization map (the
 * registry tfjs-layers fills with its initializers), so no private tfjs-layers module is imported.
 */
export function resolveInitializer(what: string, spec: InitializerSpec): Initializer {
  if (spec instanceof tf.serialization.Serializable) return spec as Initializer;
  const map = tf.serialization.SerializationMap.getMap().classNameMap;
  let className: string | undefined;
  let config: tf.serialization.ConfigDict = {};
  if (typeof spec === 'string') {
    className = capitalize(spec);
  } else if (spec && typeof spec === 'object' && typeof spec.className === 'string') {
    className = spec.className;
    config = (spec.config as tf.serialization.ConfigDict | undefined) ?? {};
  }
  const entry = className === undefined ? undefined : map[className];
  if (!entry) {
    throw invalidArgument(
      what,
      spec,
      "a tfjs initializer identifier (e.g. 'heNormal', 'zeros'), an Initializer, or {className, config}",
    );
  }
  const [cls, fromConfig] = entry;
  return fromConfig(cls, config) as Initializer;
}

/** Serializes an initializer as `{className, config}`, the form {@link resolveInitializer} reads. */
export function serializeInitializer(initializer: Initializer): tf.serialization.ConfigDict {
  return { className: initializer.getClassName(), config: initializer.getConfig() };
}
