// Runs reference scripts with Debian's /usr/bin/python3 (torch 1.13, torchvision 0.14). A missing
// interpreter or module makes the calling test fail, never skip.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PYTHON = '/usr/bin/python3';

/** Path of a script kept beside this file. */
export function scriptPath(name: string): string {
  return fileURLToPath(new URL(name, import.meta.url));
}

/** Writes `input` as JSON, runs `script input.json output.json`, returns the parsed output. */
export function runPythonJson<T>(script: string, input: unknown): T {
  const dir = mkdtempSync(join(tmpdir(), 'tfzoo-datasets-py-'));
  const inPath = join(dir, 'in.json');
  const outPath = join(dir, 'out.json');
  writeFileSync(inPath, JSON.stringify(input));
  execFileSync(PYTHON, [scriptPath(script), inPath, outPath], { stdio: ['ignore', 'ignore', 'pipe'] });
  return JSON.parse(readFileSync(outPath, 'utf8')) as T;
}

/** Runs inline Python code with arguments; returns stdout. */
export function runPython(code: string, args: string[] = []): string {
  return execFileSync(PYTHON, ['-c', code, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}
