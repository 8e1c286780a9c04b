/**
 * The committed model cards state what the code computes: every card is regenerated in memory from
 * the registry — every model built at its default input size (224×224 for most, 299×299 for
 * Xception) and summarized, no sampling — and compared byte for byte with `docs/models/`. Building
 * all of them with `skipInit` costs about 10 s here; if that ever grows past the budget, sample the
 * MACs (parameter counts do not depend on the input size for these models) rather than skip models.
 *
 * Independent checks (not numbers from our own code): LeNet-5's card carries the textbook
 * parameter count and MACs computed by hand, and the parity table only names test files that
 * exist and assert the bound the cards quote, for variants they mention.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { listModels } from '@tfzoo/core';
import '@tfzoo/models';
import { describe, expect, it } from 'vitest';
import { compareModelDocs, generateModelDocs } from './cards.js';
import { PARITY_EVIDENCE } from './parity.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const modelsDir = join(root, 'docs', 'models');

describe('model cards', () => {
  const before = tf.memory().numTensors;
  const files = generateModelDocs({ root });

  it('are regenerated from the registry without leaking tensors', () => {
    expect(tf.memory().numTensors).toBe(before);
    expect([...files.keys()].sort()).toEqual(['README.md', ...listModels().map((id) => `${id}.md`)].sort());
  });

  it('equal the committed files in docs/models (else run `npm run cards -w @tfzoo/docs-site`)', () => {
    expect(compareModelDocs(files, modelsDir)).toEqual({ missing: [], changed: [], stale: [] });
  });

  it("LeNet-5's card has the hand-computed parameter count and MACs", () => {
    const card = files.get('lenet5.md') as string;
    // conv1 6·(25+1) + conv2 16·(6·25+1) + fc1 400·120+120 + fc2 120·84+84 + fc3 84·10+10.
    const params = 156 + 2416 + 48120 + 10164 + 850;
    // conv1 28·28·6·25 + conv2 10·10·16·150 + fc1 400·120 + fc2 120·84 + fc3 84·10.
    const macs = 117600 + 240000 + 48000 + 10080 + 840;
    expect(params).toBe(61706);
    expect(card).toContain('| Parameters | 61,706 trainable (61.7K)');
    expect(card).toContain(`| MACs | ${macs.toLocaleString('en-US')} (0.42M) at 32×32, batch 1 |`);
  });

  it('every card with pretrained weights names its file, hash and license', () => {
    for (const [name, card] of files) {
      if (name === 'README.md' || card.includes('No pretrained weights are registered')) continue;
      expect(card, name).toMatch(/\| File \| \[[^\]]+\]\(https?:\/\//);
      // A hash, its published prefix, or an explicit statement that none is published.
      expect(card, name).toMatch(
        /\| sha256 \| (`[0-9a-f]{64}`|prefix `[0-9a-f]{4,}`|not pinned: no hash is published)/,
      );
      expect(card, name).toMatch(/\| License \| \S/);
    }
  });
});

describe('parity table', () => {
  const squash = (text: string) => text.toLowerCase().replace(/[_\-.]/g, '');
  for (const [family, entries] of Object.entries(PARITY_EVIDENCE)) {
    for (const entry of entries) {
      // The bound the table states (1e-4 of the scale, or tighter) is the one the test file asserts.
      const bound = /1e-\d+/.exec(entry.bound)?.[0] ?? 'none';
      it(`${family}: ${entry.file} exists, asserts ${bound} of the scale, and mentions ${entry.variants.join(', ')}`, () => {
        const path = join(root, entry.file);
        expect(existsSync(path), `${entry.file} is named in the parity table`).toBe(true);
        const text = readFileSync(path, 'utf8');
        expect(text).toMatch(new RegExp(`${bound} \\* scale|${bound} of (their|the) scale|≤ ${bound}`));
        for (const variant of entry.variants) expect(squash(text), variant).toContain(squash(variant));
      });
    }
  }
});
