/**
 * `@tfzoo/core`'s weight cache inside Chromium (the browser build, Cache API): a download is
 * verified by sha256 before it is stored and reported through `onProgress`; wrong bytes fail with
 * `CHECKSUM_MISMATCH` and are not stored; `offline` serves a cached file and refuses a missing one
 * with `OFFLINE`; mirrors are tried in order; `readRawWeights` reads a URL through the cache;
 * `cacheList` / `cacheClear` see and empty the cache. Everything is served from 127.0.0.1.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeSafetensors } from '@tfzoo/core';
import { type Browser, chromium, type Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './bundle.js';
import { type StaticServer, serveDirectory } from './serve.js';

const ENTRY = `
import { cacheClear, cacheList, fetchCached, readRawWeights } from '@tfzoo/core';
window.tfzoo = { cacheClear, cacheList, fetchCached, readRawWeights };
document.body.dataset.ready = 'true';
`;

let directory: string;
let server: StaticServer;
let browser: Browser;
let page: Page;
const weights = writeSafetensors(
  new Map([['fc.weight', { dtype: 'F32', shape: [2, 3], data: new Float32Array([1, 2, 3, 4, 5, 6]) }]]),
);
const sha256 = createHash('sha256').update(weights).digest('hex');

beforeAll(async () => {
  // Inside the repository, so @tfzoo/core resolves from its node_modules like an installed package.
  directory = mkdtempSync(join(REPO_ROOT, 'examples', 'web', '.bundle-'));
  const source = join(directory, 'source');
  mkdirSync(source);
  writeFileSync(
    join(source, 'index.html'),
    '<!doctype html><body><script type="module" src="./main.js"></script></body>',
  );
  writeFileSync(join(source, 'main.js'), ENTRY);
  await build({
    root: source,
    configFile: false,
    logLevel: 'warn',
    base: './',
    cacheDir: join(directory, 'vite-cache'),
    build: { outDir: join(directory, 'site'), emptyOutDir: true },
  });
  const site = join(directory, 'site');
  writeFileSync(join(site, 'good.safetensors'), weights);
  writeFileSync(join(site, 'mirror.safetensors'), weights);
  const wrong = weights.slice();
  wrong[wrong.length - 1] ^= 0xff;
  writeFileSync(join(site, 'wrong.safetensors'), wrong);
  server = await serveDirectory(site);
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  page = await browser.newPage();
  await page.goto(`${server.url}/`);
  await page.waitForSelector('body[data-ready="true"]', { state: 'attached' });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  rmSync(directory, { recursive: true, force: true });
});

/** Runs `fetchCached` in the page; returns its key and progress events, or the error code. */
function fetchInPage(urls: string[], options: Record<string, unknown>) {
  return page.evaluate(
    async ({ urls, options }) => {
      const events: { loaded: number; total?: number }[] = [];
      try {
        // biome-ignore lint/suspicious/noExplicitAny: the page's test handle
        const key = await (window as any).tfzoo.fetchCached(urls, {
          ...options,
          retries: 0,
          onProgress: (event: { loaded: number; total?: number }) => events.push(event),
        });
        return { key: key as string, events };
      } catch (error) {
        return { code: (error as { code?: string }).code ?? String(error), events };
      }
    },
    { urls, options },
  );
}

describe('the weight cache in Chromium', () => {
  it('refuses wrong bytes, stores nothing, and tries the next mirror', async () => {
    const refused = await fetchInPage([`${server.url}/wrong.safetensors`], { sha256 });
    expect(refused.code).toBe('CHECKSUM_MISMATCH');
    expect(refused.events.length).toBeGreaterThan(0); // the bytes did arrive; they were refused
    // biome-ignore lint/suspicious/noExplicitAny: the page's test handle
    expect(await page.evaluate(() => (window as any).tfzoo.cacheList())).toEqual([]);
    const mirrored = await fetchInPage(
      [`${server.url}/wrong.safetensors`, `${server.url}/mirror.safetensors`],
      {
        sha256,
      },
    );
    expect(mirrored.key).toBe(`https://tfzoo.cache/blobs/sha256/${sha256}`);
  });

  it('verifies, stores, reports progress, and then serves offline', async () => {
    // biome-ignore lint/suspicious/noExplicitAny: the page's test handle
    await page.evaluate(() => (window as any).tfzoo.cacheClear());
    const missing = await fetchInPage([`${server.url}/good.safetensors`], { sha256, offline: true });
    expect(missing.code).toBe('OFFLINE');
    const requestsBefore = server.requests.get('/good.safetensors') ?? 0;
    const first = await fetchInPage([`${server.url}/good.safetensors`], { sha256 });
    expect(first.key).toBe(`https://tfzoo.cache/blobs/sha256/${sha256}`);
    expect(first.events.at(-1)).toEqual({
      url: `${server.url}/good.safetensors`,
      loaded: weights.length,
      total: weights.length,
      resumedFrom: 0,
    });
    const offline = await fetchInPage([`${server.url}/good.safetensors`], { offline: true });
    expect(offline.key).toBe(first.key); // found by its URL record, without a hash given
    expect(server.requests.get('/good.safetensors')).toBe(requestsBefore + 1);

    await page.reload();
    await page.waitForSelector('body[data-ready="true"]', { state: 'attached' });
    const read = await page.evaluate(async (url) => {
      // biome-ignore lint/suspicious/noExplicitAny: the page's test handle
      const tensors = await (window as any).tfzoo.readRawWeights(url, { fetch: { offline: true } });
      const tensor = tensors.get('fc.weight');
      return { shape: tensor.shape, data: [...tensor.data] };
    }, `${server.url}/good.safetensors`);
    expect(read).toEqual({ shape: [2, 3], data: [1, 2, 3, 4, 5, 6] });

    // biome-ignore lint/suspicious/noExplicitAny: the page's test handle
    const listed = await page.evaluate(() => (window as any).tfzoo.cacheList());
    expect(listed.map((entry: { sha256: string; size: number }) => [entry.sha256, entry.size])).toEqual([
      [sha256, weights.length],
    ]);
    // biome-ignore lint/suspicious/noExplicitAny: the page's test handle
    const freed = await page.evaluate(() => (window as any).tfzoo.cacheClear());
    expect(freed).toBe(weights.length);
    // biome-ignore lint/suspicious/noExplicitAny: the page's test handle
    expect(await page.evaluate(() => (window as any).tfzoo.cacheList())).toEqual([]);
  });
});
