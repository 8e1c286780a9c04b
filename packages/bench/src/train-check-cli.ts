#!/usr/bin/env node
/**
 * `npm run train-check -w @tfzoo/bench -- [options]`: one training step of every registered
 * architecture on wasm (see `TRAIN_CHECK_HELP`). Each form of each model runs in a worker process
 * of its own, one at a time; `<out>/<name>.json` and `.md` are rewritten after every model.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machineFingerprint, readLoad } from './fingerprint.js';
import { runProcess, versionOf } from './process.js';
import { withRelativePaths } from './report.js';
import { formatBytes, formatSeconds } from './stats.js';
import {
  formLabel,
  NEAR_HEAP_LIMIT_RSS_BYTES,
  nextForm,
  parseTrainCheckArgs,
  renderTrainCheckMarkdown,
  TRAIN_CHECK_HELP,
  type TrainAttempt,
  type TrainCheckEntry,
  type TrainCheckOptions,
  type TrainCheckReport,
} from './train-check.js';
import type { TrainCheckTask } from './train-check-worker.js';

function log(text: string): void {
  process.stderr.write(`[train-check ${new Date().toISOString().slice(11, 19)}] ${text}\n`);
}

async function runCheck(options: TrainCheckOptions, command: string): Promise<TrainCheckReport> {
  const here = fileURLToPath(new URL('.', import.meta.url));
  const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
  const require = createRequire(import.meta.url);
  const { getModelDefinition } = await import('@tfzoo/models');
  const work = join(tmpdir(), `tfzoo-train-check-${process.pid}`);
  mkdirSync(work, { recursive: true });
  mkdirSync(options.out, { recursive: true });
  const report: TrainCheckReport = {
    schema: 'tfzoo-train-check/1',
    command,
    options,
    startedAt: new Date().toISOString(),
    machine: machineFingerprint(),
    load: { before: readLoad() },
    versions: Object.fromEntries(
      ['@tensorflow/tfjs-core', '@tensorflow/tfjs-layers', '@tensorflow/tfjs-backend-wasm'].map((name) => [
        name,
        versionOf(require, name),
      ]),
    ),
    entries: [],
  };
  const kept = new Map<string, TrainCheckEntry>();
  const previousPath = join(options.out, `${options.name}.json`);
  if (options.resume && existsSync(previousPath)) {
    const previous = JSON.parse(readFileSync(previousPath, 'utf8')) as TrainCheckReport;
    for (const entry of previous.entries) if (entry.status === 'ok') kept.set(entry.model, entry);
    report.earlier = [
      ...(previous.earlier ?? []),
      {
        command: previous.command,
        startedAt: previous.startedAt,
        ...(previous.finishedAt ? { finishedAt: previous.finishedAt } : {}),
        load: previous.load,
      },
    ];
  }
  const write = (): void => {
    const base = join(options.out, options.name);
    const shown = withRelativePaths(report, repoRoot);
    writeFileSync(`${base}.json`, `${JSON.stringify(shown, null, 1)}\n`);
    writeFileSync(`${base}.md`, renderTrainCheckMarkdown(shown));
  };
  const deadline =
    options.deadlineMinutes !== undefined ? Date.now() + options.deadlineMinutes * 60_000 : Infinity;
  let serial = 0;
  for (const [index, id] of options.models.entries()) {
    const done = kept.get(id);
    if (done) {
      report.entries.push(done);
      log(`${index + 1}/${options.models.length} ${id}: ${done.status}, kept from the earlier run`);
      continue;
    }
    const entry: TrainCheckEntry = {
      model: id,
      family: getModelDefinition(id).family,
      status: 'not run',
      attempts: [],
    };
    report.entries.push(entry);
    if (Date.now() >= deadline) {
      entry.reason = `the run's deadline of ${options.deadlineMinutes} min had passed`;
      continue;
    }
    log(`${index + 1}/${options.models.length} ${id}`);
    const modelEnd = Math.min(deadline, Date.now() + options.timeoutMinutes * 60_000);
    for (let form = nextForm(options.batch, []); form; form = nextForm(options.batch, entry.attempts)) {
      const left = (modelEnd - Date.now()) / 1000;
      if (left < 5) {
        entry.attempts.push({ form, outcome: 'timeout', error: "not started: the model's time was used up" });
        break;
      }
      serial++;
      const task: TrainCheckTask = {
        model: id,
        form,
        batch: options.batch,
        threads: options.threads,
        seed: options.seed,
      };
      const taskPath = join(work, `task-${serial}.json`);
      const resultPath = join(work, `result-${serial}.json`);
      writeFileSync(taskPath, JSON.stringify(task));
      const { result, error } = await runProcess<TrainAttempt>(
        process.execPath,
        [join(here, 'train-check-worker.js'), taskPath, resultPath],
        resultPath,
        left,
        Infinity,
      );
      const attempt: TrainAttempt = result ?? { form, outcome: 'error' };
      if (error) {
        const timedOut = /time limit/.test(error);
        attempt.outcome = timedOut ? 'timeout' : attempt.outcome === 'ok' ? 'ok' : 'error';
        // A warm-up step that finished is a training step taken, timed or not.
        if (timedOut && attempt.warmupSeconds !== undefined) attempt.outcome = 'ok';
        // A worker that dies without a word after using most of the heap ran out of it.
        if (!timedOut && (attempt.peakRssBytes ?? 0) > NEAR_HEAP_LIMIT_RSS_BYTES) attempt.outcome = 'memory';
        attempt.error = attempt.error ? `${attempt.error}; ${error}` : error;
      }
      entry.attempts.push(attempt);
      const what =
        attempt.outcome === 'ok'
          ? `${(attempt.stepSeconds ?? []).map((s) => formatSeconds(s)).join(', ')} per step, RSS ${formatBytes(attempt.peakRssBytes ?? 0)}, tensors ${formatBytes(attempt.peakTensorBytes ?? 0)}`
          : `${attempt.outcome}: ${(attempt.error ?? '').slice(0, 200)}`;
      log(`  ${formLabel(form, options.batch)}: ${what}`);
      write();
    }
    const ok = entry.attempts.some((a) => a.outcome === 'ok');
    entry.status = ok ? 'ok' : 'failed';
    if (!ok) {
      const last = entry.attempts[entry.attempts.length - 1];
      entry.reason =
        last?.outcome === 'timeout' ? 'timed out' : last?.outcome === 'error' ? 'error' : 'no form fits';
    }
    write();
  }
  report.load.after = readLoad();
  report.finishedAt = new Date().toISOString();
  write();
  rmSync(work, { recursive: true, force: true });
  return report;
}

async function main(): Promise<void> {
  const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
  const cwd = process.env.INIT_CWD ?? process.cwd();
  const argv = process.argv.slice(2);
  if (argv[0] === 'render') {
    if (!argv[1] || argv.length > 2) throw new Error('render takes the path of one report JSON');
    const path = resolve(cwd, argv[1]);
    const report = JSON.parse(readFileSync(path, 'utf8')) as TrainCheckReport;
    writeFileSync(path.replace(/\.json$/, '.md'), renderTrainCheckMarkdown(report));
    return;
  }
  const { listModels } = await import('@tfzoo/models');
  const options = parseTrainCheckArgs(argv, listModels(), join(repoRoot, 'docs', 'benchmarks'), (p) =>
    resolve(cwd, p),
  );
  if (options === 'help') {
    process.stdout.write(TRAIN_CHECK_HELP);
    return;
  }
  const command = ['npm run train-check -w @tfzoo/bench', ...(argv.length > 0 ? ['--', ...argv] : [])].join(
    ' ',
  );
  log(`writing ${relative(cwd, join(options.out, options.name)) || options.name}.{json,md}`);
  const report = await runCheck(options, command);
  const ok = report.entries.filter((e) => e.status === 'ok').length;
  log(`done: ${ok} of ${report.entries.length} models took a training step`);
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
