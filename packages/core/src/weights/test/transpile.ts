/**
 * Transpiles a TypeScript module and the relative modules it imports to plain ESM JavaScript in
 * a directory, so a `node` child process (Node 20 cannot run `.ts`) can import it. Test helper.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

/** Transpiles `entry` (a `.ts` path) and its relative imports under `outDir`; returns the entry's `.js` path. */
export function transpileForNode(entry: string, outDir: string): string {
  const base = dirname(dirname(entry));
  const done = new Set<string>();
  const visit = (file: string): void => {
    if (done.has(file)) return;
    done.add(file);
    const { outputText } = ts.transpileModule(readFileSync(file, 'utf8'), {
      fileName: file,
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    });
    const target = join(outDir, relative(base, file)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, outputText);
    for (const match of outputText.matchAll(/from\s+['"](\.{1,2}\/[^'"]+)\.js['"]/g)) {
      visit(resolve(dirname(file), `${match[1]}.ts`));
    }
  };
  visit(entry);
  return join(outDir, relative(base, entry)).replace(/\.ts$/, '.js');
}
