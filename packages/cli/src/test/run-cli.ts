/**
 * Running the CLI in tests: spawned as a user runs the built `tfzoo` (build first: `npx tsc -b
 * packages/cli`), or in process through `run` with captured output.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { run } from '../main.js';

/** The built executable. */
export const BIN = fileURLToPath(new URL('../../dist/bin.js', import.meta.url));

/** Exit code and everything the command wrote. */
export interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Spawns `tfzoo args…`; `onStderr` sees stderr as it grows (e.g. to interrupt the child). */
export function tfzoo(
  args: string[],
  onStderr?: (text: string, child: ChildProcess) => void,
): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
      onStderr?.(stderr, child);
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs the CLI in this process, capturing what it writes. */
export async function inProcess(args: string[]): Promise<Result> {
  let stdout = '';
  let stderr = '';
  const code = await run(args, {
    stdout: {
      write: (t: string) => {
        stdout += t;
      },
    },
    stderr: {
      write: (t: string) => {
        stderr += t;
      },
    },
  });
  return { code, stdout, stderr };
}
