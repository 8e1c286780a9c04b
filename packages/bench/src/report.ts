/**
 * The benchmark report: its JSON shape, the comparison table (every tfzoo backend as a ratio of the
 * PyTorch and onnxruntime-node rows of the same run), the markdown page and the SVG chart.
 */
import type { GpuInfo, MachineFingerprint } from './fingerprint.js';
import { formatBytes, formatRate, formatRatio, formatSeconds, ratio } from './stats.js';
import { type BarChart, barChartSvg } from './svg.js';
import type { BenchRow, Case, ModelSpec, RuntimeSpec, WorkerResult } from './types.js';

/** The options a run was made with (recorded in the JSON). */
export interface BenchOptions {
  /** Model ids. */
  models: string[];
  /** Runtime keys. */
  runtimes: string[];
  /** Cases, in order. */
  cases: Case[];
  /** Untimed warm-up calls per case. */
  warmup: number;
  /** Timed calls wanted per case. */
  repeats: number;
  /** Seconds one case of a tfzoo backend may take. */
  rowBudgetSeconds: number;
  /** Seconds one case of PyTorch or onnxruntime (the references) may take. */
  peerBudgetSeconds: number;
  /** Minutes the whole run may take, when limited. */
  deadlineMinutes?: number;
  /** Image side. */
  imageSize: number;
  /** Seed of weights and inputs. */
  seed: number;
  /** Relative tolerance of the logits check. */
  tolerance: number;
  /** tfzoo training rows with activation checkpointing per stage (PyTorch's stay plain). */
  gradCheckpointing?: boolean;
  /** Output folder. */
  out: string;
  /** Base name of the output files. */
  name: string;
}

/** A runtime with what its probe found. */
export interface RuntimeReport extends RuntimeSpec {
  /** Whether it came up. */
  available: boolean;
  /** Why not. */
  reason?: string;
  /** Versions, backend attempts, real threads. */
  info?: Record<string, unknown>;
}

/** Everything one run measured and how it was run: the JSON written next to the table. */
export interface BenchReport {
  /** Format id. */
  schema: 'tfzoo-bench/1';
  /** The command line as typed. */
  command: string;
  /** Options after defaults. */
  options: BenchOptions;
  /** ISO time the run started. */
  startedAt: string;
  /** ISO time it ended (absent while it runs). */
  finishedAt?: string;
  /** The machine. */
  machine: MachineFingerprint;
  /** The NVIDIA GPUs (`nvidia-smi`), recorded when a GPU runtime was selected. */
  gpus?: GpuInfo[] | { error: string };
  /** Load averages before and after (other processes share the cores). */
  load: { before: { at: string; loadavg: number[] }; after?: { at: string; loadavg: number[] } };
  /** Library versions. */
  versions: Record<string, string>;
  /** The runtimes and what their probes found. */
  runtimes: RuntimeReport[];
  /** The models. */
  models: ModelSpec[];
  /** Every worker's result (checks, build times, info). */
  workers: WorkerResult[];
  /** Every row, measured or not. */
  rows: BenchRow[];
}

/** The PyTorch and onnxruntime keys the ratios are taken against. */
export const PEER_KEYS = { pytorch: 'pytorch', onnxruntime: 'onnxruntime' } as const;

/** One cell of the comparison: a runtime's rate and its ratios against the peers. */
export interface ComparisonCell {
  /** Runtime key. */
  runtime: string;
  /** The row, when there is one. */
  row?: BenchRow;
  /** Images per second. */
  imagesPerSecond?: number;
  /** Rate divided by PyTorch's. */
  vsPytorch?: number;
  /** Rate divided by onnxruntime's. */
  vsOnnxruntime?: number;
  /** Rate divided by each peer's that has a rate (keyed by the peer's runtime key). */
  vs?: Record<string, number>;
}

/** The peers of a report: its selected runtimes that are not tfzoo backends, in table order. */
export function peerKeys(report: Pick<BenchReport, 'runtimes' | 'options'>): string[] {
  return report.runtimes
    .filter((r) => r.kind !== 'tfjs' && report.options.runtimes.includes(r.key))
    .map((r) => r.key);
}

