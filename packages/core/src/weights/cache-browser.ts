/**
 * The verified download cache in browsers, on the Cache API (the store transformers.js uses for
 * model files): a verified file is stored content-addressed under the key
 * `https://tfzoo.cache/blobs/sha256/<hash>` of the cache named {@link cacheDir} (`tfzoo-weights`),
 * and each URL it came from under `https://tfzoo.cache/refs/<url>`, so a reload or an offline page
 * finds it again. A file is stored only after its sha256 matched, by the same rules, retries,
 * mirror order, progress events, shared transfers and errors as the Node file cache
 * (`cache-common.ts`). Offline means `options.offline` (no environment variables in a page).
 * Transfers are whole-file: a browser that loses a download starts it again.
 */
import { ZooError } from '../errors.js';
import { hex } from './bytes.js';
import type { CacheClearOptions, CacheEntry, FetchCachedOptions, FetchProgress } from './cache.js';
import {
  abortError,
  checksumError,
  digestMatches,
  HEX64,
  httpError,
  type InFlight,
  RetryableError,
  resolveRequest,
  shareTransfer,
  tryMirrors,
} from './cache-common.js';

const ORIGIN = 'https://tfzoo.cache';

interface RefRecord {
  url: string;
  sha256: string;
  size: number;
  revision?: string;
  savedAt: string;
}

/** The name of the Cache API cache tfzoo stores weights in: `tfzoo-weights`. */
export function cacheDir(): string {
  return 'tfzoo-weights';
}

/** The cache key of a file with this full sha256 (whether or not it is there). */
export function cachedBlobPath(sha256: string, _root: string = cacheDir()): string {
  return `${ORIGIN}/blobs/sha256/${sha256.toLowerCase()}`;
}

/** True for the keys {@link fetchCached} returns (read them with {@link readCached}). */
export function isCacheKey(url: string): boolean {
  return url.startsWith(`${ORIGIN}/blobs/`);
}

function refKey(url: string): string {
  return `${ORIGIN}/refs/${encodeURIComponent(url)}`;
}

function openCache(name: string): Promise<Cache> {
  if (typeof caches === 'undefined') {
    throw new ZooError(
      'UNSUPPORTED',
      'the Cache API is not available (it needs a secure context: https or localhost)',
      {
        expected: 'a page served over https, from localhost or 127.0.0.1',
      },
    );
  }
  return caches.open(name);
}

/** The sha256 of bytes, with WebCrypto. */
export async function sha256Bytes(bytes: Uint8Array): Promise<string> {
  return hex(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>)));
}

/** The sha256 of a cached file, read back from the cache (`path` as {@link fetchCached} returns it). */
export async function hashFile(path: string): Promise<string> {
  return sha256Bytes(await readCached(path));
}

/** The bytes of a cached file (`key` as {@link fetchCached} returns it). */
export async function readCached(key: string, root: string = cacheDir()): Promise<Uint8Array> {
  const response = await (await openCache(root)).match(key);
  if (!response) {
    throw new ZooError('NOT_FOUND', `${key} is not in the browser cache ${root}`, { received: key });
  }
  return new Uint8Array(await response.arrayBuffer());
}

async function lookup(
  cache: Cache,
  urls: readonly string[],
  sha256?: string,
  prefix?: string,
): Promise<string | undefined> {
  if (sha256) {
    const key = cachedBlobPath(sha256);
    return (await cache.match(key)) ? key : undefined;
  }
  for (const url of urls) {
    const response = await cache.match(refKey(url));
    const ref = response
      ? ((await response.json().catch(() => undefined)) as RefRecord | undefined)
      : undefined;
    if (!ref || !HEX64.test(ref.sha256) || (prefix && !ref.sha256.startsWith(prefix))) continue;
    const key = cachedBlobPath(ref.sha256);
    if (await cache.match(key)) return key;
  }
  if (prefix) {
    const matches = (await cache.keys())
      .map((request) => request.url)
      .filter((url) => url.startsWith(`${ORIGIN}/blobs/sha256/${prefix}`));
    if (matches.length === 1) return matches[0];
  }
  return undefined;
}

/** One HTTP attempt: the whole body, with progress and an idle time-out. */
async function transfer(
  url: string,
  options: FetchCachedOptions,
  signal: AbortSignal,
  progress: (progress: FetchProgress) => void,
): Promise<Uint8Array> {
  const idle = new AbortController();
  const timeoutMs = options.timeoutMs ?? 30_000;
  let timer = setTimeout(() => idle.abort(), timeoutMs);
  const touch = () => {
    clearTimeout(timer);
    timer = setTimeout(() => idle.abort(), timeoutMs);
  };
  const combined = AbortSignal.any([signal, idle.signal]);
  try {
    let response: Response;
    try {
      response = await fetch(url, { signal: combined, redirect: 'follow', cache: 'no-store' });
    } catch (error) {
      if (signal.aborted) throw abortError(signal.reason);
      throw new RetryableError(
        idle.signal.aborted ? `no response within ${timeoutMs} ms` : (error as Error).message,
        true,
      );
    }
    if (response.status !== 200) throw httpError(response);
    const length = response.headers.get('content-length');
    const total = length !== null ? Number(length) : undefined;
    const chunks: Uint8Array[] = [];
    let loaded = 0;
    try {
      const reader = response.body?.getReader();
      while (reader) {
        const { done, value } = await reader.read();
        if (done) break;
        touch();
        chunks.push(value);
        loaded += value.length;
        const event: FetchProgress = { url, loaded, resumedFrom: 0 };
        if (total !== undefined) event.total = total;
        progress(event);
      }
    } catch (error) {
      if (signal.aborted) throw abortError(signal.reason);
      throw new RetryableError(
        idle.signal.aborted
          ? `the transfer stalled for ${timeoutMs} ms`
          : `the connection broke after ${loaded} bytes (${(error as Error).message})`,
        true,
      );
    }
    if (total !== undefined && loaded !== total) {
      throw new RetryableError(`the transfer ended after ${loaded} of ${total} bytes`, true);
    }
    const bytes = new Uint8Array(loaded);
    let at = 0;
    for (const chunk of chunks) {
      bytes.set(chunk, at);
      at += chunk.length;
    }
    return bytes;
  } finally {
    clearTimeout(timer);
  }
}

