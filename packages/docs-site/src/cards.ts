/**
 * The model-card generator: registry + `summarize()` + parity table + benchmark JSON → markdown
 * under `docs/models/`. `npm run cards -w @tfzoo/docs-site` writes the files; the docs-site test
 * regenerates them in memory and compares, so a committed card always states what the code computes.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readBenchmarks } from './benchmarks.js';
import { collectModelFacts } from './facts.js';
import { renderModelDocs } from './render.js';

/** Options of {@link generateModelDocs}. */
export interface GenerateOptions {
  /** Repository root: parity test files and `docs/benchmarks/` are looked up under it. */
  root: string;
  /** Architecture ids to document (default: every registered one). */
  ids?: readonly string[];
}

/** Renders `docs/models/*` in memory: file name → markdown. Reads the registry as it is now. */
export function generateModelDocs(options: GenerateOptions): Map<string, string> {
  const benchmarks = readBenchmarks(join(options.root, 'docs', 'benchmarks'));
  const facts = collectModelFacts({
    benchmarks,
    fileExists: (path) => existsSync(join(options.root, path)),
    ...(options.ids ? { ids: options.ids } : {}),
  });
  return renderModelDocs(facts);
}

/** What {@link compareModelDocs} found. */
export interface DocsDifference {
  /** Files that should exist and do not. */
  missing: string[];
  /** Files whose content differs from what the generator renders. */
  changed: string[];
  /** Markdown files in the folder the generator no longer renders. */
  stale: string[];
}

/** Compares rendered files with the folder's `*.md` files. */
export function compareModelDocs(files: ReadonlyMap<string, string>, dir: string): DocsDifference {
  const present = existsSync(dir) ? readdirSync(dir).filter((name) => name.endsWith('.md')) : [];
  const difference: DocsDifference = { missing: [], changed: [], stale: [] };
  for (const [name, content] of files) {
    if (!present.includes(name)) difference.missing.push(name);
    else if (readFileSync(join(dir, name), 'utf8') !== content) difference.changed.push(name);
  }
  difference.stale = present.filter((name) => !files.has(name)).sort();
  return difference;
}

/** Writes the rendered files into `dir` and removes `*.md` files it no longer renders. */
export function writeModelDocs(files: ReadonlyMap<string, string>, dir: string): DocsDifference {
  const difference = compareModelDocs(files, dir);
  mkdirSync(dir, { recursive: true });
  for (const name of [...difference.missing, ...difference.changed]) {
    writeFileSync(join(dir, name), files.get(name) as string);
  }
  for (const name of difference.stale) rmSync(join(dir, name));
  return difference;
}