/**
 * A deep copy of `value` in which every string mentioning the checkout directory `root` names the
 * path relative to it instead (`/home/me/tfzoo/packages/core/dist/backend.js` →
 * `packages/core/dist/backend.js`), so a committed report does not record where it was measured.
 */
export function withRelativePaths<T>(value: T, root: string): T {
  const prefix = root.endsWith('/') ? root : `${root}/`;
  return JSON.parse(
    JSON.stringify(value, (_key, item: unknown) =>
      typeof item === 'string' ? (item === prefix.slice(0, -1) ? '.' : item.split(prefix).join('')) : item,
    ),
  ) as T;
}

/** Finds the row of a model, runtime and case. */
export function findRow(
  rows: readonly BenchRow[],
  model: string,
  runtime: string,
  c: Case,
): BenchRow | undefined {
  return rows.find(
    (r) => r.model === model && r.runtime === runtime && r.mode === c.mode && r.batch === c.batch,
  );
}

/** The comparison of every runtime for one model and case, with ratios against the peers. */
export function compare(
  rows: readonly BenchRow[],
  model: string,
  c: Case,
  runtimes: readonly string[],
  peers: readonly string[] = [PEER_KEYS.pytorch, PEER_KEYS.onnxruntime],
): ComparisonCell[] {
  const rate = (key: string): number | undefined => {
    const row = findRow(rows, model, key, c);
    return row?.status === 'ok' ? row.imagesPerSecond : undefined;
  };
  const pytorch = rate(PEER_KEYS.pytorch);
  const onnxruntime = rate(PEER_KEYS.onnxruntime);
  return runtimes.map((runtime) => {
    const row = findRow(rows, model, runtime, c);
    const value = rate(runtime);
    const cell: ComparisonCell = { runtime };
    if (row) cell.row = row;
    if (value !== undefined) cell.imagesPerSecond = value;
    const vsPytorch = ratio(value, pytorch);
    if (vsPytorch !== undefined) cell.vsPytorch = vsPytorch;
    const vsOnnxruntime = ratio(value, onnxruntime);
    if (vsOnnxruntime !== undefined) cell.vsOnnxruntime = vsOnnxruntime;
    const vs: Record<string, number> = {};
    for (const peer of peers) {
      const r = ratio(value, rate(peer));
      if (r !== undefined) vs[peer] = r;
    }
    if (Object.keys(vs).length > 0) cell.vs = vs;
    return cell;
  });
}

/** Short text for a row that has no rate. */
export function statusNote(row: BenchRow | undefined): string {
  if (!row) return 'not run';
  if (row.status === 'ok') return formatRate(row.imagesPerSecond);
  if (row.status === 'skipped') {
    return row.estimatedSeconds !== undefined
      ? `skipped (≈${formatSeconds(row.estimatedSeconds)}/call)`
      : 'skipped';
  }
  return row.status === 'unavailable' ? 'n/a' : 'error';
}

function caseTitle(c: Case): string {
  return c.mode === 'inference'
    ? `Inference, batch ${c.batch}`
    : `Training step (forward + backward + SGD), batch ${c.batch}`;
}

function cellText(cell: ComparisonCell, peers: readonly string[]): string {
  if (cell.imagesPerSecond === undefined) return statusNote(cell.row);
  const rate = `**${formatRate(cell.imagesPerSecond)}**`;
  if (peers.length === 0) return rate;
  const parts = peers.map((peer) => formatRatio(cell.vs?.[peer]));
  return `${rate} (${parts.join(' / ')})`;
}

/** The WebGPU adapter a report's webgpu runtime ran on, when it recorded one. */
function webgpuAdapter(report: BenchReport): Record<string, unknown> | undefined {
  const runtime = report.runtimes.find((r) => r.backend === 'webgpu' && r.available);
  const adapter = runtime?.info?.adapter;
  return adapter && typeof adapter === 'object' ? (adapter as Record<string, unknown>) : undefined;
}

