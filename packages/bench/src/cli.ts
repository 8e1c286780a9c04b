#!/usr/bin/env node
/**
 * `npm run bench -w @tfzoo/bench -- [options]`: the orchestrator. Probes every runtime, then runs
 * each (runtime, model) pair in a worker process of its own, one at a time, and writes
 * `<out>/<name>.json`, `.md` and `.svg` after every worker (so an interrupted run leaves what it
 * measured). Rerunning regenerates the files from scratch.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MODELS, RUNTIMES } from './catalog.js';
import { gpuFingerprint, machineFingerprint, readLoad } from './fingerprint.js';
import { runProcess, versionOf } from './process.js';
import {
  type BenchOptions,
  type BenchReport,
  type RuntimeReport,
  renderChart,
  renderMarkdown,
  withRelativePaths,
} from './report.js';
import { formatSeconds } from './stats.js';
import { PYTHON, TORCH_WORKER_SCRIPT } from './torch-script.js';
import type { BenchMode, Case, ModelSpec, RuntimeSpec, WorkerResult, WorkerTask } from './types.js';

const HELP = `tfzoo benchmark: models × runtimes × cases, against PyTorch and onnxruntime-node.

  npm run bench -w @tfzoo/bench -- [options]
  npm run bench -w @tfzoo/bench -- render docs/benchmarks/cpu.json   (rewrite .md and .svg only)

  --models a,b         model ids (default: ${MODELS.map((m) => m.id).join(',')})
  --backends a,b       runtimes (default: all: ${RUNTIMES.map((r) => r.key).join(',')})
  --batch 1,16         inference batch sizes (default 1,16)
  --train-batch 16     training-step batch sizes (default 16)
  --modes a,b          inference,train (default both)
  --repeats N          timed calls per case (default 5)
  --warmup N           untimed calls first (default 1)
  --row-budget S       seconds one case of a tfzoo backend may take, warm-up included (default 90)
  --peer-budget S      the same for PyTorch and onnxruntime, the references (default 2 × row budget)
  --deadline M         minutes the whole run may take; workers not started by then are recorded as skipped
  --image-size N       image side (default 224)
  --grad-checkpointing tfzoo training rows with activation checkpointing per stage (train's
                       gradientCheckpointing; PyTorch's rows stay plain, the reference)
  --quick              resnet18 and shufflenet_v2_x1_0, batch 1 and training batch 4, 2 repeats, 30 s budget
  --out DIR            output folder (default docs/benchmarks at the repository root)
  --name NAME          output base name (default cpu; quick: quick)
  --tolerance T        relative tolerance of the logits check (default 1e-3)
  --seed N             seed of weights and inputs (default 1)
`;

function list(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function positive(name: string, value: string): number {
  const n = Number(value);
  if (!(Number.isFinite(n) && n > 0))
    throw new Error(`--${name} must be a positive number; received "${value}"`);
  return n;
}

/** Parses the command line into options (defaults applied). */
export function parseArgs(argv: readonly string[], defaultOut: string, cwd: string): BenchOptions {
  const flags = new Map<string, string>();
  let quick = false;
  let gradCheckpointing = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--quick') quick = true;
    else if (arg === '--grad-checkpointing') gradCheckpointing = true;
    else if (arg === '--help' || arg === '-h') {
      process.stdout.write(HELP);
      process.exit(0);
    } else if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      if (eq > 0) flags.set(arg.slice(2, eq), arg.slice(eq + 1));
      else {
        const value = argv[i + 1];
        if (value === undefined) throw new Error(`${arg} needs a value`);
        flags.set(arg.slice(2), value);
        i++;
      }
    } else throw new Error(`unexpected argument "${arg}"; see --help`);
  }
  const known = [
    'models',
    'backends',
    'batch',
    'train-batch',
    'modes',
    'repeats',
    'warmup',
    'row-budget',
    'peer-budget',
    'deadline',
    'image-size',
    'out',
    'name',
    'tolerance',
    'seed',
  ];
  for (const key of flags.keys())
    if (!known.includes(key)) throw new Error(`unknown option --${key}; see --help`);
  const models = list(
    flags.get('models') ?? (quick ? 'resnet18,shufflenet_v2_x1_0' : MODELS.map((m) => m.id).join(',')),
  );
  const runtimes = list(flags.get('backends') ?? RUNTIMES.map((r) => r.key).join(','));
  for (const key of runtimes) {
    if (!RUNTIMES.some((r) => r.key === key)) {
      throw new Error(`unknown backend "${key}"; expected some of ${RUNTIMES.map((r) => r.key).join(', ')}`);
    }
  }
  const modes = list(flags.get('modes') ?? 'inference,train') as BenchMode[];
  for (const mode of modes)
    if (mode !== 'inference' && mode !== 'train')
      throw new Error(`--modes takes inference,train; received "${mode}"`);
  const cases: Case[] = [];
  if (modes.includes('inference')) {
    for (const b of list(flags.get('batch') ?? (quick ? '1' : '1,16')))
      cases.push({ mode: 'inference', batch: positive('batch', b) });
  }
  if (modes.includes('train')) {
    for (const b of list(flags.get('train-batch') ?? (quick ? '4' : '16')))
      cases.push({ mode: 'train', batch: positive('train-batch', b) });
  }
  const out = flags.get('out');
  return {
    models,
    runtimes,
    cases,
    warmup: Number(flags.get('warmup') ?? 1),
    repeats: positive('repeats', flags.get('repeats') ?? (quick ? '2' : '5')),
    rowBudgetSeconds: positive('row-budget', flags.get('row-budget') ?? (quick ? '30' : '90')),
    peerBudgetSeconds: positive(
      'peer-budget',
      flags.get('peer-budget') ?? String(2 * Number(flags.get('row-budget') ?? (quick ? '30' : '90'))),
    ),
    ...(flags.has('deadline')
      ? { deadlineMinutes: positive('deadline', flags.get('deadline') as string) }
      : {}),
    imageSize: positive('image-size', flags.get('image-size') ?? '224'),
    seed: Number(flags.get('seed') ?? 1),
    tolerance: positive('tolerance', flags.get('tolerance') ?? '1e-3'),
    out: out ? resolve(cwd, out) : defaultOut,
    name: flags.get('name') ?? (quick ? 'quick' : 'cpu'),
    ...(gradCheckpointing ? { gradCheckpointing } : {}),
  };
}

