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
import { invalidArgument, ZooError } from '../errors.js';
import { getPretrainedConfig } from '../registry.js';

/** A progress event of {@link fetchCached}. */
export interface FetchProgress {
  /** URL being transferred. */
  url: string;
  /** Bytes of the file on disk so far (resumed bytes included). */
  loaded: number;
  /** File size, when the server announced it. */
  total?: number;
  /** Bytes that were already on disk when this transfer resumed. */
  resumedFrom: number;
}

/** Options of {@link fetchCached}. */
export interface FetchCachedOptions {
  /** Expected full sha256 (64 hex digits). The file is stored under it. */
  sha256?: string;
  /** Expected sha256 prefix (e.g. the 8–10 hex digits in torchvision file names), when the full hash is unknown. */
  sha256Prefix?: string;
  /** Replaces `{revision}` in the URLs (Hugging Face `resolve/{revision}/…`); default `main`. */
  revision?: string;
  /** Called as bytes arrive. */
  onProgress?: (progress: FetchProgress) => void;
  /** Cancels this caller's wait (the shared transfer stops once every caller has aborted). */
  signal?: AbortSignal;
  /** A transfer that receives no bytes for this long is aborted and retried (default 30 000 ms). */
  timeoutMs?: number;
  /** Retries per URL after network errors, time-outs and 5xx answers (default 4). */
  retries?: number;
  /** First backoff delay; each retry doubles it (default 500 ms). */
  retryDelayMs?: number;
  /** Cache root; default {@link cacheDir}(). */
  cacheDir?: string;
  /** Serve from the cache only; default `process.env.TFZOO_OFFLINE === '1'`. */
  offline?: boolean;
  /** How a user can fetch the file, added to the offline error (e.g. `` `tfzoo download resnet50.tv_in1k` ``). */
  hint?: string;
  /** A lock whose heartbeat is older than this is considered abandoned (default 30 000 ms). */
  lockStaleMs?: number;
}

/** One file in the cache, as {@link cacheList} reports it. */
export interface CacheEntry {
  /** Full sha256 of the file. */
  sha256: string;
  /** Absolute path of the file. */
  path: string;
  /** Size in bytes. */
  size: number;
  /** URLs the file was fetched from. */
  urls: string[];
  /** When the file was last written to the cache. */
  modified: Date;
}

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

const HEX64 = /^[0-9a-f]{64}$/;
const HEX_PREFIX = /^[0-9a-f]{4,64}$/;

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

function abortError(reason?: unknown): ZooError {
  return new ZooError('ABORTED', 'the download was aborted', { cause: reason });
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal.reason));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(signal?.reason));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
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

