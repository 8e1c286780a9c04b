/**
 * The verified download cache for weight files, in the spirit of `huggingface_hub`'s cache and
 * `torch.hub.download_url_to_file`: files are stored content-addressed under
 * `$TFZOO_HOME/blobs/sha256/<hash>` (default `~/.cache/tfzoo`), downloaded to a `.partial` file
 * that survives interruptions and resumes with HTTP Range, verified against their sha256 (or its
 * published prefix), then renamed into place atomically — so a file under its final name is always
 * complete and verified. Redirects are followed, network errors and 5xx answers are retried with
 * exponential backoff, stalled transfers time out, mirrors are tried in order, and concurrent
 * requests for one file share one transfer, within a process (a map of in-flight downloads) and
 * across processes (an exclusive lock file with a heartbeat; a lock whose owner died is taken
 * over). `TFZOO_OFFLINE=1` serves from the cache only.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { homedir, hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ZooError } from '../errors.js';
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
  sleep,
  tryMirrors,
} from './cache-common.js';

interface RefRecord {
  url: string;
  sha256: string;
  size: number;
  revision?: string;
  savedAt: string;
}

interface PartialMeta {
  url: string;
  etag?: string;
  lastModified?: string;
  total?: number;
}

/** The cache root: `$TFZOO_HOME`, else `~/.cache/tfzoo`. Read on every call. */
export function cacheDir(): string {
  const home = process.env.TFZOO_HOME;
  return home && home.length > 0 ? home : join(homedir(), '.cache', 'tfzoo');
}

