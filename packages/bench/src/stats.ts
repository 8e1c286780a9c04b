/**
 * Pure helpers of the benchmark: medians, ratios, budgets and number formatting.
 */

/** The median of `values` (the mean of the two middle values for an even count); NaN when empty. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** `value / reference`, or undefined when either is missing, not finite, or the reference is not positive. */
export function ratio(value: number | undefined, reference: number | undefined): number | undefined {
  if (value === undefined || reference === undefined) return undefined;
  if (!Number.isFinite(value) || !Number.isFinite(reference) || reference <= 0) return undefined;
  return value / reference;
}

/**
 * How many timed runs fit in `budgetSeconds` after `warmup` untimed runs of `estimateSeconds` each,
 * capped at `wanted`; 0 when not even one timed run fits.
 */
export function repeatsWithinBudget(
  estimateSeconds: number,
  budgetSeconds: number,
  warmup: number,
  wanted: number,
): number {
  if (!(estimateSeconds > 0)) return wanted;
  const fit = Math.floor(budgetSeconds / estimateSeconds) - warmup;
  return Math.max(0, Math.min(wanted, fit));
}

/** Images per second, three significant digits (`0.342`, `12.3`, `441`). */
export function formatRate(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '–';
  if (value >= 100) return value.toFixed(0);
  if (value >= 10) return value.toFixed(1);
  if (value >= 1) return value.toFixed(2);
  return value.toPrecision(3);
}

/** A ratio as `0.19×` (two significant digits below 10, whole numbers above). */
export function formatRatio(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '–';
  if (value >= 10) return `${value.toFixed(0)}×`;
  return `${value.toPrecision(2)}×`;
}

/** Bytes as MiB or GiB. */
export function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined || !Number.isFinite(bytes)) return '–';
  const mib = bytes / 2 ** 20;
  return mib >= 1024 ? `${(mib / 1024).toFixed(2)} GiB` : `${mib.toFixed(0)} MiB`;
}

/** Seconds as `0.12 s`, `12 s` or `3.4 min`. */
export function formatSeconds(seconds: number): string {
  if (seconds >= 120) return `${(seconds / 60).toFixed(1)} min`;
  if (seconds >= 10) return `${seconds.toFixed(0)} s`;
  return `${seconds.toPrecision(2)} s`;
}
