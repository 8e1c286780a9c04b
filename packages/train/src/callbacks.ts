/**
 * Training callbacks for Node: a TTY-aware progress bar and JSONL/CSV logging with an SVG
 * training-curve chart. Early stopping, the weights' moving average and unfreezing, which run
 * anywhere, are in `training-callbacks.ts`.
 */
import { appendFile, mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { invalidArgument } from '@tfzoo/core';
import { renderTrainingChart } from './chart.js';
import type { BatchLogs, EpochLogs, TrainCallback, TrainContext } from './train.js';

/** A writable stream as much as the progress bar needs (`process.stderr`). */
export interface ProgressStream {
  /** Writes text. */
  write(text: string): unknown;
  /** True for a terminal (then the bar redraws in place). */
  isTTY?: boolean;
  /** Terminal width. */
  columns?: number;
}

/** Options of {@link ProgressBar}. */
export interface ProgressBarOptions {
  /** Where to write (default `process.stderr`). */
  stream?: ProgressStream;
  /** Print nothing at all. */
  quiet?: boolean;
  /** Plain-line mode (non-TTY): print a line every this many batches (default: 10 lines per epoch). */
  lineEvery?: number;
}

function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  return h > 0
    ? `${h}:${String(m).padStart(2, '0')}:${String(r).padStart(2, '0')}`
    : `${m}:${String(r).padStart(2, '0')}`;
}

function formatLogs(logs: Record<string, number>, skip: readonly string[]): string {
  return Object.entries(logs)
    .filter(([key]) => !skip.includes(key))
    .map(([key, value]) =>
      key === 'lr'
        ? `lr ${value.toExponential(2)}`
        : `${key} ${Number.isInteger(value) ? value : value.toFixed(4)}`,
    )
    .join('  ');
}

/**
 * A progress bar with running loss and metrics, throughput and ETA. On a TTY it redraws one line
 * in place; otherwise it prints plain lines (a few per epoch); with `quiet` it prints nothing.
 */
export class ProgressBar implements TrainCallback {
  private readonly stream: ProgressStream;
  private readonly quiet: boolean;
  private readonly lineEvery: number | undefined;
  private started = 0;
  private samples = 0;
  private lossSum = 0;
  private correct = 0;
  private batches = 0;
  private firstBatch = 0;

  /** Creates the bar; nothing is printed until training starts. */
  constructor(options: ProgressBarOptions = {}) {
    this.stream = options.stream ?? process.stderr;
    this.quiet = options.quiet ?? false;
    this.lineEvery = options.lineEvery;
  }

  /** Resets the epoch's running values. */
  onEpochBegin(_epoch: number, context: TrainContext): void {
    this.started = performance.now();
    this.samples = 0;
    this.lossSum = 0;
    this.correct = 0;
    this.batches = 0;
    this.firstBatch = context.state.batchInEpoch;
  }

  /** Redraws (TTY) or prints a line every few batches. */
  onBatchEnd(batch: number, logs: BatchLogs, context: TrainContext): void {
    if (this.quiet) return;
    this.samples += logs.size;
    this.lossSum += logs.loss * logs.size;
    if (typeof logs.accuracy === 'number') this.correct += logs.accuracy * logs.size;
    this.batches++;
    const total = context.stepsPerEpoch;
    const elapsed = (performance.now() - this.started) / 1000;
    const rate = this.samples / Math.max(elapsed, 1e-9);
    const perBatch = elapsed / this.batches;
    const left = total === undefined ? Number.NaN : (total - batch - 1) * perBatch;
    const acc = typeof logs.accuracy === 'number' ? `  acc ${(this.correct / this.samples).toFixed(4)}` : '';
    const stats = `loss ${(this.lossSum / this.samples).toFixed(4)}${acc}  lr ${logs.lr.toExponential(2)}  ${rate.toFixed(0)} img/s  ETA ${formatDuration(left)}`;
    const epochLabel = `epoch ${context.state.epoch + 1}/${context.epochs}`;
    if (this.stream.isTTY) {
      const width = Math.max(10, Math.min(30, (this.stream.columns ?? 100) - 100));
      const fraction = total ? (batch + 1) / total : 0;
      const filled = Math.round(fraction * width);
      const bar = total
        ? `[${'='.repeat(filled)}${' '.repeat(width - filled)}] ${batch + 1}/${total}`
        : `${batch + 1}`;
      this.stream.write(`\r\x1b[2K${epochLabel} ${bar}  ${stats}`);
    } else {
      const every = this.lineEvery ?? Math.max(1, Math.ceil((total ?? 100) / 10));
      const done = batch + 1 - this.firstBatch;
      if (done % every === 0 || (total !== undefined && batch + 1 === total)) {
        this.stream.write(`${epochLabel} batch ${batch + 1}${total ? `/${total}` : ''}  ${stats}\n`);
      }
    }
  }