class RetryableError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly code: 'NETWORK' | 'CHECKSUM_MISMATCH' | 'NOT_FOUND' = 'NETWORK',
  ) {
    super(message);
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
      const retryable =
        response.status >= 500 ||
        response.status === 408 ||
        response.status === 429 ||
        response.status === 416;
      if (response.status === 416) await rm(partial, { force: true });
      throw new RetryableError(
        `HTTP ${response.status} ${response.statusText}`,
        retryable,
        response.status === 404 ? 'NOT_FOUND' : 'NETWORK',
      );
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
  const retries = options.retries ?? 4;
  const baseDelay = options.retryDelayMs ?? 500;
  const failures: string[] = [];
  let checksumFailure = false;
  let notFound = 0;
  const pinned = options.sha256 !== undefined || options.sha256Prefix !== undefined;
  for (const url of urls) {
    // A file that fails its hash is fetched once more from byte 0 before the URL counts as bad:
    // the bytes kept from a resumed attempt (or a bad leftover .partial) may be what was wrong.
    let freshRetry = true;
    for (let attempt = 0; attempt <= retries; attempt++) {
      if (attempt > 0) await sleep(baseDelay * 2 ** (attempt - 1), signal);
      try {
        const result = await transfer(url, { root, partial, meta, options, signal, progress });
        const hash = await hashFile(partial);
        if (
          (options.sha256 && hash !== options.sha256) ||
          (options.sha256Prefix && !hash.startsWith(options.sha256Prefix))
        ) {
          await rm(partial, { force: true });
          await rm(meta, { force: true });
          const retry = freshRetry;
          freshRetry = false;
          if (retry) attempt--; // the fresh retry does not use up a network retry
          throw new RetryableError(
            `sha256 ${hash} does not match the expected ${options.sha256 ?? `${options.sha256Prefix}…`}${result.resumedFrom > 0 ? ` (after resuming at byte ${result.resumedFrom})` : ''}`,
            retry,
            'CHECKSUM_MISMATCH',
          );
        }
        const final = cachedBlobPath(hash, root);
        await rename(partial, final);
        await rm(meta, { force: true });
        // Without a hash or an announced length nothing confirms that the body was complete (a
        // connection closed early looks like its end): the file serves this call but is not
        // recorded as the URL's content, so the next call downloads it again.
        if (!pinned && result.total === undefined) return final;
        const size = (await stat(final)).size;
        for (const source of new Set([urls[0]!, url])) {
          const record: RefRecord = { url: source, sha256: hash, size, savedAt: new Date().toISOString() };
          if (options.revision) record.revision = options.revision;
          await writeJsonAtomic(refPath(root, source), record);
        }
        return final;
      } catch (error) {
        if (error instanceof ZooError && error.code === 'ABORTED') throw error;
        if (signal.aborted) throw abortError(signal.reason);
        const message = error instanceof Error ? error.message : String(error);
        if (error instanceof RetryableError) {
          if (error.code === 'CHECKSUM_MISMATCH') checksumFailure = true;
          if (error.code === 'NOT_FOUND') notFound++;
          if (!error.retryable) {
            failures.push(`${url}: ${message}`);
            break;
          }
          if (attempt === retries) failures.push(`${url}: ${message} (after ${retries + 1} attempts)`);
          continue;
        }
        throw error;
      }
    }
  }
  const code = checksumFailure ? 'CHECKSUM_MISMATCH' : notFound === urls.length ? 'NOT_FOUND' : 'NETWORK';
  throw new ZooError(code, `could not download a verified copy of ${urls[0]}: ${failures.join('; ')}`, {
    received: failures,
    expected: options.sha256 ? `a file with sha256 ${options.sha256}` : 'a successful download',
  });
}

interface InFlight {
  promise: Promise<string>;
  controller: AbortController;
  waiters: number;
  listeners: Set<(progress: FetchProgress) => void>;
}

