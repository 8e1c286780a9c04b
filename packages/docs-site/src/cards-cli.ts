#!/usr/bin/env node
/**
 * `npm run cards -w @tfzoo/docs-site`: regenerates `docs/models/*.md` from the registry.
 * `--check` writes nothing and exits 1 when a committed card differs from what the code computes.
 */
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import '@tfzoo/models';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compareModelDocs, generateModelDocs, writeModelDocs } from './cards.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const dir = join(root, 'docs', 'models');
const check = process.argv.includes('--check');

await tf.setBackend('cpu');
tf.enableProdMode();
const files = generateModelDocs({ root });
const difference = check ? compareModelDocs(files, dir) : writeModelDocs(files, dir);
const touched = [...difference.missing, ...difference.changed, ...difference.stale];
if (check) {
  if (touched.length > 0) {
    console.error(
      `docs/models is out of date (missing: ${difference.missing.join(', ') || '-'}; changed: ${
        difference.changed.join(', ') || '-'
      }; stale: ${difference.stale.join(', ') || '-'}); run \`npm run cards -w @tfzoo/docs-site\``,
    );
    process.exit(1);
  }
  console.log(`docs/models: ${files.size} files up to date`);
} else {
  console.log(
    `docs/models: ${files.size} files; wrote ${difference.missing.length + difference.changed.length}, removed ${difference.stale.length}`,
  );
}