function log(text: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${text}\n`);
}

/** Runs the benchmark described by `options`; returns the report written. */
export async function runBench(options: BenchOptions, command: string): Promise<BenchReport> {
  const here = fileURLToPath(new URL('.', import.meta.url));
  const require = createRequire(import.meta.url);
  const work = join(tmpdir(), `tfzoo-bench-${process.pid}`);
  const cache = join(tmpdir(), 'tfzoo-bench-cache');
  mkdirSync(work, { recursive: true });
  mkdirSync(cache, { recursive: true });
  mkdirSync(options.out, { recursive: true });
  const scriptPath = join(work, 'torch_worker.py');
  writeFileSync(scriptPath, TORCH_WORKER_SCRIPT);

  const selected = RUNTIMES.filter((r) => options.runtimes.includes(r.key));
  const models: ModelSpec[] = options.models.map(
    (id) => MODELS.find((m) => m.id === id) ?? { id, label: id, torchvision: id, packages: [] },
  );
  const report: BenchReport = {
    schema: 'tfzoo-bench/1',
    command,
    options,
    startedAt: new Date().toISOString(),
    machine: machineFingerprint(),
    ...(options.runtimes.some(
      (key) => RUNTIMES.find((r) => r.key === key)?.device === 'cuda' || key === 'webgpu',
    )
      ? { gpus: gpuFingerprint() }
      : {}),
    load: { before: readLoad() },
    versions: {
      '@tensorflow/tfjs-core': versionOf(require, '@tensorflow/tfjs-core'),
      '@tensorflow/tfjs-layers': versionOf(require, '@tensorflow/tfjs-layers'),
      '@tensorflow/tfjs-backend-cpu': versionOf(require, '@tensorflow/tfjs-backend-cpu'),
      '@tensorflow/tfjs-backend-wasm': versionOf(require, '@tensorflow/tfjs-backend-wasm'),
      '@tensorflow/tfjs-backend-webgpu': versionOf(require, '@tensorflow/tfjs-backend-webgpu'),
      webgpu: versionOf(require, 'webgpu'),
      'onnxruntime-node': versionOf(require, 'onnxruntime-node'),
    },
    runtimes: [],
    models,
    workers: [],
    rows: [],
  };
  const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
  const write = (): void => {
    const base = join(options.out, options.name);
    const shown = withRelativePaths(report, repoRoot);
    writeFileSync(`${base}.json`, `${JSON.stringify(shown, null, 1)}\n`);
    writeFileSync(`${base}.svg`, renderChart(shown));
    writeFileSync(`${base}.md`, renderMarkdown(shown, `${options.name}.svg`));
  };

  let serial = 0;
  const taskFor = (runtime: RuntimeSpec, model: ModelSpec | undefined, cases: Case[]): WorkerTask => ({
    runtime,
    ...(model ? { model } : {}),
    cases,
    warmup: options.warmup,
    repeats: options.repeats,
    rowBudgetSeconds: runtime.kind === 'tfjs' ? options.rowBudgetSeconds : options.peerBudgetSeconds,
    imageSize: options.imageSize,
    seed: options.seed,
    tolerance: options.tolerance,
    ...((options.gradCheckpointing || runtime.gradCheckpointing) && runtime.kind === 'tfjs'
      ? { gradCheckpointing: true }
      : {}),
    ...(model ? { referencePath: join(work, `reference-${model.id}.json`) } : {}),
    ...(model ? { onnxPath: join(cache, `${model.torchvision}-${options.imageSize}.onnx`) } : {}),
    ...(model && runtime.kind === 'pytorch' && (runtime.device ?? 'cpu') === 'cpu'
      ? { exportOnnxPath: join(cache, `${model.torchvision}-${options.imageSize}.onnx`) }
      : {}),
  });
  const run = async (task: WorkerTask): Promise<WorkerResult> => {
    serial++;
    const taskPath = join(work, `task-${serial}.json`);
    const resultPath = join(work, `result-${serial}.json`);
    writeFileSync(taskPath, JSON.stringify(task));
    // Building and the logits check (the cpu backend's VGG-16 forward takes minutes) plus every case.
    const limit = 600 + task.cases.length * task.rowBudgetSeconds * 1.5;
    const caseLimit = 2.5 * task.rowBudgetSeconds + 30;
    const { result, error, killed } =
      task.runtime.kind === 'pytorch'
        ? await runProcess(PYTHON, [scriptPath, taskPath, resultPath], resultPath, limit, caseLimit)
        : await runProcess(
            process.execPath,
            [join(here, 'worker.js'), taskPath, resultPath],
            resultPath,
            limit,
            caseLimit,
          );
    const final: WorkerResult = result ?? {
      runtime: task.runtime.key,
      ...(task.model ? { model: task.model.id } : {}),
      available: false,
      info: {},
      rows: [],
    };
    delete final.running;
    if (error) {
      final.reason = final.reason ? `${final.reason}; ${error}` : error;
      for (const c of task.cases) {
        if (!final.rows.some((r) => r.mode === c.mode && r.batch === c.batch)) {
          const wasKilled = killed !== undefined && killed.mode === c.mode && killed.batch === c.batch;
          final.rows.push({
            model: task.model?.id ?? '',
            runtime: task.runtime.key,
            ...c,
            status: wasKilled ? 'skipped' : 'error',
            reason: wasKilled
              ? `over budget (stopped after ${formatSeconds(killed.seconds)}: its estimate was too low and the ${formatSeconds(task.rowBudgetSeconds)} row budget was exceeded 2.5 times)`
              : error,
          });
        }
      }
    }
    return final;
  };

  const runStarted = Date.now();
  // 1. Probe every TF.js backend once (no model): unavailable ones are reported, not run per model.
  for (const runtime of selected) {
    if (runtime.kind !== 'tfjs' && runtime.kind !== 'onnxruntime') {
      report.runtimes.push({ ...runtime, available: true });
      continue;
    }
    log(`probing ${runtime.key}`);
    const probe = await run(taskFor(runtime, undefined, []));
    const entry: RuntimeReport = { ...runtime, available: probe.available, info: probe.info };
    if (probe.reason) entry.reason = probe.reason;
    report.runtimes.push(entry);
    log(`  ${runtime.key}: ${probe.available ? 'available' : `unavailable: ${probe.reason}`}`);
  }
  write();

  // 2. Per model: PyTorch (which exports the ONNX file), onnxruntime, the cpu backend (which writes
  // the reference logits), then the other TF.js backends.
  const casesFor = (runtime: RuntimeSpec): Case[] =>
    options.cases.filter((c) => (c.mode === 'inference' ? runtime.infers !== false : runtime.trains));
  for (const model of models) {
    const order = [
      ...selected.filter((r) => r.kind === 'pytorch'),
      ...selected.filter((r) => r.kind === 'onnxruntime'),
      ...selected.filter((r) => r.kind === 'tfjs' && r.backend === 'cpu'),
      ...selected.filter((r) => r.kind === 'tfjs' && r.backend !== 'cpu'),
    ];
    const cpu = RUNTIMES.find((r) => r.key === 'cpu') as RuntimeSpec;
    if (!order.includes(cpu) && order.some((r) => r.kind === 'tfjs'))
      order.splice(
        order.findIndex((r) => r.kind === 'tfjs'),
        0,
        cpu,
      );
    for (const runtime of order) {
      const probe = report.runtimes.find((r) => r.key === runtime.key);
      const cases = options.runtimes.includes(runtime.key) ? casesFor(runtime) : [];
      if (probe && !probe.available) {
        for (const c of cases) {
          report.rows.push({
            model: model.id,
            runtime: runtime.key,
            ...c,
            status: 'unavailable',
            reason: probe.reason ?? 'unavailable',
          });
        }
        continue;
      }
      const elapsedMinutes = (Date.now() - runStarted) / 60_000;
      if (options.deadlineMinutes !== undefined && elapsedMinutes > options.deadlineMinutes) {
        const reason = `run deadline reached (${options.deadlineMinutes} min; --deadline)`;
        log(`${model.id} on ${runtime.key}: ${reason}`);
        if (options.runtimes.includes(runtime.key)) {
          for (const c of cases)
            report.rows.push({ model: model.id, runtime: runtime.key, ...c, status: 'skipped', reason });
        }
        continue;
      }
      log(
        `${model.id} on ${runtime.key}: ${cases.map((c) => `${c.mode} b${c.batch}`).join(', ') || 'reference logits only'}`,
      );
      const started = Date.now();
      const result = await run(taskFor(runtime, model, cases));
      if (options.runtimes.includes(runtime.key)) {
        report.workers.push(result);
        report.rows.push(...result.rows);
      }
      if (runtime.kind === 'pytorch' && typeof result.info.cuda === 'string') {
        report.versions.cuda = result.info.cuda;
        report.versions.cudnn = String(result.info.cudnn);
      }
      if (runtime.kind === 'pytorch' && typeof result.info.torch === 'string') {
        report.versions.torch = result.info.torch;
        report.versions.torchvision = String(result.info.torchvision);
        report.versions.python = String(result.info.python);
      }
      for (const row of result.rows) {
        log(
          `  ${row.mode} b${row.batch}: ${row.status === 'ok' ? `${row.imagesPerSecond?.toFixed(2)} img/s` : `${row.status}: ${row.reason}`}`,
        );
      }
      if (result.reason) log(`  note: ${result.reason}`);
      log(`  (${((Date.now() - started) / 1000).toFixed(0)} s)`);
      write();
    }
  }
  report.load.after = readLoad();
  report.finishedAt = new Date().toISOString();
  write();
  rmSync(work, { recursive: true, force: true });
  return report;
}

/** Rewrites the markdown page and the SVG chart of an existing JSON report (no measuring). */
export function renderReport(jsonPath: string): void {
  const report = JSON.parse(readFileSync(jsonPath, 'utf8')) as BenchReport;
  const base = jsonPath.replace(/\.json$/, '');
  const name = base.split(/[\\/]/).pop() ?? report.options.name;
  writeFileSync(`${base}.svg`, renderChart(report));
  writeFileSync(`${base}.md`, renderMarkdown(report, `${name}.svg`));
}

async function main(): Promise<void> {
  const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
  const cwd = process.env.INIT_CWD ?? process.cwd();
  const argv = process.argv.slice(2);
  if (argv[0] === 'render') {
    if (!argv[1]) throw new Error('render needs the path of a report JSON (e.g. docs/benchmarks/cpu.json)');
    renderReport(resolve(cwd, argv[1]));
    return;
  }
  const options = parseArgs(argv, join(repoRoot, 'docs', 'benchmarks'), cwd);
  const command = ['npm run bench -w @tfzoo/bench', ...(argv.length > 0 ? ['--', ...argv] : [])].join(' ');
  log(`writing ${relative(cwd, join(options.out, options.name)) || options.name}.{json,md,svg}`);
  const report = await runBench(options, command);
  log(`done: ${report.rows.filter((r) => r.status === 'ok').length} of ${report.rows.length} rows measured`);
}

if (
  process.argv[1] &&
  existsSync(process.argv[1]) &&
  resolve(process.argv[1]) === fileURLToPath(import.meta.url)
) {
  main().catch((error) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
