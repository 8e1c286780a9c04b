/** Argument checks shared by the optimizers and schedules; each throws `invalidArgument`. */
import { invalidArgument } from '@tfzoo/core';

/** Bounds accepted by {@link checkNumber}. */
export interface NumberBounds {
  /** Smallest accepted value (inclusive unless `minExclusive`). */
  min?: number;
  /** Largest accepted value (inclusive unless `maxExclusive`). */
  max?: number;
  /** Reject `min` itself. */
  minExclusive?: boolean;
  /** Reject `max` itself. */
  maxExclusive?: boolean;
  /** Require an integer. */
  integer?: boolean;
}

function describeBounds(b: NumberBounds): string {
  const kind = b.integer ? 'an integer' : 'a finite number';
  const parts: string[] = [];
  if (b.min !== undefined) parts.push(`${b.minExclusive ? '>' : '≥'} ${b.min}`);
  if (b.max !== undefined) parts.push(`${b.maxExclusive ? '<' : '≤'} ${b.max}`);
  return parts.length > 0 ? `${kind} ${parts.join(' and ')}` : kind;
}

/** Returns `value` (or `fallback` when undefined) after checking it is a number within `bounds`. */
export function checkNumber(
  what: string,
  value: unknown,
  fallback: number,
  bounds: NumberBounds = {},
): number {
  const v = value === undefined || value === null ? fallback : value;
  const ok =
    typeof v === 'number' &&
    Number.isFinite(v) &&
    (!bounds.integer || Number.isInteger(v)) &&
    (bounds.min === undefined || (bounds.minExclusive ? v > bounds.min : v >= bounds.min)) &&
    (bounds.max === undefined || (bounds.maxExclusive ? v < bounds.max : v <= bounds.max));
  if (!ok) throw invalidArgument(what, value, describeBounds(bounds));
  return v as number;
}

/** Like {@link checkNumber} but `undefined`/`null` stay `undefined`. */
export function checkOptionalNumber(
  what: string,
  value: unknown,
  bounds: NumberBounds = {},
): number | undefined {
  if (value === undefined || value === null) return undefined;
  return checkNumber(what, value, 0, bounds);
}

/** Returns `value` (or `fallback`) after checking it is a boolean. */
export function checkBoolean(what: string, value: unknown, fallback: boolean): boolean {
  const v = value === undefined || value === null ? fallback : value;
  if (typeof v !== 'boolean') throw invalidArgument(what, value, 'a boolean');
  return v;
}

/** Returns `value` (or `fallback`) after checking it is one of `choices`. */
export function checkChoice<T extends string>(
  what: string,
  value: unknown,
  fallback: T,
  choices: readonly T[],
): T {
  const v = value === undefined || value === null ? fallback : value;
  if (typeof v !== 'string' || !(choices as readonly string[]).includes(v)) {
    throw invalidArgument(what, value, `one of ${choices.map((c) => JSON.stringify(c)).join(', ')}`);
  }
  return v as T;
}
