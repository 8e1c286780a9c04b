import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
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
      'examples/*/*.test.ts',
      'src/**/*.test.ts',
      '*.test.ts',
    ],
    setupFiles: [`${root}vitest.setup.ts`],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
