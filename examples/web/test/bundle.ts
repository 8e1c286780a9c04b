/**
 * Bundles a small browser app with Vite (Rolldown) the way an application would, and reports what
 * went into it: the minified output, its gzipped size, the modules it holds, and every import of a
 * Node built-in that was not declared away by its package's `browser` field. Test helper for the
 * browser-bundle tests and the bundle-size table.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, type Plugin, type Rollup } from 'vite';

/** The repository root. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** An import of a Node built-in found in a browser bundle. */
export interface NodeImport {
  /** What was imported (`node:fs`, `crypto`, …). */
  specifier: string;
  /** The module that imported it. */
  importer: string;
}

/** What {@link bundleForBrowser} produced. */
export interface BrowserBundle {
  /** Minified JavaScript of every chunk, concatenated. */
  code: string;
  /** Bytes of {@link code} gzipped (level 9). */
  gzipBytes: number;
  /** Absolute paths (real paths) of the modules in the bundle. */
  modules: string[];
  /** Node built-ins imported and not mapped away by the importer's `browser` field. */
  nodeImports: NodeImport[];
  /** Uses of Node's globals (`process.…`, `Buffer.…`, `__dirname`, `require(`) in tfzoo's own modules. */
  nodeGlobals: NodeImport[];
}

/** Node globals a browser does not have, as code uses them (comments are stripped first). */
const NODE_GLOBAL = /(?<![.\w$])(process\.\w+|Buffer\.\w+|__dirname|__filename|require\()/;

/** The first use of a Node global in a module's code, comments excluded, or undefined. */
export function findNodeGlobal(code: string): string | undefined {
  const stripped = code.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
  return NODE_GLOBAL.exec(stripped)?.[1];
}

const BUILTINS = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));

function packageRoot(file: string): string | undefined {
  let directory = dirname(file);
  while (directory !== dirname(directory)) {
    if (existsSync(join(directory, 'package.json'))) return directory;
    directory = dirname(directory);
  }
  return undefined;
}

/** True when the importer's package says in its `browser` field that this built-in is not needed. */
function declaredAway(specifier: string, importer: string): boolean {
  const root = packageRoot(importer.replace(/\?.*$/, ''));
  if (!root) return false;
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { browser?: unknown };
  const field = manifest.browser;
  return (
    typeof field === 'object' && field !== null && (field as Record<string, unknown>)[specifier] === false
  );
}

function nodeBuiltinGuard(found: NodeImport[], globals: NodeImport[]): Plugin {
  return {
    transform(code, id) {
      if (!/\/packages\/[\w-]+\/dist\//.test(id)) return null;
      const found = findNodeGlobal(code);
      if (found) globals.push({ specifier: found, importer: id });
      return null;
    },
    name: 'tfzoo-node-builtin-guard',
    enforce: 'pre',
    resolveId(specifier, importer) {
      if (!BUILTINS.has(specifier) || !importer) return null;
      if (!declaredAway(specifier, importer)) found.push({ specifier, importer });
      return { id: `\0empty:${specifier}`, moduleSideEffects: false };
    },
    load(id) {
      return id.startsWith('\0empty:') ? 'export default {};' : null;
    },
  };
}

/**
 * Bundles `source` (an ES module's text, the app's entry) for browsers: Vite's client build with
 * its default conditions (`browser`, `module`, `import`, `default`), minified, nothing written to
 * disk. Packages resolve from the repository's `node_modules`, so workspace packages come from
 * their built `dist/` through their `exports` maps, as an installed package would.
 */
export async function bundleForBrowser(source: string): Promise<BrowserBundle> {
  const directory = mkdtempSync(join(REPO_ROOT, 'examples', 'web', '.bundle-'));
  const entry = join(directory, 'entry.js');
  writeFileSync(entry, source);
  const nodeImports: NodeImport[] = [];
  const nodeGlobals: NodeImport[] = [];
  try {
    const result = await build({
      configFile: false,
      root: directory,
      logLevel: 'silent',
      plugins: [nodeBuiltinGuard(nodeImports, nodeGlobals)],
      build: {
        write: false,
        minify: true,
        sourcemap: false,
        reportCompressedSize: false,
        modulePreload: false,
        // A found built-in becomes an empty module; missing names are shimmed so the report is complete.
        rollupOptions: { input: entry, shimMissingExports: true },
        // The wasm backend's .wasm files and shipped weights become assets: sizes count JavaScript.
        assetsInlineLimit: 0,
      },
    });
    const outputs = (Array.isArray(result) ? result : [result]) as Rollup.RollupOutput[];
    const chunks = outputs.flatMap((output) => output.output).filter((item) => item.type === 'chunk');
    const code = chunks.map((chunk) => chunk.code).join('\n');
    const modules = [...new Set(chunks.flatMap((chunk) => Object.keys(chunk.modules)))];
    return { code, gzipBytes: gzipSync(code, { level: 9 }).length, modules, nodeImports, nodeGlobals };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

/** The published packages that must work in browsers: all but the CLI, the bench and private tools. */
export function browserPackages(): string[] {
  const root = join(REPO_ROOT, 'packages');
  const names: string[] = [];
  for (const directory of readdirSync(root)) {
    const file = join(root, directory, 'package.json');
    if (!existsSync(file)) continue;
    const manifest = JSON.parse(readFileSync(file, 'utf8')) as { name: string; private?: boolean };
    if (manifest.private || manifest.name === '@tfzoo/cli' || manifest.name === '@tfzoo/bench') continue;
    names.push(manifest.name);
  }
  return names.sort();
}
