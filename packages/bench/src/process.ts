/**
 * Worker processes of the benchmark commands: one run with a hard time limit and a watchdog, and
 * the versions of the packages they load.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { formatSeconds } from './stats.js';
import type { Case, WorkerResult } from './types.js';

/**
 * Runs a worker process with a hard time limit; a result file with a `running` case (a
 * {@link WorkerResult}'s) also arms the watchdog. Returns its result file's contents (possibly partial).
 */
export async function runProcess<R extends object = WorkerResult>(
  command: string,
  args: string[],
  resultPath: string,
  limitSeconds: number,
  caseLimitSeconds: number,
): Promise<{ result?: R; error?: string; killed?: Case & { seconds: number } }> {
  const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, limitSeconds * 1000);
  // The watchdog: a case whose real time runs far past its budget (its estimate was too low, and a
  // synchronous TF.js call cannot be interrupted) is ended by killing the worker.
  let killed: (Case & { seconds: number }) | undefined;
  const watchdog = setInterval(() => {
    try {
      const running = (JSON.parse(readFileSync(resultPath, 'utf8')) as Pick<WorkerResult, 'running'>).running;
      const seconds = running ? (Date.now() - running.since) / 1000 : 0;
      if (running && seconds > caseLimitSeconds) {
        killed = { mode: running.mode, batch: running.batch, seconds };
        child.kill('SIGKILL');
      }
    } catch {
      // The worker is rewriting its file: check again next time.
    }
  }, 2000);
  const code = await new Promise<number | null>((done) => child.on('close', (c) => done(c)));
  clearTimeout(timer);
  clearInterval(watchdog);
  let result: R | undefined;
  try {
    result = JSON.parse(readFileSync(resultPath, 'utf8')) as R;
  } catch {
    result = undefined;
  }
  if (killed) {
    return {
      ...(result ? { result } : {}),
      killed,
      error: `worker stopped: its ${killed.mode} b${killed.batch} case ran ${formatSeconds(killed.seconds)}`,
    };
  }
  if (timedOut)
    return {
      ...(result ? { result } : {}),
      error: `worker killed at its time limit of ${formatSeconds(limitSeconds)}`,
    };
  if (code !== 0)
    return {
      ...(result ? { result } : {}),
      error: `worker exited with ${code}: ${stderr.trim().split('\n').slice(-3).join(' ')}`,
    };
  return result ? { result } : { error: 'worker wrote no result' };
}

/** The version of an installed package, or `not installed`. */
export function versionOf(require: NodeJS.Require, name: string): string {
  try {
    return (require(`${name}/package.json`) as { version: string }).version;
  } catch {
    return 'not installed';
  }
}
