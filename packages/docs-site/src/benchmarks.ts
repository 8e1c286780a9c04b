/**
 * Reads our measured speeds from `docs/benchmarks/*.json`. A report of `@tfzoo/bench`
 * (`"schema": "tfzoo-bench/1"`) gives one record per measured TF.js row — the PyTorch and
 * onnxruntime rows of the same run are peers, kept only as the ratio of each of our rows to
 * PyTorch. Other files are read leniently — `model`/`id`/`arch`, `imagesPerSecond`/`throughput`,
 * `latencyMs`/`medianMs` — and rows it cannot read are skipped, never guessed. A card says nothing
 * about speed when no row names its model.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ZooError } from '@tfzoo/core';

/** One measured speed. */
export interface BenchmarkRecord {
  /** Model id (`arch` or `arch.tag`). */
  model: string;
  /** Backend the run used (`wasm`, `tensorflow`, `webgpu`, …). */
  backend?: string;
  /** Batch size. */
  batchSize?: number;
  /** Input height and width. */
  inputSize?: number;
  /** Throughput in images per second. */
  imagesPerSecond?: number;
  /** Median latency of one batch in milliseconds. */
  latencyMs?: number;
  /** The machine, in words. */
  device?: string;
  /** `inference`, or `train` for a training step (forward, backward, update). */
  mode?: 'inference' | 'train';
  /** Our speed divided by PyTorch's for the same model, mode and batch in the same run. */
  vsPytorch?: number;
  /** The JSON file the row came from (relative to the benchmarks folder). */
  file: string;
}

type Json = Record<string, unknown>;

function pick<T>(row: Json, keys: readonly string[], type: 'string' | 'number'): T | undefined {
  for (const key of keys) if (typeof row[key] === type) return row[key] as T;
  return undefined;
}

function rowsOf(content: unknown): Json[] {
  if (Array.isArray(content))
    return content.filter((row): row is Json => typeof row === 'object' && row !== null);
  if (typeof content !== 'object' || content === null) return [];
  const object = content as Json;
  for (const key of ['results', 'rows', 'models', 'benchmarks']) {
    if (Array.isArray(object[key])) return rowsOf(object[key]);
  }
  return [];
}

/** The records of a `@tfzoo/bench` report: its measured TF.js rows, with the ratio to PyTorch. */
function parseBenchReport(report: Json, file: string): BenchmarkRecord[] {
  const runtimes = new Map<string, Json>();
  for (const runtime of rowsOf(report.runtimes)) {
    if (typeof runtime.key === 'string') runtimes.set(runtime.key, runtime);
  }
  const options = (
    typeof report.options === 'object' && report.options !== null ? report.options : {}
  ) as Json;
  const machine = (
    typeof report.machine === 'object' && report.machine !== null ? report.machine : {}
  ) as Json;
  const inputSize = pick<number>(options, ['imageSize'], 'number');
  const cores = pick<number>(machine, ['cores'], 'number');
  const cpu = typeof machine.cpu === 'object' && machine.cpu !== null ? (machine.cpu as Json) : {};
  const device = [
    pick<string>(machine, ['cpu'], 'string') ?? pick<string>(cpu, ['model'], 'string'),
    cores === undefined ? undefined : `${cores} cores`,
  ]
    .filter((part) => part !== undefined)
    .join(', ');
  const rows = rowsOf(report.rows).filter(
    (row) => row.status === 'ok' && typeof row.imagesPerSecond === 'number' && typeof row.model === 'string',
  );
  const speedOf = (runtime: string, model: unknown, mode: unknown, batch: unknown) =>
    rows.find((r) => r.runtime === runtime && r.model === model && r.mode === mode && r.batch === batch)
      ?.imagesPerSecond as number | undefined;
  const records: BenchmarkRecord[] = [];
  for (const row of rows) {
    const runtime = runtimes.get(String(row.runtime));
    if (runtime?.kind !== 'tfjs') continue;
    const imagesPerSecond = row.imagesPerSecond as number;
    const pytorch = speedOf('pytorch', row.model, row.mode, row.batch);
    const median = pick<number>(row, ['medianSeconds'], 'number');
    records.push({
      model: row.model as string,
      file,
      backend: typeof runtime.label === 'string' ? runtime.label : String(row.runtime),
      ...(row.mode === 'inference' || row.mode === 'train' ? { mode: row.mode } : {}),
      ...(typeof row.batch === 'number' ? { batchSize: row.batch } : {}),
      ...(inputSize === undefined ? {} : { inputSize }),
      imagesPerSecond,
      ...(median === undefined ? {} : { latencyMs: median * 1000 }),
      ...(device === '' ? {} : { device }),
      ...(pytorch === undefined ? {} : { vsPytorch: imagesPerSecond / pytorch }),
    });
  }
  return records;
}

