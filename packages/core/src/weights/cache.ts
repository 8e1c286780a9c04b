/**
 * The verified download cache: the options, progress events and entries both platforms share, and
 * {@link prefetch}. The cache itself is platform code behind the package's `node` / `browser`
 * condition: files under `$TFZOO_HOME` in Node (`cache-node.ts`), the Cache API in browsers
 * (`cache-browser.ts`); both verify sha256 by the same rules (`cache-common.ts`).
 */

import { cacheClear, cacheList, fetchCached, hashFile } from '#weights-platform';
import { getPretrainedConfig } from '../registry.js';

export { cacheClear, cacheDir, cachedBlobPath, cacheList, fetchCached, hashFile } from '#weights-platform';

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

/** Options of {@link cacheClear}. */
export interface CacheClearOptions {
  /** Cache root; default {@link cacheDir}(). */
  cacheDir?: string;
  /** Remove only these files (full sha256s); default everything, partial downloads included. */
  sha256?: readonly string[];
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

/** What {@link cacheVerify} found. */
export interface CacheVerifyReport {
  /** Files re-hashed. */
  checked: number;
  /** Bytes re-hashed. */
  bytes: number;
  /** Files whose content no longer hashes to their name (removed when `remove` was set). */
  corrupt: CacheEntry[];
}

/** Options of {@link cacheVerify}. */
export interface CacheVerifyOptions {
  /** Cache root; default the platform's cache. */
  cacheDir?: string;
  /** Delete corrupt files and the URL records pointing at them, so the next fetch downloads them again. */
  remove?: boolean;
  /** Called after each file with whether it is intact. */
  onFile?: (entry: CacheEntry, ok: boolean) => void;
}

/**
 * Re-hashes every verified file of the cache against the sha256 it is stored under, as `tfzoo
 * download --verify` does.
 */
export async function cacheVerify(options: CacheVerifyOptions = {}): Promise<CacheVerifyReport> {
  const report: CacheVerifyReport = { checked: 0, bytes: 0, corrupt: [] };
  for (const entry of await cacheList(options.cacheDir)) {
    const ok = (await hashFile(entry.path)) === entry.sha256;
    report.checked++;
    report.bytes += entry.size;
    if (!ok) report.corrupt.push(entry);
    options.onFile?.(entry, ok);
  }
  if (options.remove && report.corrupt.length > 0) {
    await cacheClear({
      ...(options.cacheDir !== undefined ? { cacheDir: options.cacheDir } : {}),
      sha256: report.corrupt.map((entry) => entry.sha256),
    });
  }
  return report;
}
