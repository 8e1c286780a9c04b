import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
// @tfzoo/test-harness depends on core, so core's own tests reach the shared server by path.
import { startTestServer, type TestServer } from '../../../test-harness/src/http-server.js';
import { ZooError } from '../errors.js';
import { type PretrainedConfig, registerModel, unregisterModel } from '../registry.js';
import { cacheClear, cachedBlobPath, cacheList, type FetchProgress, fetchCached, prefetch } from './cache.js';
import { readRawWeights } from './read.js';
import { writeSafetensors } from './safetensors.js';
import { transpileForNode } from './test/transpile.js';

const TEST_DIR = new URL('./test/', import.meta.url).pathname;
const FAST = { retryDelayMs: 10, timeoutMs: 5_000 };

let server: TestServer;
let root: string;
let jsDir: string;
let cacheModule: string;
let counter = 0;

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A fresh random file served at a fresh path. */
function newFile(size: number, mode?: Parameters<TestServer['serve']>[2]) {
  const bytes = new Uint8Array(randomBytes(size));
  const path = `/files/f${++counter}.bin`;
  server.serve(path, bytes, mode);
  return { bytes, path, url: `${server.url}${path}`, sha256: sha256(bytes) };
}

function blobs(): string[] {
  try {
    return readdirSync(join(root, 'blobs', 'sha256'));
  } catch {
    return [];
  }
}

async function rejection(promise: Promise<unknown>): Promise<ZooError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ZooError);
  return error as ZooError;
}

beforeAll(async () => {
  server = await startTestServer();
  jsDir = mkdtempSync(join(tmpdir(), 'tfzoo-cache-js-'));
  cacheModule = transpileForNode(new URL('./cache-node.ts', import.meta.url).pathname, jsDir);
});

