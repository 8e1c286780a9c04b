/**
 * The timing loop shared by the workers: estimate, check the row budget, warm up, then time.
 */

import { formatSeconds, median, repeatsWithinBudget } from './stats.js';
import type { BenchRow, Case } from './types.js';

/** Options of {@link measureCase}. */
export interface MeasureOptions {
  /** Untimed runs first (at least one is made). */
  warmup: number;
  /** Timed runs wanted. */
  repeats: number;
  /** Seconds the whole case may take. */
  budgetSeconds: number;
  /** Estimated seconds of one call, known before running it. */
  estimateSeconds: number;
  /** Runs the warm-up call; may return extra row fields (e.g. peak tensor bytes from a profile). */
  warm?: () => Promise<Partial<BenchRow>>;
}

/** Seconds since an origin, from the monotonic clock. */
export function seconds(): number {
  return Number(process.hrtime.bigint()) / 1e9;
}

/**
 * Runs one case: skips it when even one warm-up and one timed call are estimated to exceed the
 * budget, re-plans the repeats from the warm-up's real time, and reports the median.
 */
export async function measureCase(
  base: Pick<BenchRow, 'model' | 'runtime'> & Case,
  call: () => Promise<void>,
  options: MeasureOptions,
): Promise<BenchRow> {
  const warmup = Math.max(1, options.warmup);
  const row: BenchRow = { ...base, status: 'ok', estimatedSeconds: options.estimateSeconds };
  // The estimate comes from a smaller batch or from inference and errs high: skip before running
  // only when it exceeds the budget twice over; otherwise the warm-up's real time decides.
  const planned = Math.max(
    1,
    repeatsWithinBudget(options.estimateSeconds, options.budgetSeconds, warmup, options.repeats),
  );
  if (options.estimateSeconds * (warmup + 1) > 2 * options.budgetSeconds) {
    return {
      ...row,
      status: 'skipped',
      reason: `over budget (estimated ${formatSeconds(options.estimateSeconds)} per call; ${warmup} warm-up + 1 timed run exceed twice the ${formatSeconds(options.budgetSeconds)} row budget)`,
    };
  }
  const warmStart = seconds();
  if (options.warm) Object.assign(row, await options.warm());
  else await call();
  for (let i = 1; i < warmup; i++) await call();
  const warmSeconds = (seconds() - warmStart) / warmup;
  const left = options.budgetSeconds - warmSeconds * warmup;
  const repeats = Math.min(planned, Math.max(0, Math.floor(left / warmSeconds)));
  if (repeats === 0) {
    return {
      ...row,
      status: 'skipped',
      estimatedSeconds: warmSeconds,
      reason: `over budget (the warm-up call took ${formatSeconds(warmSeconds)}; no timed run fits the ${formatSeconds(options.budgetSeconds)} row budget)`,
    };
  }
  const runs: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const start = seconds();
    await call();
    runs.push(seconds() - start);
  }
  const mid = median(runs);
  return { ...row, warmup, runsSeconds: runs, medianSeconds: mid, imagesPerSecond: base.batch / mid };
}

/** The process's peak resident set size so far, in bytes. */
export function peakRssBytes(): number {
  return process.resourceUsage().maxRSS * 1024;
}