/** Where a file with this full sha256 lives in the cache (whether or not it is there). */
export function cachedBlobPath(sha256: string, root: string = cacheDir()): string {
  return join(root, 'blobs', 'sha256', sha256.toLowerCase());
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The sha256 of a file, streamed. */
export async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

async function readJson<T>(path: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  const temporary = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  await writeFile(temporary, JSON.stringify(value));
  await rename(temporary, path);
}

function refPath(root: string, url: string): string {
  return join(root, 'refs', `${sha256Hex(url)}.json`);
}

/** Finds a cached, matching file without touching the network. */
async function lookup(
  root: string,
  urls: readonly string[],
  sha256?: string,
  prefix?: string,
): Promise<string | undefined> {
  if (sha256) {
    const path = cachedBlobPath(sha256, root);
    return (await exists(path)) ? path : undefined;
  }
  for (const url of urls) {
    const ref = await readJson<RefRecord>(refPath(root, url));
    if (!ref || !HEX64.test(ref.sha256) || (prefix && !ref.sha256.startsWith(prefix))) continue;
    const path = cachedBlobPath(ref.sha256, root);
    if (await exists(path)) return path;
  }
  if (prefix) {
    let names: string[] = [];
    try {
      names = await readdir(join(root, 'blobs', 'sha256'));
    } catch {
      return undefined;
    }
    const matches = names.filter((name) => HEX64.test(name) && name.startsWith(prefix));
    if (matches.length === 1) return cachedBlobPath(matches[0]!, root);
  }
  return undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the cross-process lock for one file: `open(path, 'wx')` succeeds for exactly one process.
 * The holder refreshes the lock's mtime as a heartbeat; a lock whose owner process is gone (same
 * host) or whose heartbeat is older than `staleMs` is removed and retried.
 */
async function acquireLock(path: string, staleMs: number, signal: AbortSignal): Promise<() => Promise<void>> {
  const token = `${process.pid}-${Math.random().toString(36).slice(2)}`;
  while (true) {
    if (signal.aborted) throw abortError(signal.reason);
    try {
      const handle = await open(path, 'wx');
      await handle.writeFile(JSON.stringify({ pid: process.pid, host: hostname(), token, time: Date.now() }));
      await handle.close();
      const heartbeat = setInterval(
        () => {
          const now = new Date();
          utimes(path, now, now).catch(() => {});
        },
        Math.max(50, Math.floor(staleMs / 3)),
      );
      heartbeat.unref();
      return async () => {
        clearInterval(heartbeat);
        const content = await readJson<{ token?: string }>(path);
        if (content?.token === token) await rm(path, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    let stale = false;
    try {
      const info = await stat(path);
      const content = await readJson<{ pid?: number; host?: string }>(path);
      if (content?.host === hostname() && typeof content.pid === 'number' && !isAlive(content.pid))
        stale = true;
      else if (Date.now() - info.mtimeMs > staleMs) stale = true;
    } catch {
      continue; // removed meanwhile: try again at once
    }
    if (stale) {
      // Rename first: of several processes that saw the same stale lock, one wins the rename.
      const grave = `${path}.stale-${process.pid}-${Math.random().toString(36).slice(2)}`;
      try {
        await rename(path, grave);
        await rm(grave, { force: true });
      } catch {
        /* someone else cleaned it up */
      }
      continue;
    }
    await sleep(100, signal);
  }
}

interface TransferContext {
  root: string;
  partial: string;
  meta: string;
  options: FetchCachedOptions;
  signal: AbortSignal;
  progress: (progress: FetchProgress) => void;
}

/** What one transfer did: where it resumed, and the file size the server confirmed, if any. */
interface TransferResult {
  /** Bytes kept from an earlier attempt (0 for a fresh download). */
  resumedFrom: number;
  /** The size announced by Content-Length or Content-Range; undefined when none was sent. */
  total?: number;
}

/** One HTTP attempt: appends to the partial file (resuming with Range) until the body ends. */
async function transfer(url: string, context: TransferContext): Promise<TransferResult> {
  const { partial, meta, signal } = context;
  let existing = 0;
  const previous = await readJson<PartialMeta>(meta);
  if (previous?.url === url) {
    try {
      existing = (await stat(partial)).size;
    } catch {
      existing = 0;
    }
    // A leftover longer than the file it belongs to cannot be resumed: start again.
    if (previous.total !== undefined && existing > previous.total) {
      await rm(partial, { force: true });
      existing = 0;
    }
  } else {
    await rm(partial, { force: true });
  }
  const headers: Record<string, string> = { 'user-agent': 'tfzoo' };
  if (existing > 0) {
    headers.range = `bytes=${existing}-`;
    if (previous?.etag) headers['if-range'] = previous.etag;
    else if (previous?.lastModified) headers['if-range'] = previous.lastModified;
  }
  const idle = new AbortController();
  const timeoutMs = context.options.timeoutMs ?? 30_000;
  let timer = setTimeout(() => idle.abort(), timeoutMs);
  const touch = () => {
    clearTimeout(timer);
    timer = setTimeout(() => idle.abort(), timeoutMs);
  };
  const combined = AbortSignal.any([signal, idle.signal]);
  let response: Response;
  try {
    response = await fetch(url, { headers, signal: combined, redirect: 'follow' });
  } catch (error) {
    clearTimeout(timer);
    if (signal.aborted) throw abortError(signal.reason);
    throw new RetryableError(
      idle.signal.aborted
        ? `no response within ${timeoutMs} ms`
        : `${(error as Error).message}${(error as Error).cause ? ` (${String((error as { cause?: unknown }).cause)})` : ''}`,
      true,
    );
  }
  try {
    let start = 0;
    let total: number | undefined;
    if (response.status === 206) {
      const match = /bytes (\d+)-(\d+)\/(\d+|\*)/.exec(response.headers.get('content-range') ?? '');
      start = match ? Number(match[1]) : -1;
      total = match && match[3] !== '*' ? Number(match[3]) : undefined;
      if (start !== existing) {
        await rm(partial, { force: true });
        throw new RetryableError(`server resumed at byte ${start}, expected ${existing}`, true);
      }
    } else if (response.status === 200) {
      const length = response.headers.get('content-length');
      total = length !== null ? Number(length) : undefined;
    } else if (response.status === 416 && existing > 0 && previous?.total === existing) {
      return { resumedFrom: existing, total: existing }; // the partial file is already complete
    } else {
      if (response.status === 416) await rm(partial, { force: true });
      throw httpError(response);
    }
    const record: PartialMeta = { url };
    const etag = response.headers.get('etag');
    const lastModified = response.headers.get('last-modified');
    if (etag) record.etag = etag;
    if (lastModified) record.lastModified = lastModified;
    if (total !== undefined) record.total = total;
    await writeJsonAtomic(meta, record);
    const handle = await open(partial, start > 0 ? 'a' : 'w');
    let loaded = start;
    try {
      if (response.body) {
        for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
          touch();
          await handle.write(chunk);
          loaded += chunk.length;
          const event: FetchProgress = { url, loaded, resumedFrom: start };
          if (total !== undefined) event.total = total;
          context.progress(event);
        }
      }
    } catch (error) {
      if (signal.aborted) throw abortError(signal.reason);
      throw new RetryableError(
        idle.signal.aborted
          ? `the transfer stalled for ${timeoutMs} ms`
          : `the connection broke after ${loaded} bytes (${(error as Error).message})`,
        true,
      );
    } finally {
      await handle.close();
    }
    if (total !== undefined && loaded !== total) {
      throw new RetryableError(`the transfer ended after ${loaded} of ${total} bytes`, true);
    }
    return total === undefined ? { resumedFrom: start } : { resumedFrom: start, total };
  } finally {
    clearTimeout(timer);
  }
}

/** Downloads, verifies and stores one file; the caller holds the lock. */
async function download(
  root: string,
  key: string,
  urls: readonly string[],
  options: FetchCachedOptions,
  signal: AbortSignal,
  progress: (p: FetchProgress) => void,
): Promise<string> {
  const partialDir = join(root, 'partial');
  await mkdir(partialDir, { recursive: true });
  await mkdir(join(root, 'blobs', 'sha256'), { recursive: true });
  await mkdir(join(root, 'refs'), { recursive: true });
  const partial = join(partialDir, `${key}.partial`);
  const meta = join(partialDir, `${key}.partial.json`);
  const pinned = options.sha256 !== undefined || options.sha256Prefix !== undefined;
  return tryMirrors(urls, options, signal, async (url) => {
    const result = await transfer(url, { root, partial, meta, options, signal, progress });
    const hash = await hashFile(partial);
    if (!digestMatches(hash, options.sha256, options.sha256Prefix)) {
      await rm(partial, { force: true });
      await rm(meta, { force: true });
      throw checksumError(hash, options);
    }
    const final = cachedBlobPath(hash, root);
    await rename(partial, final);
    await rm(meta, { force: true });
    // Without a hash or an announced length nothing confirms that the body was complete (a
    // connection closed early looks like its end): the file serves this call but is not recorded
    // as the URL's content, so the next call downloads it again.
    if (!pinned && result.total === undefined) return final;
    const size = (await stat(final)).size;
    for (const source of new Set([urls[0]!, url])) {
      const record: RefRecord = { url: source, sha256: hash, size, savedAt: new Date().toISOString() };
      if (options.revision) record.revision = options.revision;
      await writeJsonAtomic(refPath(root, source), record);
    }
    return final;
  });
}

const inFlight = new Map<string, InFlight<string>>();

function offlineError(root: string, urls: readonly string[], options: FetchCachedOptions): ZooError {
  const hash = options.sha256 ?? (options.sha256Prefix ? `${options.sha256Prefix}…` : 'unknown');
  const where = options.sha256
    ? `copy the file to ${cachedBlobPath(options.sha256, root)}`
    : `fetch it once while online (fetchCached or prefetch) so the cache at ${root} holds it`;
  return new ZooError(
    'OFFLINE',
    `TFZOO_OFFLINE=1 and ${urls[0]} (sha256 ${hash}) is not in the cache at ${root}; ` +
      `${options.hint ? `run ${options.hint} while online, or ` : ''}${where}`,
    { received: urls[0], expected: `a cached file under ${join(root, 'blobs', 'sha256')}` },
  );
}

/**
 * Returns the local path of a verified copy of a remote file, downloading it into the cache when
 * needed. `urls` may list mirrors; they are tried in order.
 *
 * @throws {@link ZooError} `OFFLINE` when offline and not cached, `CHECKSUM_MISMATCH` when no URL
 * served the expected bytes, `NETWORK` / `NOT_FOUND` when every URL failed, `ABORTED` on abort.
 */
export async function fetchCached(
  urls: string | readonly string[],
  options: FetchCachedOptions = {},
): Promise<string> {
  const { list, sha256, prefix, options: resolved } = resolveRequest(urls, options, true);
  // Local files (weights shipped inside a package, a mounted mirror) are verified in place and
  // returned as they are, online or offline; a missing or wrong one falls through to the next URL.
  const localFailures: string[] = [];
  for (const url of list.filter((u) => u.startsWith('file:'))) {
    const path = fileURLToPath(url);
    let actual: string;
    try {
      actual = await hashFile(path);
    } catch (error) {
      localFailures.push(`${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
      continue;
    }
    if (digestMatches(actual, sha256, prefix)) return path;
    localFailures.push(`${path} has sha256 ${actual}; expected ${sha256 ?? `${prefix}…`}`);
  }
  const remote = list.filter((u) => !u.startsWith('file:'));
  if (remote.length === 0) {
    throw new ZooError('NOT_FOUND', `no usable local weight file:\n  - ${localFailures.join('\n  - ')}`, {
      received: list,
      expected: 'a readable file with the expected sha256',
    });
  }
  if (remote.length !== list.length) return fetchCached(remote, options);
  const root = options.cacheDir ?? cacheDir();
  const hit = await lookup(root, list, sha256, prefix);
  if (hit) return hit;
  if (options.offline ?? process.env.TFZOO_OFFLINE === '1') throw offlineError(root, list, resolved);
  if (options.signal?.aborted) throw abortError(options.signal.reason);

  const key = sha256 ?? sha256Hex(`${list[0]}\n${prefix ?? ''}`);
  const mapKey = `${root}\n${key}`;
  return shareTransfer(inFlight, mapKey, options, async (signal, emit) => {
    await mkdir(join(root, 'locks'), { recursive: true });
    const release = await acquireLock(
      join(root, 'locks', `${key}.lock`),
      options.lockStaleMs ?? 30_000,
      signal,
    );
    try {
      const cached = await lookup(root, list, sha256, prefix);
      if (cached) return cached;
      return await download(root, key, list, resolved, signal, emit);
    } finally {
      await release();
    }
  });
}

/** Lists the verified files in the cache with the URLs they came from. */
export async function cacheList(root: string = cacheDir()): Promise<CacheEntry[]> {
  let names: string[];
  try {
    names = await readdir(join(root, 'blobs', 'sha256'));
  } catch {
    return [];
  }
  const urls = new Map<string, string[]>();
  let refs: string[] = [];
  try {
    refs = await readdir(join(root, 'refs'));
  } catch {
    refs = [];
  }
  for (const name of refs) {
    if (!name.endsWith('.json')) continue;
    const ref = await readJson<RefRecord>(join(root, 'refs', name));
    if (ref && typeof ref.sha256 === 'string')
      urls.set(ref.sha256, [...(urls.get(ref.sha256) ?? []), ref.url]);
  }
  const entries: CacheEntry[] = [];
  for (const name of names.filter((n) => HEX64.test(n)).sort()) {
    const path = cachedBlobPath(name, root);
    const info = await stat(path);
    entries.push({
      sha256: name,
      path,
      size: info.size,
      urls: (urls.get(name) ?? []).sort(),
      modified: info.mtime,
    });
  }
  return entries;
}

/**
 * Removes cached files and returns how many bytes were freed. Without `sha256` it removes every
 * verified file, every partial download and every URL record (locks held by live downloads stay).
 */
export async function cacheClear(options: CacheClearOptions = {}): Promise<number> {
  const root = options.cacheDir ?? cacheDir();
  const entries = await cacheList(root);
  const selected = options.sha256 ? new Set(options.sha256.map((h) => h.toLowerCase())) : undefined;
  let freed = 0;
  for (const entry of entries) {
    if (selected && !selected.has(entry.sha256)) continue;
    await rm(entry.path, { force: true });
    freed += entry.size;
  }
  let refs: string[] = [];
  try {
    refs = await readdir(join(root, 'refs'));
  } catch {
    refs = [];
  }
  for (const name of refs) {
    const path = join(root, 'refs', name);
    const ref = await readJson<RefRecord>(path);
    if (!selected || (ref && selected.has(ref.sha256))) await rm(path, { force: true });
  }
  if (!selected) {
    let partials: string[] = [];
    try {
      partials = await readdir(join(root, 'partial'));
    } catch {
      partials = [];
    }
    for (const name of partials) {
      const path = join(root, 'partial', name);
      const lock = join(root, 'locks', `${name.replace(/\.partial(\.json)?$/, '')}.lock`);
      if (await exists(lock)) continue;
      freed += (await stat(path)).size;
      await rm(path, { force: true });
    }
  }
  return freed;
}
