import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
// @tfzoo/test-harness depends on core, so core's own tests reach the shared server by path.
import { startTestServer, type TestServer } from '../../../test-harness/src/http-server.js';
import { ZooError } from '../errors.js';
import { type PretrainedConfig, registerModel, unregisterModel } from '../registry.js';
import {
  cacheClear,
  cachedBlobPath,
  cacheList,
  cacheVerify,
  type FetchProgress,
  fetchCached,
  prefetch,
} from './cache.js';
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

  it('a pinned file that fails its hash after resuming a bad leftover .partial is fetched again from zero', async () => {
    const file = newFile(40_000);
    // A leftover from an earlier run of the same URL (partial files are keyed by the pinned hash):
    // half the length, the wrong bytes.
    const partialDir = join(root, 'partial');
    mkdirSync(partialDir, { recursive: true });
    writeFileSync(join(partialDir, `${file.sha256}.partial`), randomBytes(20_000));
    writeFileSync(join(partialDir, `${file.sha256}.partial.json`), JSON.stringify({ url: file.url }));
    const path = await fetchCached(file.url, { ...FAST, sha256: file.sha256, cacheDir: root });
    expect(sha256(readFileSync(path))).toBe(file.sha256);
    // One resumed request (206), then one fresh full download.
    expect(server.stats(file.path).rangeRequests).toBe(1);
    expect(server.stats(file.path).requests).toBe(2);
    expect(readdirSync(partialDir)).toEqual([]);
  });

  it('a file that fails its hash twice from zero is CHECKSUM_MISMATCH after exactly two downloads', async () => {
    const file = newFile(10_000, { kind: 'wrong' });
    const error = await rejection(fetchCached(file.url, { ...FAST, sha256: file.sha256, cacheDir: root }));
    expect(error.code).toBe('CHECKSUM_MISMATCH');
    expect(server.stats(file.path).requests).toBe(2);
  });

  it('an unpinned file whose length nobody confirmed is not cached as complete', async () => {
    const file = newFile(30_000, { kind: 'close-half-no-length', times: 1 });
    // The connection closed cleanly after half the bytes, with no Content-Length: the caller gets
    // what arrived, but the cache does not record it as the URL's content…
    const first = await fetchCached(file.url, { ...FAST, cacheDir: root });
    expect(readFileSync(first).length).toBe(15_000);
    // …so the next call downloads again and gets the whole file (announced with a length).
    const second = await fetchCached(file.url, { ...FAST, cacheDir: root });
    expect(sha256(readFileSync(second))).toBe(file.sha256);
    expect(server.stats(file.path).requests).toBe(2);
    // From then on it is served from the cache.
    expect(await fetchCached(file.url, { ...FAST, cacheDir: root })).toBe(second);
    expect(server.stats(file.path).requests).toBe(2);
  });

  it('cacheVerify re-hashes every file and removes the corrupt ones with their URL records', async () => {
    const good = newFile(5_000);
    const bad = newFile(6_000);
    await fetchCached(good.url, { ...FAST, sha256: good.sha256, cacheDir: root });
    const badPath = await fetchCached(bad.url, { ...FAST, sha256: bad.sha256, cacheDir: root });
    const bytes = readFileSync(badPath);
    bytes[100] ^= 1;
    writeFileSync(badPath, bytes);
    const seen: string[] = [];
    const report = await cacheVerify({
      cacheDir: root,
      remove: true,
      onFile: (e, ok) => seen.push(`${e.sha256}:${ok}`),
    });
    expect(report.checked).toBe(2);
    expect(report.bytes).toBe(11_000);
    expect(report.corrupt.map((e) => e.sha256)).toEqual([bad.sha256]);
    expect(seen.sort()).toEqual([`${bad.sha256}:false`, `${good.sha256}:true`].sort());
    expect(blobs()).toEqual([good.sha256]);
    // The next fetch downloads the removed file again instead of trusting a stale record.
    const again = await fetchCached(bad.url, { ...FAST, sha256: bad.sha256, cacheDir: root });
    expect(sha256(readFileSync(again))).toBe(bad.sha256);
    expect(server.stats(bad.path).requests).toBe(2);
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
