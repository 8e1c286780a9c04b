/** Option checks shared by the package: typed options with unknown keys refused. */
import { invalidArgument } from '@tfzoo/core';

/** Returns `options` (or `{}`), refusing anything that is not an object or has keys outside `allowed`. */
export function checkKeys<T extends object>(
  options: T | undefined,
  allowed: readonly string[],
  what = 'options',
): Partial<T> {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw invalidArgument(what, options, 'an object of options');
  }
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) throw invalidArgument(`${what}.${key}`, key, `one of ${allowed.join(', ')}`);
  }
  return options;
}

/** A finite number in `[min, max]` (`max` exclusive when `maxExclusive`), or `fallback` when absent. */
export function checkRange(
  value: unknown,
  fallback: number | undefined,
  what: string,
  range: { min?: number; max?: number; maxExclusive?: boolean; integer?: boolean } = {},
): number {
  const x = value === undefined ? fallback : value;
  const { min, max, maxExclusive = false, integer = false } = range;
  const ok =
    typeof x === 'number' &&
    Number.isFinite(x) &&
    (!integer || Number.isInteger(x)) &&
    (min === undefined || x >= min) &&
    (max === undefined || (maxExclusive ? x < max : x <= max));
  if (!ok) {
    const bounds = `${min !== undefined ? ` ≥ ${min}` : ''}${max !== undefined ? ` ${maxExclusive ? '<' : '≤'} ${max}` : ''}`;
    throw invalidArgument(what, value, `${integer ? 'an integer' : 'a number'}${bounds}`);
  }
  return x as number;
}
