import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  resolve: {
    // Tests run on the TypeScript sources of every workspace package, no build needed.
    alias: [{ find: /^@tfzoo\/([\w-]+)$/, replacement: `${root}packages/$1/src/index.ts` }],
  },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'examples/*/src/**/*.test.ts', 'examples/*/*.test.ts'],
    setupFiles: [`${root}vitest.setup.ts`],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
