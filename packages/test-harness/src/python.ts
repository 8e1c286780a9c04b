/**
 * Runs reference code in Debian's PyTorch interpreter. Tests compare against it; when torch is
 * missing the test fails (CI installs `python3-torch`), it never skips.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The interpreter that sees Debian's python3-torch (the `python3` on PATH may be another one). */
export const PYTHON = '/usr/bin/python3';

/**
 * The folder of the harness's Python helpers (`torch_common.py`: safetensors, batch-norm
 * randomization, torchvision's weight metadata, the request loop), the same from `src` and `dist`.
 */
export const HARNESS_PYTHON_DIR = fileURLToPath(new URL('../src/', import.meta.url));

/**
 * The environment for a reference script: this process's, with {@link HARNESS_PYTHON_DIR} first on
 * `PYTHONPATH`, so the script can `from torch_common import …`. Every interpreter the harness starts
 * gets it; pass it to your own `execFileSync(PYTHON, …, { env: pythonEnv() })`.
 */
export function pythonEnv(): NodeJS.ProcessEnv {
  const existing = process.env.PYTHONPATH;
  return {
    ...process.env,
    PYTHONPATH: existing ? `${HARNESS_PYTHON_DIR}${delimiter}${existing}` : HARNESS_PYTHON_DIR,
  };
}

/**
 * Runs `script` with `/usr/bin/python3` in a fresh temporary directory (its working directory, also
 * passed as `sys.argv[1]`), sends `input` as JSON on stdin, and parses the JSON the script prints
 * last on stdout. Files the script writes can be read through `readFile` before the directory is
 * removed.
 */
export function runPython<T = unknown>(
  script: string,
  input: unknown = null,
  files: Record<string, Uint8Array> = {},
): { result: T; readFile: (name: string) => Buffer; dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'tfzoo-py-'));
  for (const [name, bytes] of Object.entries(files)) writeFileSync(join(dir, name), bytes);
  writeFileSync(join(dir, 'script.py'), script);
  let stdout: string;
  try {
    stdout = execFileSync(PYTHON, [join(dir, 'script.py'), dir], {
      cwd: dir,
      env: pythonEnv(),
      input: JSON.stringify(input),
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`${PYTHON} failed: ${stderr.slice(-4000) || String(error)}`);
  }
  const lines = stdout.trim().split('\n');
  const result = JSON.parse(lines[lines.length - 1] ?? 'null') as T;
  return {
    result,
    dir,
    readFile: (name) => readFileSync(join(dir, name)),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * Runs the reference script file `scriptPath` as `python3 <script> in.json out.json`: `input` is
 * written to `in.json`, the script writes its JSON answer to `out.json`. Set
 * TFZOO_KEEP_PYTHON_IO=1 to keep the temporary directory for debugging.
 */
export function runPythonScript<T = unknown>(scriptPath: string, input: unknown): T {
  const dir = mkdtempSync(join(tmpdir(), 'tfzoo-py-'));
  try {
    const inPath = join(dir, 'in.json');
    const outPath = join(dir, 'out.json');
    writeFileSync(inPath, JSON.stringify(input));
    execFileSync(PYTHON, [scriptPath, inPath, outPath], {
      env: pythonEnv(),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    return JSON.parse(readFileSync(outPath, 'utf8')) as T;
  } finally {
    if (process.env.TFZOO_KEEP_PYTHON_IO === undefined) rmSync(dir, { recursive: true, force: true });
  }
}

/** Largest absolute difference between two equally long arrays. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length mismatch: ${a.length} vs ${b.length}`);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs((a[i] ?? 0) - (b[i] ?? 0)));
  return max;
}

/** Largest absolute value of an array (the scale errors are measured against). */
export function maxAbs(a: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] ?? 0));
  return max;
}
