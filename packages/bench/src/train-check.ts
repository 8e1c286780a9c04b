/**
 * The training check's pure parts: its options, the order in which it tries a model's training
 * forms (plain; activation checkpointing; checkpointing with gradient accumulation), and its
 * report and markdown page. The command is `train-check-cli.ts`, its worker `train-check-worker.ts`.
 */
import type { MachineFingerprint } from './fingerprint.js';
import { formatBytes, formatSeconds, median } from './stats.js';

/** How one training step is taken: `train`'s `gradientCheckpointing` and `accumulateSteps`. */
export interface TrainForm {
  /** Activation checkpointing per stage. */
  gradientCheckpointing: boolean;
  /** Micro-batches per optimizer step (the micro-batch is `batch / accumulateSteps`). */
  accumulateSteps: number;
}

/** What `train`'s memory estimate said (the fields of `TrainingMemoryEstimate` the check uses). */
export interface EstimateSummary {
  /** Samples per micro-batch the estimate was made for. */
  batchSize: number;
  /** Whether it was made for a checkpointed step. */
  gradientCheckpointing: boolean;
  /** Activation bytes per sample of the step as configured. */
  activationBytesPerSample: number;
  /** Activation bytes per sample with checkpointing; absent when the model has no stages. */
  checkpointedActivationBytesPerSample?: number;
  /** Bytes of all weights. */
  weightBytes: number;
  /** Bytes of the trainable weights. */
  trainableBytes: number;
  /** Optimizer slots per trainable weight. */
  optimizerSlots: number;
  /**
   * The predicted bytes that do not grow with the batch (weights, gradients, optimizer slots,
   * XNNPACK's packed kernels, the accumulated gradients); absent in entries recorded before train's
   * estimate gave it, where weights, gradients and slots stand in.
   */
  fixedBytes?: number;
  /** The predicted peak of one step (one micro-batch), in bytes. */
  totalBytes: number;
  /** The backend's heap limit, when it has one. */
  limitBytes?: number;
}

/**
 * How an attempt ended: `ok`; `memory` (the estimate refused it or the heap ran out); `no-stages`
 * (the model cannot be checkpointed); `error` (anything else: a finding); `timeout`.
 */
export type AttemptOutcome = 'ok' | 'memory' | 'no-stages' | 'error' | 'timeout';

/** One try of one form of one model, in a worker process of its own. */
export interface TrainAttempt {
  /** The form tried. */
  form: TrainForm;
  /** How it ended. */
  outcome: AttemptOutcome;
  /** The error text, when it did not end well. */
  error?: string;
  /** The memory estimate `train` made before its first step. */
  estimate?: EstimateSummary;
  /** Seconds of every timed optimizer step (after one untimed warm-up step). */
  stepSeconds?: number[];
  /** Seconds of the warm-up step (includes `train`'s memory estimate). */
  warmupSeconds?: number;
  /** Peak of `tf.memory().numBytes` during the warm-up step (`tf.profile`). */
  peakTensorBytes?: number;
  /** Peak resident set size of the worker process, in bytes. */
  peakRssBytes?: number;
  /** The wasm heap's size when the attempt ended (it never shrinks: its peak), in bytes. */
  heapBytes?: number;
  /** Seconds to build the model and fill its weights. */
  buildSeconds?: number;
  /** The model's input shape without the batch (e.g. `[224, 224, 3]`). */
  inputShape?: number[];
  /** The wasm backend's thread count as the worker saw it. */
  threads?: number;
  /** Wall seconds of the worker process. */
  wallSeconds?: number;
}

/** A model's result: its attempts and the form that worked, if one did. */
export interface TrainCheckEntry {
  /** Model id. */
  model: string;
  /** Family package (`resnet`, …). */
  family: string;
  /** `ok`: a form took its steps; `failed`: none did; `not run` (with the reason). */
  status: 'ok' | 'failed' | 'not run';
  /** Why it was not run or failed. */
  reason?: string;
  /** Every attempt, in order. */
  attempts: TrainAttempt[];
}

/** Options of the training check (after defaults). */
export interface TrainCheckOptions {
  /** Model ids, in the order to run them. */
  models: string[];
  /** The effective batch of one optimizer step. */
  batch: number;
  /** wasm threads. */
  threads: number;
  /** Minutes one model (all its attempts) may take. */
  timeoutMinutes: number;
  /** Minutes the whole run may take; models not started by then are recorded as not run. */
  deadlineMinutes?: number;
  /** Seed of weights, inputs and labels. */
  seed: number;
  /** Output folder. */
  out: string;
  /** Base name of the output files. */
  name: string;
  /**
   * Keep the entries that took a step (`ok`) of an existing `NAME.json` for the models listed,
   * and run only the others (an interrupted or reordered run goes on).
   */
  resume?: boolean;
}