  /** Prints the epoch summary line. */
  onEpochEnd(epoch: number, logs: EpochLogs, context: TrainContext): void {
    if (this.quiet) return;
    const prefix = this.stream.isTTY ? '\r\x1b[2K' : '';
    this.stream.write(
      `${prefix}epoch ${epoch + 1}/${context.epochs}  ${formatLogs(logs, ['epoch', 'seconds', 'samplesPerSecond'])}  ${logs.samplesPerSecond.toFixed(0)} img/s  ${formatDuration(logs.seconds)}\n`,
    );
  }

  /** Ends the TTY line when interrupted. */
  onInterrupt(context: TrainContext): void {
    if (this.quiet) return;
    this.stream.write(
      `${this.stream.isTTY ? '\n' : ''}interrupted at epoch ${context.state.epoch + 1}, step ${context.state.step}\n`,
    );
  }
}

/** Options of {@link MetricsLogger}. */
export interface MetricsLoggerOptions {
  /** Log file; `.csv` writes CSV, anything else JSON Lines. */
  path: string;
  /** Write the SVG chart beside the log (`<path without extension>.svg`; default true). */
  chart?: boolean;
  /** Append to an existing log (resuming) instead of starting a new one (default false). */
  append?: boolean;
  /** Epoch logs of the run so far (when appending), so the chart shows the whole run. */
  history?: EpochLogs[];
}

/**
 * Appends one record per epoch to a JSONL or CSV log and rewrites an SVG training-curve chart
 * (loss and accuracy, train and validation) beside it after every epoch.
 */
export class MetricsLogger implements TrainCallback {
  /** The log file. */
  readonly path: string;
  /** The chart file, or undefined when disabled. */
  readonly chartPath: string | undefined;
  private readonly csv: boolean;
  private readonly append: boolean;
  private columns: string[] | undefined;
  private readonly all: EpochLogs[];

  /** Checks the options; the file is created when training starts. */
  constructor(options: MetricsLoggerOptions) {
    if (typeof options?.path !== 'string' || options.path === '') {
      throw invalidArgument('path', options?.path, 'a log file path');
    }
    this.path = options.path;
    this.csv = /\.csv$/i.test(options.path);
    this.append = options.append ?? false;
    this.chartPath = options.chart === false ? undefined : `${options.path.replace(/\.[^./\\]*$/, '')}.svg`;
    this.all = [...(options.history ?? [])];
  }

  /** Creates (or keeps, when appending) the log file. */
  async onTrainBegin(): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    if (!this.append) await writeFile(this.path, '');
    if (this.csv && this.append && this.all.length > 0) this.columns = Object.keys(this.all[0]!);
  }

  /** Appends the epoch's record and redraws the chart. */
  async onEpochEnd(_epoch: number, logs: EpochLogs): Promise<void> {
    this.all.push(logs);
    if (this.csv) {
      let text = '';
      if (!this.columns) {
        this.columns = Object.keys(logs);
        text += `${this.columns.join(',')}\n`;
      }
      text += `${this.columns.map((c) => (logs[c] === undefined ? '' : String(logs[c]))).join(',')}\n`;
      await appendFile(this.path, text);
    } else {
      await appendFile(this.path, `${JSON.stringify(logs)}\n`);
    }
    if (this.chartPath) {
      const temporary = `${this.chartPath}.tmp-${process.pid}`;
      await writeFile(temporary, renderTrainingChart(this.all));
      await rename(temporary, this.chartPath);
    }
  }
}
