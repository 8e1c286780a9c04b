import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));

/**
 * A package's private `#name` imports (its `imports` map, e.g. core's `#weights-platform`) resolve
 * to the TypeScript source of their `node` target, as the `@tfzoo/*` alias does for packages.
 */
function packageImportsFromSource(): Plugin {
  return {
    name: 'tfzoo-package-imports-from-source',
    enforce: 'pre',
    resolveId(id, importer) {
      const match = importer && /^(.*\/packages\/[\w-]+)\/src\//.exec(importer);
      if (!id.startsWith('#') || !match) return null;
      const manifest = JSON.parse(readFileSync(`${match[1]}/package.json`, 'utf8')) as {
        imports?: Record<string, { node?: string }>;
      };
      const target = manifest.imports?.[id]?.node;
      if (!target) return null;
      return `${match[1]}/${target.replace(/^\.\/dist\//, 'src/').replace(/\.js$/, '.ts')}`;
    },
  };
}

export default defineConfig({
  plugins: [packageImportsFromSource()],
  resolve: {
    // Tests run on the TypeScript sources of every workspace package, no build needed.
    alias: [{ find: /^@tfzoo\/([\w-]+)$/, replacement: `${root}packages/$1/src/index.ts` }],
  },
  test: {
    // From the root: every package's tests. From a package (its `test` script passes
    // `--config ../../vitest.config.ts`, as turbo runs it): that package's own.
    include: [
      'packages/*/src/**/*.test.ts',
      'examples/*/src/**/*.test.ts',
      'examples/*/test/**/*.test.ts',
      'examples/*/*.test.ts',
      'src/**/*.test.ts',
      '*.test.ts',
      'test/**/*.test.ts',
    ],
    setupFiles: [`${root}vitest.setup.ts`],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // vitest's default is one worker fewer than the cores: on CI's two cores, one test file at a time
    // (the whole suite ran serially). Two files at once use both cores.
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});