/** The JSON the check writes next to its page. */
export interface TrainCheckReport {
  /** Format id. */
  schema: 'tfzoo-train-check/1';
  /** The command line as typed. */
  command: string;
  /** Options after defaults. */
  options: TrainCheckOptions;
  /** ISO time the run started. */
  startedAt: string;
  /** ISO time it ended (absent while it runs). */
  finishedAt?: string;
  /** The machine. */
  machine: MachineFingerprint;
  /** Load averages before and after. */
  load: { before: { at: string; loadavg: number[] }; after?: { at: string; loadavg: number[] } };
  /** Library versions. */
  versions: Record<string, string>;
  /** One entry per model, in run order. */
  entries: TrainCheckEntry[];
  /** Earlier runs (`--resume`) whose entries this report kept, oldest first. */
  earlier?: { command: string; startedAt: string; finishedAt?: string; load: TrainCheckReport['load'] }[];
}

/** The help text of `npm run train-check -w @tfzoo/bench`. */
export const TRAIN_CHECK_HELP = `tfzoo training check: one training step of every architecture on wasm.

  npm run train-check -w @tfzoo/bench -- [options]
  npm run train-check -w @tfzoo/bench -- render docs/benchmarks/wasm-train-224.json   (rewrite the .md only)

  --models a,b     model ids, in the order to run them (default: every id of listModels())
  --batch N        effective batch of one optimizer step (default 16)
  --threads N      wasm threads (default 2)
  --timeout M      minutes one model may take, all its forms together (default 10)
  --deadline M     minutes the whole run may take: no model starts after it, and a running one is
                   stopped at it (recorded as timed out)
  --seed N         seed of weights, inputs and labels (default 1)
  --out DIR        output folder (default docs/benchmarks at the repository root)
  --name NAME      output base name (default wasm-train)
  --resume         keep the models of an existing NAME.json that took a step; run the others
  -h, --help       this text

Each model runs in a fresh worker process per form: plain first; where train's memory estimate
refuses it or the heap runs out, gradientCheckpointing; then accumulateSteps micro-batches.
Writes NAME.json and NAME.md after every model; progress goes to stderr.
`;

const VALUE_FLAGS = ['models', 'batch', 'threads', 'timeout', 'deadline', 'seed', 'out', 'name'] as const;

function positiveInteger(name: string, value: string): number {
  const n = Number(value);
  if (!(Number.isInteger(n) && n > 0))
    throw new Error(`--${name} must be a positive integer; received "${value}"`);
  return n;
}

function positiveNumber(name: string, value: string): number {
  const n = Number(value);
  if (!(Number.isFinite(n) && n > 0))
    throw new Error(`--${name} must be a positive number; received "${value}"`);
  return n;
}

/**
 * Parses the command line of the training check (`--flag value` or `--flag=value`); refuses
 * unknown flags, stray arguments, unknown model ids and bad numbers. Returns `'help'` for
 * `--help`. `known` is the registry's ids (the default list), `defaultOut` the default folder and
 * `resolvePath` makes `--out` absolute.
 */
export function parseTrainCheckArgs(
  argv: readonly string[],
  known: readonly string[],
  defaultOut: string,
  resolvePath: (path: string) => string,
): TrainCheckOptions | 'help' {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--help' || arg === '-h') return 'help';
    if (arg === '--resume') {
      flags.set('resume', 'true');
      continue;
    }
    if (!arg.startsWith('--')) throw new Error(`unexpected argument "${arg}"; see --help`);
    const eq = arg.indexOf('=');
    const key = eq > 0 ? arg.slice(2, eq) : arg.slice(2);
    if (!(VALUE_FLAGS as readonly string[]).includes(key))
      throw new Error(`unknown option --${key}; see --help`);
    let value: string | undefined;
    if (eq > 0) value = arg.slice(eq + 1);
    else {
      value = argv[i + 1];
      i++;
    }
    if (value === undefined || value === '') throw new Error(`--${key} needs a value`);
    if (flags.has(key)) throw new Error(`--${key} given twice`);
    flags.set(key, value);
  }
  const models = flags.has('models')
    ? (flags.get('models') as string)
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : [...known];
  const unknown = models.filter((id) => !known.includes(id));
  if (unknown.length > 0) {
    throw new Error(
      `unknown model id${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; expected ids of listModels()`,
    );
  }
  if (models.length === 0) throw new Error('--models names no model');
  const batch = positiveInteger('batch', flags.get('batch') ?? '16');
  const out = flags.get('out');
  return {
    models,
    batch,
    threads: positiveInteger('threads', flags.get('threads') ?? '2'),
    timeoutMinutes: positiveNumber('timeout', flags.get('timeout') ?? '10'),
    ...(flags.has('deadline')
      ? { deadlineMinutes: positiveNumber('deadline', flags.get('deadline') as string) }
      : {}),
    seed: Number.isInteger(Number(flags.get('seed') ?? '1'))
      ? Number(flags.get('seed') ?? '1')
      : (() => {
          throw new Error(`--seed must be an integer; received "${flags.get('seed')}"`);
        })(),
    out: out ? resolvePath(out) : defaultOut,
    name: flags.get('name') ?? 'wasm-train',
    ...(flags.has('resume') ? { resume: true } : {}),
  };
}