afterAll(async () => {
  await server.close();
  rmSync(jsDir, { recursive: true, force: true });
});

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'tfzoo-cache-'));
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('fetchCached', () => {
  it('downloads, verifies, stores content-addressed, reports byte progress, then serves from the cache', async () => {
    const file = newFile(100_000);
    const events: FetchProgress[] = [];
    const path = await fetchCached(file.url, {
      ...FAST,
      sha256: file.sha256,
      cacheDir: root,
      onProgress: (e) => events.push(e),
    });
    expect(path).toBe(cachedBlobPath(file.sha256, root));
    expect(sha256(readFileSync(path))).toBe(file.sha256);
    expect(events.length).toBeGreaterThan(0);
    expect(events.at(-1)).toMatchObject({ loaded: 100_000, total: 100_000 });
    for (let i = 1; i < events.length; i++) expect(events[i]!.loaded).toBeGreaterThan(events[i - 1]!.loaded);
    expect(await fetchCached(file.url, { sha256: file.sha256, cacheDir: root })).toBe(path);
    expect(server.stats(file.path).requests).toBe(1);
    const listed = await cacheList(root);
    expect(listed).toMatchObject([{ sha256: file.sha256, size: 100_000, urls: [file.url] }]);
    expect(await cacheClear({ cacheDir: root })).toBe(100_000);
    expect(await cacheList(root)).toEqual([]);
  });

  it('resumes a download whose connection dropped half way with Range, transferring < 1.5x the file', async () => {
    const file = newFile(200_000, { kind: 'drop-half', times: 1 });
    const path = await fetchCached(file.url, { ...FAST, sha256: file.sha256, cacheDir: root });
    expect(sha256(readFileSync(path))).toBe(file.sha256);
    const stats = server.stats(file.path);
    expect(stats.requests).toBe(2);
    expect(stats.rangeRequests).toBe(1);
    expect(stats.bytesSent).toBeLessThan(1.5 * 200_000);
  });

  it('times out a stalled transfer and resumes it', async () => {
    const file = newFile(50_000, { kind: 'stall-half', times: 1 });
    const path = await fetchCached(file.url, {
      ...FAST,
      timeoutMs: 300,
      sha256: file.sha256,
      cacheDir: root,
    });
    expect(sha256(readFileSync(path))).toBe(file.sha256);
    expect(server.stats(file.path).rangeRequests).toBe(1);
    expect(server.stats(file.path).bytesSent).toBeLessThan(1.5 * 50_000);
  });

  it('retries 500 answers with backoff, then succeeds on 200', async () => {
    const file = newFile(10_000, { kind: 'fail', status: 500, times: 2 });
    const path = await fetchCached(file.url, { ...FAST, sha256: file.sha256, cacheDir: root });
    expect(sha256(readFileSync(path))).toBe(file.sha256);
    expect(server.stats(file.path).requests).toBe(3);
  });

  it('follows redirects (the Hub redirects to a CDN)', async () => {
    const file = newFile(10_000);
    server.serve('/resolve/main/model.safetensors', new Uint8Array(0), { kind: 'redirect', to: file.path });
    const path = await fetchCached(`${server.url}/resolve/{revision}/model.safetensors`, {
      ...FAST,
      sha256: file.sha256,
      cacheDir: root,
    });
    expect(sha256(readFileSync(path))).toBe(file.sha256);
  });

  it('rejects wrong bytes, which never enter the cache; a good mirror is then used', async () => {
    const file = newFile(20_000, { kind: 'wrong' });
    const error = await rejection(fetchCached(file.url, { ...FAST, sha256: file.sha256, cacheDir: root }));
    expect(error.code).toBe('CHECKSUM_MISMATCH');
    expect(error.message).toContain(file.sha256);
    expect(blobs()).toEqual([]);
    expect(readdirSync(join(root, 'partial'))).toEqual([]);
    const mirror = `/mirror${file.path}`;
    server.serve(mirror, file.bytes);
    const path = await fetchCached([file.url, `${server.url}${mirror}`], {
      ...FAST,
      sha256: file.sha256,
      cacheDir: root,
    });
    expect(sha256(readFileSync(path))).toBe(file.sha256);
    expect(blobs()).toEqual([file.sha256]);
  });

  it('verifies a sha256 prefix and stores the file under its full hash', async () => {
    const file = newFile(5_000);
    const path = await fetchCached(file.url, {
      ...FAST,
      sha256Prefix: file.sha256.slice(0, 8),
      cacheDir: root,
    });
    expect(path).toBe(cachedBlobPath(file.sha256, root));
    const wrong = newFile(5_000);
    const error = await rejection(
      fetchCached(wrong.url, { ...FAST, sha256Prefix: '00000000', cacheDir: root }),
    );
    expect(error.code).toBe('CHECKSUM_MISMATCH');
    expect(blobs()).toEqual([file.sha256]);
  });

  it('offline mode serves cached files and names what is missing and how to get it', async () => {
    const file = newFile(3_000);
    await fetchCached(file.url, { ...FAST, sha256: file.sha256, cacheDir: root });
    const requests = server.stats(file.path).requests;
    const previous = process.env.TFZOO_OFFLINE;
    process.env.TFZOO_OFFLINE = '1';
    try {
      expect(await fetchCached(file.url, { sha256: file.sha256, cacheDir: root })).toBe(
        cachedBlobPath(file.sha256, root),
      );
      expect(await fetchCached(file.url, { sha256Prefix: file.sha256.slice(0, 10), cacheDir: root })).toBe(
        cachedBlobPath(file.sha256, root),
      );
      expect(server.stats(file.path).requests).toBe(requests);
      const missing = newFile(3_000);
      const error = await rejection(
        fetchCached(missing.url, { sha256: missing.sha256, cacheDir: root, hint: '`tfzoo download x.y`' }),
      );
      expect(error.code).toBe('OFFLINE');
      expect(error.message).toContain(missing.url);
      expect(error.message).toContain(cachedBlobPath(missing.sha256, root));
      expect(error.message).toContain('tfzoo download x.y');
      expect(server.stats(missing.path).requests).toBe(0);
    } finally {
      if (previous === undefined) delete process.env.TFZOO_OFFLINE;
      else process.env.TFZOO_OFFLINE = previous;
    }
  });

  it('ten concurrent requests for one file cause one transfer', async () => {
    const file = newFile(64_000, { kind: 'slow', chunkBytes: 8_000, delayMs: 20 });
    const paths = await Promise.all(
      Array.from({ length: 10 }, () =>
        fetchCached(file.url, { ...FAST, sha256: file.sha256, cacheDir: root }),
      ),
    );
    expect(new Set(paths)).toEqual(new Set([cachedBlobPath(file.sha256, root)]));
    expect(server.stats(file.path).requests).toBe(1);
  });

  it('an aborted caller gets ABORTED and leaves no final file', async () => {
    const file = newFile(64_000, { kind: 'slow', chunkBytes: 4_000, delayMs: 30 });
    const controller = new AbortController();
    const pending = fetchCached(file.url, {
      ...FAST,
      sha256: file.sha256,
      cacheDir: root,
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 150);
    expect((await rejection(pending)).code).toBe('ABORTED');
    expect(blobs()).toEqual([]);
  });

  it('readRawWeights reads an http(s) URL through the verified cache', async () => {
    const bytes = writeSafetensors(
      new Map([['w', { dtype: 'F32', shape: [2], data: new Float32Array([1.5, -2]) }]]),
    );
    server.serve('/model.safetensors', bytes);
    const tensors = await readRawWeights(`${server.url}/model.safetensors`, {
      fetch: { ...FAST, sha256: sha256(bytes), cacheDir: root },
    });
    expect(Array.from(tensors.get('w')!.data as Float32Array)).toEqual([1.5, -2]);
    expect(blobs()).toEqual([sha256(bytes)]);
  });

  it('prefetch resolves registry ids and fetches their sources', async () => {
    const file = newFile(4_000);
    const config: PretrainedConfig = {
      id: 'cachetestnet.t1',
      arch: 'cachetestnet',
      tag: 't1',
      source: {
        url: `${server.url}/nowhere.bin`,
        mirrors: [file.url],
        format: 'safetensors',
        sha256: file.sha256,
      },
      mapping: 'default',
      numClasses: 10,
      classifier: 'fc',
      numParams: 1,
      preprocessing: {
        inputSize: [8, 8, 3],
        resizeSize: 8,
        cropFraction: 1,
        interpolation: 'bilinear',
        mean: [0, 0, 0],
        std: [1, 1, 1],
        channelOrder: 'RGB',
        inputRange: [0, 1],
      },
      license: 'MIT',
      sourceUrl: 'https://example.com',
    };
    registerModel({
      name: 'cachetestnet',
      family: 'test',
      build: () => undefined as never,
      pretrained: [config],
    });
    try {
      const [result] = await prefetch(['cachetestnet'], { ...FAST, cacheDir: root });
      expect(result).toEqual({ id: 'cachetestnet.t1', path: cachedBlobPath(file.sha256, root) });
      expect((await rejection(prefetch('nonexistent_model.x'))).code).toBe('UNKNOWN_MODEL');
    } finally {
      unregisterModel('cachetestnet');
    }
  });
});

describe('across processes', () => {
  function child(
    url: string,
    hash: string,
  ): { process: ChildProcess; result: Promise<{ path?: string; error?: string }> } {
    const proc = spawn(process.execPath, [join(TEST_DIR, 'fetch-child.mjs'), cacheModule, url, hash, root], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    proc.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    const result = new Promise<{ path?: string; error?: string }>((resolve) => {
      proc.on('exit', () =>
        resolve(out.trim() ? (JSON.parse(out.trim().split('\n').pop()!) as { path?: string }) : {}),
      );
    });
    return { process: proc, result };
  }

  it('three processes fetching one file cause one transfer', async () => {
    const file = newFile(100_000, { kind: 'slow', chunkBytes: 5_000, delayMs: 100 });
    const children = [
      child(file.url, file.sha256),
      child(file.url, file.sha256),
      child(file.url, file.sha256),
    ];
    const results = await Promise.all(children.map((c) => c.result));
    expect(results).toEqual(Array(3).fill({ path: cachedBlobPath(file.sha256, root) }));
    expect(server.stats(file.path).requests).toBe(1);
    expect(sha256(readFileSync(cachedBlobPath(file.sha256, root)))).toBe(file.sha256);
  });

  it('a download killed half way leaves no file under the final name; the next fetch takes over and resumes', async () => {
    const size = 100_000;
    const file = newFile(size, { kind: 'slow', chunkBytes: 5_000, delayMs: 40 });
    const { process: proc, result } = child(file.url, file.sha256);
    const deadline = Date.now() + 30_000;
    while (server.stats(file.path).bytesSent < size / 2 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    proc.kill('SIGKILL');
    await result;
    expect(existsSync(cachedBlobPath(file.sha256, root))).toBe(false);
    expect(blobs()).toEqual([]);
    expect(readdirSync(join(root, 'partial')).some((name) => name.endsWith('.partial'))).toBe(true);
    expect(readdirSync(join(root, 'locks'))).toHaveLength(1); // the dead owner's lock
    server.setMode(file.path, { kind: 'ok' });
    const path = await fetchCached(file.url, { ...FAST, sha256: file.sha256, cacheDir: root });
    expect(sha256(readFileSync(path))).toBe(file.sha256);
    expect(server.stats(file.path).rangeRequests).toBe(1);
    expect(server.stats(file.path).bytesSent).toBeLessThan(1.5 * size);
    expect(readdirSync(join(root, 'locks'))).toEqual([]);
  });
});

describe('file: URLs', () => {
  it('verifies a local file in place, falls through to the next URL when it is missing or wrong', async () => {
    const { fetchCached } = await import('./cache.js');
    const { pathToFileURL } = await import('node:url');
    const { createHash } = await import('node:crypto');
    const { mkdtemp, writeFile, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = await mkdtemp(join(tmpdir(), 'tfzoo-file-url-'));
    try {
      const bytes = new TextEncoder().encode('weights shipped in a package');
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      const good = join(dir, 'good.bin');
      await writeFile(good, bytes);
      await writeFile(join(dir, 'bad.bin'), 'other bytes');
      const cacheDir = join(dir, 'cache');
      expect(await fetchCached(pathToFileURL(good).href, { sha256, cacheDir, offline: true })).toBe(good);
      expect(
        await fetchCached(pathToFileURL(good).href, { sha256Prefix: sha256.slice(0, 8), cacheDir }),
      ).toBe(good);
      const urls = [
        pathToFileURL(join(dir, 'missing.bin')).href,
        pathToFileURL(join(dir, 'bad.bin')).href,
        pathToFileURL(good).href,
      ];
      expect(await fetchCached(urls, { sha256, cacheDir })).toBe(good);
      const error = await fetchCached(urls.slice(0, 2), { sha256, cacheDir }).catch((e: unknown) => e);
      expect((error as Error).message).toContain('missing.bin: ENOENT');
      expect((error as Error).message).toContain(`bad.bin has sha256`);
      expect((error as Error).message).toContain(`expected ${sha256}`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