const inFlight = new Map<string, InFlight<string>>();

/**
 * Returns the cache key of a verified copy of a remote file (read it with {@link readCached}),
 * downloading it into the Cache API cache when needed. `urls` may list mirrors; they are tried in
 * order.
 *
 * @throws {@link ZooError} `OFFLINE` when `options.offline` and not cached, `CHECKSUM_MISMATCH`
 * when no URL served the expected bytes, `NETWORK` / `NOT_FOUND` when every URL failed, `ABORTED`
 * on abort, `UNSUPPORTED` without the Cache API.
 */
export async function fetchCached(
  urls: string | readonly string[],
  options: FetchCachedOptions = {},
): Promise<string> {
  const { list, sha256, prefix, options: resolved } = resolveRequest(urls, options, false);
  const root = options.cacheDir ?? cacheDir();
  const cache = await openCache(root);
  const hit = await lookup(cache, list, sha256, prefix);
  if (hit) return hit;
  if (options.offline) {
    const hash = sha256 ?? (prefix ? `${prefix}…` : 'unknown');
    throw new ZooError(
      'OFFLINE',
      `offline and ${list[0]} (sha256 ${hash}) is not in the browser cache ${root}; ` +
        `${options.hint ? `run ${options.hint} while online, or ` : ''}load it once while online`,
      { received: list[0], expected: `a cached file in the Cache API cache ${root}` },
    );
  }
  if (options.signal?.aborted) throw abortError(options.signal.reason);
  const key = `${root}\n${sha256 ?? `${list[0]}\n${prefix ?? ''}`}`;
  return shareTransfer(inFlight, key, options, async (signal, emit) =>
    tryMirrors(list, resolved, signal, async (url) => {
      const bytes = await transfer(url, resolved, signal, emit);
      const hash = await sha256Bytes(bytes);
      if (!digestMatches(hash, sha256, prefix)) throw checksumError(hash, resolved);
      const blob = cachedBlobPath(hash);
      await cache.put(
        blob,
        new Response(bytes as Uint8Array<ArrayBuffer>, {
          headers: { 'content-length': String(bytes.length) },
        }),
      );
      for (const source of new Set([list[0]!, url])) {
        const record: RefRecord = {
          url: source,
          sha256: hash,
          size: bytes.length,
          savedAt: new Date().toISOString(),
        };
        if (resolved.revision) record.revision = resolved.revision;
        await cache.put(refKey(source), new Response(JSON.stringify(record)));
      }
      return blob;
    }),
  );
}

/** Lists the verified files in the browser cache with the URLs they came from. */
export async function cacheList(root: string = cacheDir()): Promise<CacheEntry[]> {
  if (typeof caches === 'undefined') return [];
  const cache = await caches.open(root);
  const entries = new Map<string, CacheEntry>();
  const refs: RefRecord[] = [];
  for (const request of await cache.keys()) {
    const url = request.url;
    if (url.startsWith(`${ORIGIN}/refs/`)) {
      const ref = (await (await cache.match(request))?.json().catch(() => undefined)) as
        | RefRecord
        | undefined;
      if (ref) refs.push(ref);
      continue;
    }
    const sha256 = url.slice(url.lastIndexOf('/') + 1);
    if (!url.startsWith(`${ORIGIN}/blobs/sha256/`) || !HEX64.test(sha256)) continue;
    const response = await cache.match(request);
    const size = Number(response?.headers.get('content-length') ?? 0);
    entries.set(sha256, { sha256, path: url, size, urls: [], modified: new Date(0) });
  }
  for (const ref of refs) {
    const entry = entries.get(ref.sha256);
    if (!entry) continue;
    entry.urls.push(ref.url);
    const saved = new Date(ref.savedAt);
    if (saved > entry.modified) entry.modified = saved;
  }
  return [...entries.values()]
    .sort((a, b) => a.sha256.localeCompare(b.sha256))
    .map((e) => ({ ...e, urls: e.urls.sort() }));
}

/** Removes cached files (all, or the given sha256s) and returns how many bytes were freed. */
export async function cacheClear(options: CacheClearOptions = {}): Promise<number> {
  const root = options.cacheDir ?? cacheDir();
  if (typeof caches === 'undefined') return 0;
  const entries = await cacheList(root);
  const selected = options.sha256 ? new Set(options.sha256.map((h) => h.toLowerCase())) : undefined;
  const cache = await caches.open(root);
  let freed = 0;
  for (const entry of entries) {
    if (selected && !selected.has(entry.sha256)) continue;
    await cache.delete(entry.path);
    for (const url of entry.urls) await cache.delete(refKey(url));
    freed += entry.size;
  }
  return freed;
}
