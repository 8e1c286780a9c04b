/**
 * Downloads through `@tfzoo/core`'s verified cache (`fetchCached`: mirrors tried in order, sha256
 * checked before the file is used), plus an md5 check where upstream publishes one.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fetchCached, ZooError } from '@tfzoo/core';
import type { RemoteFile } from './resources.js';

/** Progress of a download, as reported by the cache. */
export interface DownloadProgress {
  /** Bytes received so far. */
  loaded: number;
  /** Total bytes, when known. */
  total?: number;
}

/** The signature of `fetchCached` from `@tfzoo/core`: URL(s) in, verified local path out. */
export type Fetcher = (
  url: string | readonly string[],
  options: {
    sha256?: string;
    sha256Prefix?: string;
    onProgress?: (progress: DownloadProgress) => void;
    signal?: AbortSignal;
    cacheDir?: string;
  },
) => Promise<string>;

/** Options shared by every loader that may download. */
export interface DownloadOptions {
  /** Cache directory (default: the core cache's default). */
  cacheDir?: string;
  /** Download progress. */
  onProgress?: (progress: DownloadProgress) => void;
  /** Cancels the download. */
  signal?: AbortSignal;
  /** Replaces core's `fetchCached` (e.g. an in-house mirror or a test double). */
  fetcher?: Fetcher;
}

/**
 * The cache root when no `cacheDir` is given, the same as core's: `$TFZOO_HOME`, else
 * `~/.cache/tfzoo`. Extracted archives (Imagenette) go under `<root>/datasets/`.
 */
export function defaultCacheDir(): string {
  const home = process.env.TFZOO_HOME;
  return home && home.length > 0 ? home : join(homedir(), '.cache', 'tfzoo');
}

/** The md5 of a file, lowercase hex. */
export async function md5File(path: string): Promise<string> {
  const hash = createHash('md5');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Fetches a {@link RemoteFile} into the cache and returns its local path, verified by sha256 (by the
 * cache) and by md5 when one is recorded.
 *
 * @throws {@link @tfzoo/core!ZooError} `CHECKSUM_MISMATCH` naming the file when the md5 differs; the cache's
 * errors (`NETWORK`, `OFFLINE`, `CHECKSUM_MISMATCH`, `ABORTED`) pass through.
 */
export async function downloadFile(file: RemoteFile, options: DownloadOptions = {}): Promise<string> {
  const fetcher = options.fetcher ?? fetchCached;
  const path = await fetcher(file.urls, {
    sha256: file.sha256,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}),
  });
  if (file.md5 !== undefined) {
    const md5 = await md5File(path);
    if (md5 !== file.md5) {
      throw new ZooError(
        'CHECKSUM_MISMATCH',
        `${file.fileName} at ${path} has md5 ${md5}; expected ${file.md5}`,
        {
          received: md5,
          expected: file.md5,
        },
      );
    }
  }
  return path;
}