/**
 * A worker whose peak RSS is above this most likely filled the wasm heap (4 GiB at most): an
 * error then is read as running out of memory, whatever its text.
 */
export const NEAR_HEAP_LIMIT_RSS_BYTES = 3.5 * 2 ** 30;

/** The first form tried. */
export const PLAIN_FORM: TrainForm = { gradientCheckpointing: false, accumulateSteps: 1 };

/** Whether an error text reads as the wasm heap running out (wasm32: 4 GiB). */
export function isHeapFailure(text: string): boolean {
  return /out of memory|memory access out of bounds|Cannot enlarge memory|Aborted\(|WebAssembly\.Memory|allocat|heap/i.test(
    text,
  );
}

function fixedBytes(e: EstimateSummary): number {
  return e.fixedBytes ?? e.weightBytes + e.trainableBytes * (1 + e.optimizerSlots);
}

/** Whether micro-batches of `micro` samples fit `estimate`'s limit (its per-sample cost scaled). */
export function microBatchFits(estimate: EstimateSummary, micro: number): boolean {
  if (estimate.limitBytes === undefined) return true;
  const fixed = fixedBytes(estimate);
  const perSample = (estimate.totalBytes - fixed) / estimate.batchSize;
  return fixed + perSample * micro <= estimate.limitBytes;
}

/**
 * The next form to try after `attempts`, or undefined when there is none (the last one worked,
 * failed for a reason other than memory, or no form is left). The order: plain; activation
 * checkpointing; then accumulation over micro-batches (with checkpointing where the model has
 * stages), `accumulateSteps` a divisor of `batch` (so the effective batch stays `batch`), the
 * smallest above the last one tried whose micro-batch the last estimate says fits.
 */
export function nextForm(batch: number, attempts: readonly TrainAttempt[]): TrainForm | undefined {
  const last = attempts[attempts.length - 1];
  if (!last) return PLAIN_FORM;
  if (last.outcome !== 'memory' && last.outcome !== 'no-stages') return undefined;
  const stages = !attempts.some((a) => a.outcome === 'no-stages');
  if (stages && !attempts.some((a) => a.form.gradientCheckpointing)) {
    return { gradientCheckpointing: true, accumulateSteps: 1 };
  }
  // The estimate that matches the form about to be tried (checkpointed or not).
  const estimate = [...attempts]
    .reverse()
    .find((a) => a.estimate && a.estimate.gradientCheckpointing === stages)?.estimate;
  const tried = Math.max(
    ...attempts.filter((a) => a.form.gradientCheckpointing === stages).map((a) => a.form.accumulateSteps),
    1,
  );
  for (let k = tried + 1; k <= batch; k++) {
    if (batch % k !== 0) continue;
    if (estimate && !microBatchFits(estimate, batch / k) && k < batch) continue;
    return { gradientCheckpointing: stages, accumulateSteps: k };
  }
  return undefined;
}

/** `plain`, `checkpointed`, `checkpointed, 4 × 4`. */
export function formLabel(form: TrainForm, batch: number): string {
  const parts = [form.gradientCheckpointing ? 'checkpointed' : 'plain'];
  if (form.accumulateSteps > 1)
    parts.push(`${form.accumulateSteps} × ${batch / form.accumulateSteps} accumulated`);
  return parts.join(', ');
}

/** The attempt that worked, if one did. */
export function workingAttempt(entry: TrainCheckEntry): TrainAttempt | undefined {
  return entry.attempts.find((a) => a.outcome === 'ok');
}

function oneLine(text: string, max = 160): string {
  const flat = text.replace(/\s+/g, ' ').replace(/\|/g, '\\|').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function stepTime(s: number): string {
  return s < 10 ? s.toFixed(2) : s.toFixed(1);
}

/** The markdown page of a report: the table, then the failures, the machine and the command. */
export function renderTrainCheckMarkdown(report: TrainCheckReport): string {
  const { options, machine } = report;
  const entries = report.entries;
  const ok = entries.filter((e) => e.status === 'ok');
  const lines: string[] = [];
  lines.push(`# Training step on wasm at batch ${options.batch}, every architecture`);
  lines.push('');
  lines.push(
    `Each model in a fresh worker process, built at its default input size with random weights, on wasm with ${options.threads} threads: ` +
      `real training steps of batch ${options.batch} through \`train()\` of @tfzoo/train (SGD, lr 0.01, random one-hot labels, seed ${options.seed}). ` +
      'The plain step is tried first; where the memory estimate refuses it or the heap runs out, activation checkpointing ' +
      '(`gradientCheckpointing: true`); then micro-batches with `accumulateSteps` (effective batch unchanged). ' +
      "Each form runs in a process of its own, so peak RSS is that form's. One warm-up step, then one or two timed ones.",
  );
  lines.push('');
  lines.push(
    `**${ok.length} of ${entries.length} models took a step** (${entries.filter((e) => e.status === 'failed').length} failed, ${entries.filter((e) => e.status === 'not run').length} not run).`,
  );
  lines.push('');
  lines.push('| model | input | form | s/step | peak RSS | peak tensors | estimate | forms that failed |');
  lines.push('| --- | --- | --- | ---: | ---: | ---: | ---: | --- |');
  for (const entry of entries) {
    const good = workingAttempt(entry);
    const failed = entry.attempts.filter((a) => a.outcome !== 'ok');
    const failures = failed
      .map((a) => `${formLabel(a.form, options.batch)}: ${oneLine(a.error ?? a.outcome, 120)}`)
      .join('; ');
    const input = (good ?? entry.attempts[0])?.inputShape?.join('×') ?? '';
    if (good) {
      const steps = good.stepSeconds ?? [];
      lines.push(
        `| ${entry.model} | ${input} | ${formLabel(good.form, options.batch)} | ${steps.length ? stepTime(median(steps)) : good.warmupSeconds !== undefined ? `${stepTime(good.warmupSeconds)} (warm-up only)` : ''} | ${good.peakRssBytes ? formatBytes(good.peakRssBytes) : ''}${good.heapBytes ? ` (heap ${formatBytes(good.heapBytes)})` : ''} | ${good.peakTensorBytes ? formatBytes(good.peakTensorBytes) : ''} | ${good.estimate ? formatBytes(good.estimate.totalBytes) : ''} | ${failures} |`,
      );
    } else {
      lines.push(
        `| ${entry.model} | ${input} | **${entry.status}**${entry.reason ? `: ${oneLine(entry.reason, 120)}` : ''} | | | | | ${failures} |`,
      );
    }
  }
  lines.push('');
  lines.push(
    '*s/step*: median seconds of the timed optimizer steps (with accumulation, all micro-batches of one step). ' +
      "*peak RSS*: the worker process's peak resident set (building the model included); *heap*, where recorded: the wasm heap's size at the end, which never shrinks (its peak, each buffer once). " +
      "*peak tensors*: the peak of `tf.memory().numBytes` during the warm-up step (`tf.profile`); TF.js counts it per tensor, so a buffer shared by several tensors (reshapes, the tape's saved copies) counts more than once and it can exceed the RSS. " +
      "*estimate*: `estimateTrainingMemory`'s prediction for the form's (micro-)batch, which `train` checks against the 4 GiB wasm heap.",
  );
  lines.push('');
  lines.push('## How it was run');
  lines.push('');
  lines.push('```sh');
  for (const run of report.earlier ?? []) lines.push(run.command);
  lines.push(report.command);
  lines.push('```');
  lines.push('');
  lines.push(
    `- Machine: ${machine.cpu.model}, ${machine.cores} cores (SIMD ${machine.cpu.simd.join(' ') || 'unknown'}), ${formatBytes(machine.memoryBytes)}, ${machine.os}, Node ${machine.node}.`,
  );
  const load = (l?: { at: string; loadavg: number[] }): string =>
    l
      ? `${l.loadavg.map((v) => v.toFixed(2)).join(' / ')} (${l.at.slice(0, 19).replace('T', ' ')} UTC)`
      : 'not recorded';
  for (const [i, run] of (report.earlier ?? []).entries()) {
    lines.push(
      `- Run ${i + 1} of ${(report.earlier?.length ?? 0) + 1} (its models that took a step kept by \`--resume\`): load before ${load(run.load.before)}; after ${load(run.load.after)}.`,
    );
  }
  lines.push(
    `- Load average (1 / 5 / 15 min) before: ${load(report.load.before)}; after: ${load(report.load.after)}.`,
  );
  lines.push(
    `- Started ${report.startedAt.slice(0, 19).replace('T', ' ')} UTC${report.finishedAt ? `, finished ${report.finishedAt.slice(0, 19).replace('T', ' ')} UTC (${formatSeconds((Date.parse(report.finishedAt) - Date.parse(report.startedAt)) / 1000)})` : ''}.`,
  );
  lines.push(
    `- Versions: ${Object.entries(report.versions)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}.`,
  );
  lines.push('');
  return `${lines.join('\n')}\n`;
}