/** Whether the report's WebGPU rows ran on a software adapter (SwiftShader): not GPU numbers. */
export function ranOnSoftwareGpu(report: BenchReport): boolean {
  const adapter = webgpuAdapter(report);
  return (
    adapter !== undefined &&
    (adapter.isFallbackAdapter === true ||
      /swiftshader|llvmpipe|lavapipe/i.test(
        String(adapter.architecture ?? '') + String(adapter.description ?? ''),
      ))
  );
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function cases(report: BenchReport): Case[] {
  return report.options.cases;
}

/** The markdown page of a report. */
export function renderMarkdown(report: BenchReport, chartFile?: string): string {
  const runtimes = report.runtimes.filter((r) => report.options.runtimes.includes(r.key));
  const peers = runtimes.filter((r) => r.kind !== 'tfjs');
  const ours = runtimes.filter((r) => r.kind === 'tfjs');
  const shown = [...peers, ...ours.filter((r) => r.available)];
  const m = report.machine;
  const lines: string[] = [];
  const loadText = (l?: { loadavg: number[] }): string =>
    l ? l.loadavg.map((v) => v.toFixed(2)).join(' / ') : '–';
  lines.push(`# tfzoo benchmark: ${report.options.name}`, '');
  lines.push(
    `Measured in one run on ${m.cpu.model} (${m.cores} cores seen by Node, ${formatBytes(m.memoryBytes)}), ` +
      `${report.startedAt.slice(0, 16).replace('T', ' ')} UTC → ${report.finishedAt?.slice(0, 16).replace('T', ' ') ?? '(running)'} UTC. ` +
      `Images are ${report.options.imageSize}×${report.options.imageSize}×3, fp32, 1000 classes, random weights.`,
    '',
  );
  lines.push(
    `Load average (1/5/15 min) before: ${loadText(report.load.before)}; after: ${loadText(report.load.after)}. ` +
      ((report.load.before.loadavg[0] ?? 0) < 1
        ? `The machine was otherwise idle when the run started (1-min load below 1; the load after is the ` +
          `benchmark's own workers), so the absolute rates are this machine's; the ratios between runtimes ` +
          `measured back to back are the result.`
        : `Other processes were running when the run started (1-min load of 1 or more), so they shared the ` +
          `cores: absolute rates are low and noisy, the ratios between runtimes measured back to back are the result.`),
    '',
  );
  const adapter = webgpuAdapter(report);
  if (ranOnSoftwareGpu(report)) {
    lines.push(
      `> **SwiftShader numbers are not GPU numbers.** The WebGPU rows ran on ${String(adapter?.description ?? 'a software adapter')}, ` +
        "Google's CPU implementation of Vulkan: they check that the WebGPU path works end to end, not how fast a GPU runs it.",
      '',
    );
  }
  const peerIds = peerKeys(report).filter((key) => shown.some((r) => r.key === key));
  const peerLabels = peerIds.map((key) => shown.find((r) => r.key === key)?.label ?? key);
  lines.push('Regenerate with:', '', '```sh', report.command, '```', '');
  if (chartFile) lines.push(`![images per second, log scale](${chartFile})`, '');
  lines.push(
    `Each cell: **images/s** (median of the timed calls after a warm-up), then the ratio to ${peerLabels.join(' / ') || 'the peers'} ` +
      'in the same run (above 1× = faster than the peer). "skipped (≈X/call)" = the estimated time of one call did not fit the ' +
      `row budget (${formatSeconds(report.options.rowBudgetSeconds)} for tfzoo backends, ${formatSeconds(report.options.peerBudgetSeconds)} for the peers; ` +
      'a warm-up and at least one timed call must fit; a call estimated at over twice the budget is not started); ' +
      '"n/a" = the runtime does not do it. Every skip and its estimate is listed below.',
    '',
  );
  const header = ['model', ...shown.map((r) => `${r.label}`)];
  for (const c of cases(report)) {
    lines.push(`## ${caseTitle(c)}`, '');
    lines.push(`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`);
    for (const model of report.models) {
      const cells = compare(
        report.rows,
        model.id,
        c,
        shown.map((r) => r.key),
        peerIds,
      );
      const texts = cells.map((cell, i) =>
        !cell.row && (c.mode === 'train' ? !shown[i]?.trains : shown[i]?.infers === false)
          ? 'n/a'
          : cellText(cell, peerIds.includes(cell.runtime) ? [] : peerIds),
      );
      lines.push(`| ${[model.label, ...texts].map(escapeCell).join(' | ')} |`);
    }
    lines.push('');
  }
  lines.push('## Peak memory', '');
  lines.push(
    'Process peak RSS so far (`process.resourceUsage().maxRSS`, Python `ru_maxrss`; it includes building the model, and a ' +
      'worker runs its cases in the order of the tables, so later cases include earlier peaks); for wasm, the heap: the size of ' +
      "its linear memory after the case, which never shrinks (the most it has held so far, each buffer once, XNNPACK's packed " +
      'weights included); and, for TF.js, the peak of `tf.memory().numBytes` during one call (`tf.profile`), which counts a ' +
      "buffer once for every tensor that views it (reshapes, the tape's saved inputs), so it can exceed the heap.",
    '',
  );
  const memoryHeader = ['model', 'case', ...shown.map((r) => r.label)];
  lines.push(`| ${memoryHeader.join(' | ')} |`, `| ${memoryHeader.map(() => '---').join(' | ')} |`);
  for (const model of report.models) {
    for (const c of cases(report)) {
      const cells = shown.map((r) => {
        const row = findRow(report.rows, model.id, r.key, c);
        if (row?.status !== 'ok') return '–';
        const parts = [
          ...(row.heapBytes !== undefined ? [`heap ${formatBytes(row.heapBytes)}`] : []),
          ...(row.peakTensorBytes !== undefined ? [`tensors ${formatBytes(row.peakTensorBytes)}`] : []),
        ];
        return parts.length > 0
          ? `${formatBytes(row.peakRssBytes)} (${parts.join(', ')})`
          : formatBytes(row.peakRssBytes);
      });
      lines.push(`| ${[model.label, `${c.mode} b${c.batch}`, ...cells].map(escapeCell).join(' | ')} |`);
    }
  }
  lines.push('');
  lines.push('## Logits check', '');
  lines.push(
    `Before timing, each TF.js backend runs the check image (batch 1) through the model with the same deterministic weights ` +
      `as the cpu backend; a backend whose logits differ by more than ${report.options.tolerance} relative ` +
      '(max |Δ| / max |cpu logit|) is not timed for that model.',
    '',
  );
  const checked = ours.filter((r) => r.available && r.backend !== 'cpu');
  if (checked.length > 0) {
    lines.push(
      `| model | ${checked.map((r) => r.label).join(' | ')} |`,
      `| --- | ${checked.map(() => '---').join(' | ')} |`,
    );
    for (const model of report.models) {
      const cells = checked.map((r) => {
        const worker = report.workers.find((w) => w.model === model.id && w.runtime === r.key);
        const check = worker?.check;
        if (!check) return worker?.reason ? 'not run' : '–';
        if (check.reason && Number.isNaN(check.relativeError)) return `unchecked: ${check.reason}`;
        return `${check.ok ? 'ok' : 'FAILED'} ${check.relativeError.toExponential(1)}`;
      });
      lines.push(`| ${[model.label, ...cells].map(escapeCell).join(' | ')} |`);
    }
    lines.push('');
  }
  lines.push('## Runtimes', '');
  lines.push('| runtime | threads | status |', '| --- | --- | --- |');
  for (const r of runtimes) {
    const extra =
      r.info && typeof r.info.wasmThreads === 'number'
        ? ` (wasm reports ${r.info.wasmThreads} thread(s))`
        : '';
    lines.push(
      `| ${escapeCell(r.label)} | ${r.threads} | ${escapeCell(r.available ? `available${extra}` : `unavailable: ${r.reason ?? ''}`)} |`,
    );
  }
  lines.push('');
  const problems = report.rows.filter((r) => r.status === 'skipped' || r.status === 'error');
  if (problems.length > 0) {
    lines.push('## Skipped and failed rows', '');
    for (const row of problems) {
      lines.push(
        `- ${row.model}, ${row.runtime}, ${row.mode} b${row.batch}: ${row.status}: ${row.reason ?? ''}`,
      );
    }
    lines.push('');
  }
  lines.push('## Environment', '');
  lines.push(
    `- CPU: ${m.cpu.model}, ${m.cpu.logicalProcessors} logical processors; SIMD: ${m.cpu.simd.join(', ') || 'unknown'}`,
  );
  lines.push(`- OS: ${m.os}; Node ${m.node}`);
  if (report.gpus) {
    lines.push(
      Array.isArray(report.gpus)
        ? `- GPU${report.gpus.length > 1 ? 's' : ''} (nvidia-smi): ${report.gpus.map((g) => `${g.name}, ${g.memory}, compute capability ${g.computeCapability}, driver ${g.driver}`).join('; ') || 'none listed'}`
        : `- GPU: not listed (${report.gpus.error})`,
    );
  }
  if (adapter) {
    lines.push(
      `- WebGPU adapter: ${String(adapter.description)} (vendor ${String(adapter.vendor)}, architecture ${String(adapter.architecture)}, via ${String(adapter.source)})`,
    );
  }
  for (const [name, version] of Object.entries(report.versions)) lines.push(`- ${name}: ${version}`);
  lines.push(
    `- Options: warm-up ${report.options.warmup}, up to ${report.options.repeats} timed calls, row budget ${formatSeconds(report.options.rowBudgetSeconds)} (peers ${formatSeconds(report.options.peerBudgetSeconds)}), seed ${report.options.seed}${report.options.gradCheckpointing ? ', tfzoo training steps with activation checkpointing per stage' : ''}`,
  );
  lines.push(
    "- The full fingerprint (CPU flags, every timed call, every worker's details) is in the JSON next to this page.",
    '',
  );
  return lines.join('\n');
}

const PALETTE = ['#e45756', '#4c78a8', '#54a24b', '#72b7b2', '#f58518', '#b279a2', '#9d755d', '#bab0ac'];

/** The SVG chart of a report: images/s per model and case, one bar per runtime. */
export function renderChart(report: BenchReport): string {
  const runtimes = report.runtimes.filter(
    (r) => report.options.runtimes.includes(r.key) && (r.available || r.kind !== 'tfjs'),
  );
  const chart: BarChart = {
    title: `tfzoo benchmark: ${report.options.name} (images/s, higher is better)`,
    subtitle: `${report.machine.cpu.model}, ${report.machine.cores} cores, ${report.startedAt.slice(0, 10)}, load before ${report.load.before.loadavg.map((v) => v.toFixed(1)).join('/')}`,
    unit: 'images/s',
    series: runtimes.map((r, i) => ({
      key: r.key,
      label: r.label,
      color: PALETTE[i % PALETTE.length] as string,
    })),
    sections: cases(report).map((c) => ({
      title: caseTitle(c),
      groups: report.models.map((model) => ({
        label: model.label,
        bars: runtimes
          .map((r) => {
            const row = findRow(report.rows, model.id, r.key, c);
            return row?.status === 'ok' && row.imagesPerSecond !== undefined
              ? { series: r.key, value: row.imagesPerSecond }
              : { series: r.key, note: statusNote(row) };
          })
          .filter(
            (bar) =>
              bar.note !== 'n/a' &&
              !(c.mode === 'train' && !runtimes.find((r) => r.key === bar.series)?.trains) &&
              !(c.mode === 'inference' && runtimes.find((r) => r.key === bar.series)?.infers === false),
          ),
      })),
    })),
  };
  return barChartSvg(chart);
}