/** Turns the parsed content of one benchmark file into records (rows without a model id or a speed are skipped). */
export function parseBenchmarks(content: unknown, file: string): BenchmarkRecord[] {
  if (
    typeof content === 'object' &&
    content !== null &&
    typeof (content as Json).schema === 'string' &&
    ((content as Json).schema as string).startsWith('tfzoo-bench/')
  ) {
    return parseBenchReport(content as Json, file);
  }
  const fileLevel =
    typeof content === 'object' && content !== null && !Array.isArray(content) ? (content as Json) : {};
  const fileDevice = pick<string>(fileLevel, ['device', 'machine', 'host'], 'string');
  const fileBackend = pick<string>(fileLevel, ['backend'], 'string');
  const records: BenchmarkRecord[] = [];
  for (const row of rowsOf(content)) {
    const model = pick<string>(row, ['model', 'id', 'arch', 'modelId'], 'string');
    const imagesPerSecond = pick<number>(
      row,
      ['imagesPerSecond', 'imgPerSec', 'images_per_second', 'throughput'],
      'number',
    );
    const latencyMs = pick<number>(row, ['latencyMs', 'medianMs', 'msPerBatch', 'ms'], 'number');
    if (model === undefined || (imagesPerSecond === undefined && latencyMs === undefined)) continue;
    const backend = pick<string>(row, ['backend'], 'string') ?? fileBackend;
    const batchSize = pick<number>(row, ['batchSize', 'batch'], 'number');
    const inputSize = pick<number>(row, ['inputSize', 'resolution', 'imageSize'], 'number');
    const device = pick<string>(row, ['device', 'machine'], 'string') ?? fileDevice;
    records.push({
      model,
      file,
      ...(backend === undefined ? {} : { backend }),
      ...(batchSize === undefined ? {} : { batchSize }),
      ...(inputSize === undefined ? {} : { inputSize }),
      ...(imagesPerSecond === undefined ? {} : { imagesPerSecond }),
      ...(latencyMs === undefined ? {} : { latencyMs }),
      ...(device === undefined ? {} : { device }),
    });
  }
  return records;
}

/**
 * Reads every `*.json` in `dir` (sorted by name). A missing folder gives no records.
 *
 * @throws {@link @tfzoo/core!ZooError} `CORRUPT_FILE` naming a file that is not valid JSON.
 */
export function readBenchmarks(dir: string): BenchmarkRecord[] {
  let names: string[];
  try {
    names = readdirSync(dir)
      .filter((name) => name.endsWith('.json'))
      .sort();
  } catch {
    return [];
  }
  const records: BenchmarkRecord[] = [];
  for (const name of names) {
    let content: unknown;
    try {
      content = JSON.parse(readFileSync(join(dir, name), 'utf8'));
    } catch (cause) {
      throw new ZooError('CORRUPT_FILE', `benchmark file ${join(dir, name)} is not valid JSON`, {
        received: name,
        expected: 'a JSON file written by @tfzoo/bench',
        cause,
      });
    }
    records.push(...parseBenchmarks(content, name));
  }
  return records;
}