const inFlight = new Map<string, InFlight>();

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
  const revision = options.revision ?? 'main';
  const list = (typeof urls === 'string' ? [urls] : [...urls]).map((url) =>
    url.replaceAll('{revision}', revision),
  );
  if (list.length === 0 || !list.every((url) => /^(https?|file):\/\//.test(url))) {
    throw invalidArgument('urls', urls, 'one or more http(s) or file: URLs');
  }
  const sha256 = options.sha256?.toLowerCase();
  const prefix = options.sha256Prefix?.toLowerCase();
  if (sha256 !== undefined && !HEX64.test(sha256))
    throw invalidArgument('options.sha256', options.sha256, '64 hex digits');
  if (prefix !== undefined && !HEX_PREFIX.test(prefix)) {
    throw invalidArgument('options.sha256Prefix', options.sha256Prefix, '4 to 64 hex digits');
  }
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
    if ((sha256 === undefined || actual === sha256) && (prefix === undefined || actual.startsWith(prefix)))
      return path;
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
  const resolved: FetchCachedOptions = { ...options };
  if (sha256 !== undefined) resolved.sha256 = sha256;
  if (prefix !== undefined) resolved.sha256Prefix = prefix;
  const root = options.cacheDir ?? cacheDir();
  const hit = await lookup(root, list, sha256, prefix);
  if (hit) return hit;
  if (options.offline ?? process.env.TFZOO_OFFLINE === '1') throw offlineError(root, list, resolved);
  if (options.signal?.aborted) throw abortError(options.signal.reason);

  const key = sha256 ?? sha256Hex(`${list[0]}\n${prefix ?? ''}`);
  const mapKey = `${root}\n${key}`;
  let entry = inFlight.get(mapKey);
  if (!entry) {
    const controller = new AbortController();
    const listeners = new Set<(progress: FetchProgress) => void>();
    const emit = (progress: FetchProgress) => {
      for (const listener of listeners) {
        try {
          listener(progress);
        } catch {
          /* a listener's error must not break the transfer */
        }
      }
    };
    const promise = (async () => {
      await mkdir(join(root, 'locks'), { recursive: true });
      const release = await acquireLock(
        join(root, 'locks', `${key}.lock`),
        options.lockStaleMs ?? 30_000,
        controller.signal,
      );
      try {
        const cached = await lookup(root, list, sha256, prefix);
        if (cached) return cached;
        return await download(root, key, list, resolved, controller.signal, emit);
      } finally {
        await release();
      }
    })();
    entry = { promise, controller, waiters: 0, listeners };
    inFlight.set(mapKey, entry);
    const current = entry;
    promise.then(
      () => inFlight.get(mapKey) === current && inFlight.delete(mapKey),
      () => inFlight.get(mapKey) === current && inFlight.delete(mapKey),
    );
  }
  const shared = entry;
  shared.waiters++;
  if (options.onProgress) shared.listeners.add(options.onProgress);
  const signal = options.signal;
  try {
    if (!signal) return await shared.promise;
    return await new Promise<string>((resolve, reject) => {
      const onAbort = () => {
        reject(abortError(signal.reason));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      shared.promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  } finally {
    shared.waiters--;
    if (options.onProgress) shared.listeners.delete(options.onProgress);
    if (shared.waiters === 0 && signal?.aborted) shared.controller.abort(signal.reason);
  }
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

/** What {@link cacheVerify} found. */
export interface CacheVerifyReport {
  /** Files re-hashed. */
  checked: number;
  /** Bytes re-hashed. */
  bytes: number;
  /** Files whose content no longer hashes to their name (removed when `remove` was set). */
  corrupt: CacheEntry[];
}

/**
 * Re-hashes every verified file of the cache against its name (a file is stored under its sha256),
 * as `tfzoo download --verify` does. With `remove`, corrupt files and the URL records pointing at
 * them are deleted, so the next fetch downloads them again.
 */
export async function cacheVerify(
  options: { cacheDir?: string; remove?: boolean; onFile?: (entry: CacheEntry, ok: boolean) => void } = {},
): Promise<CacheVerifyReport> {
  const root = options.cacheDir ?? cacheDir();
  const report: CacheVerifyReport = { checked: 0, bytes: 0, corrupt: [] };
  for (const entry of await cacheList(root)) {
    const ok = (await hashFile(entry.path)) === entry.sha256;
    report.checked++;
    report.bytes += entry.size;
    if (!ok) report.corrupt.push(entry);
    options.onFile?.(entry, ok);
  }
  if (options.remove && report.corrupt.length > 0) {
    await cacheClear({ cacheDir: root, sha256: report.corrupt.map((entry) => entry.sha256) });
  }
  return report;
}

/** Options of {@link cacheClear}. */
export interface CacheClearOptions {
  /** Cache root; default {@link cacheDir}(). */
  cacheDir?: string;
  /** Remove only these files (full sha256s); default everything, partial downloads included. */
  sha256?: readonly string[];
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

/** Options of {@link prefetch}. */
export type PrefetchOptions = Omit<FetchCachedOptions, 'sha256' | 'sha256Prefix' | 'revision' | 'hint'>;

/** What {@link prefetch} fetched. */
export interface PrefetchResult {
  /** Pretrained id, `arch.tag`. */
  id: string;
  /** Local path of the verified file. */
  path: string;
}

/**
 * Downloads the weight files of registered pretrained ids (`arch.tag`, or `arch` for its default
 * tag) into the cache, one after another, so later loads work offline.
 *
 * @throws {@link ZooError} `UNKNOWN_MODEL` for an unknown id, or the first download failure.
 */
export async function prefetch(
  ids: string | readonly string[],
  options: PrefetchOptions = {},
): Promise<PrefetchResult[]> {
  const list = typeof ids === 'string' ? [ids] : [...ids];
  const configs = list.map((id) => getPretrainedConfig(id));
  const results: PrefetchResult[] = [];
  for (const config of configs) {
    const { source } = config;
    const fetchOptions: FetchCachedOptions = { ...options, hint: `\`tfzoo download ${config.id}\`` };
    if (source.sha256) fetchOptions.sha256 = source.sha256;
    if (source.sha256Prefix) fetchOptions.sha256Prefix = source.sha256Prefix;
    if (source.revision) fetchOptions.revision = source.revision;
    const path = await fetchCached([source.url, ...(source.mirrors ?? [])], fetchOptions);
    results.push({ id: config.id, path });
  }
  return results;
}
