/**
 * What the Node file cache (`cache-node.ts`) and the browser Cache API cache (`cache-browser.ts`)
 * share, so both follow one set of rules: URL and hash validation, the sha256 check, retries with
 * exponential backoff over mirrors, the errors they end in, and one shared transfer per file for
 * concurrent callers (each with its own progress listener and abort signal).
 */
import { invalidArgument, ZooError } from '../errors.js';
import type { FetchCachedOptions, FetchProgress } from './cache.js';

/** A full lowercase sha256. */
export const HEX64 = /^[0-9a-f]{64}$/;
/** A lowercase sha256 prefix. */
export const HEX_PREFIX = /^[0-9a-f]{4,64}$/;

/** A validated request: URLs with `{revision}` filled in, lowercase hashes. */
export interface CacheRequest {
  list: string[];
  sha256?: string;
  prefix?: string;
  /** The options with the lowercase hashes. */
  options: FetchCachedOptions;
}

/** Validates the URLs and hashes of a request (`file:` URLs only where `allowFile`). */
export function resolveRequest(
  urls: string | readonly string[],
  options: FetchCachedOptions,
  allowFile: boolean,
): CacheRequest {
  const revision = options.revision ?? 'main';
  const list = (typeof urls === 'string' ? [urls] : [...urls]).map((url) =>
    url.replaceAll('{revision}', revision),
  );
  const pattern = allowFile ? /^(https?|file):\/\// : /^https?:\/\//;
  if (list.length === 0 || !list.every((url) => pattern.test(url))) {
    throw invalidArgument(
      'urls',
      urls,
      allowFile ? 'one or more http(s) or file: URLs' : 'one or more http(s) URLs',
    );
  }
  const sha256 = options.sha256?.toLowerCase();
  const prefix = options.sha256Prefix?.toLowerCase();
  if (sha256 !== undefined && !HEX64.test(sha256))
    throw invalidArgument('options.sha256', options.sha256, '64 hex digits');
  if (prefix !== undefined && !HEX_PREFIX.test(prefix)) {
    throw invalidArgument('options.sha256Prefix', options.sha256Prefix, '4 to 64 hex digits');
  }
  const resolved: FetchCachedOptions = { ...options };
  if (sha256 !== undefined) resolved.sha256 = sha256;
  if (prefix !== undefined) resolved.sha256Prefix = prefix;
  const request: CacheRequest = { list, options: resolved };
  if (sha256 !== undefined) request.sha256 = sha256;
  if (prefix !== undefined) request.prefix = prefix;
  return request;
}

/** True when a file's hash is the expected one (full hash and/or published prefix). */
export function digestMatches(hash: string, sha256?: string, prefix?: string): boolean {
  return (sha256 === undefined || hash === sha256) && (prefix === undefined || hash.startsWith(prefix));
}

/** The error of a wrong hash: not retried on the same URL, the next mirror is tried. */
export function checksumError(hash: string, options: FetchCachedOptions): RetryableError {
  return new RetryableError(
    `sha256 ${hash} does not match the expected ${options.sha256 ?? `${options.sha256Prefix}…`}`,
    false,
    'CHECKSUM_MISMATCH',
  );
}

/** `ZooError` `ABORTED`. */
export function abortError(reason?: unknown): ZooError {
  return new ZooError('ABORTED', 'the download was aborted', { cause: reason });
}

/** Waits, or rejects with `ABORTED` when the signal aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
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

/** A failed attempt: `retryable` ones are tried again on the same URL after a backoff. */
export class RetryableError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly code: 'NETWORK' | 'CHECKSUM_MISMATCH' | 'NOT_FOUND' = 'NETWORK',
  ) {
    super(message);
  }
}

/** The failure of an HTTP answer that is neither 200 nor 206. */
export function httpError(response: Response): RetryableError {
  const retryable =
    response.status >= 500 || response.status === 408 || response.status === 429 || response.status === 416;
  return new RetryableError(
    `HTTP ${response.status} ${response.statusText}`,
    retryable,
    response.status === 404 ? 'NOT_FOUND' : 'NETWORK',
  );
}

/**
 * Tries `attempt` on each URL in order, retrying retryable failures with exponential backoff
 * (`options.retries`, `options.retryDelayMs`); the first success wins.
 *
 * @throws {@link ZooError} `CHECKSUM_MISMATCH` when a URL served wrong bytes and none served the
 * right ones, `NOT_FOUND` when every URL answered 404, else `NETWORK`; `ABORTED` on abort.
 */
export async function tryMirrors<T>(
  urls: readonly string[],
  options: FetchCachedOptions,
  signal: AbortSignal,
  attempt: (url: string) => Promise<T>,
): Promise<T> {
  const retries = options.retries ?? 4;
  const baseDelay = options.retryDelayMs ?? 500;
  const failures: string[] = [];
  let checksumFailure = false;
  let notFound = 0;
  for (const url of urls) {
    // A file that fails its hash is fetched once more from byte 0 (the attempt discards what it
    // had) before the URL counts as bad: the bytes kept from a resumed attempt, or a bad leftover
    // partial file, may be what was wrong.
    let freshRetry = true;
    for (let tries = 0; tries <= retries; tries++) {
      if (tries > 0) await sleep(baseDelay * 2 ** (tries - 1), signal);
      try {
        return await attempt(url);
      } catch (error) {
        if (error instanceof ZooError && error.code === 'ABORTED') throw error;
        if (signal.aborted) throw abortError(signal.reason);
        const message = error instanceof Error ? error.message : String(error);
        if (error instanceof RetryableError) {
          if (error.code === 'CHECKSUM_MISMATCH' && freshRetry) {
            freshRetry = false;
            tries--; // the fresh retry does not use up a network retry
            continue;
          }
          if (error.code === 'CHECKSUM_MISMATCH') checksumFailure = true;
          if (error.code === 'NOT_FOUND') notFound++;
          if (!error.retryable) {
            failures.push(`${url}: ${message}`);
            break;
          }
          if (tries === retries) failures.push(`${url}: ${message} (after ${retries + 1} attempts)`);
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

/** A transfer shared by every concurrent caller for one file. */
export interface InFlight<T> {
  promise: Promise<T>;
  controller: AbortController;
  waiters: number;
  listeners: Set<(progress: FetchProgress) => void>;
}

/**
 * Joins the transfer registered under `key` in `inFlight`, or starts it with `start`. The
 * caller's `onProgress` hears the shared transfer; its `signal` cancels only its own wait, and the
 * transfer stops once every waiting caller has aborted.
 */
export async function shareTransfer<T>(
  inFlight: Map<string, InFlight<T>>,
  key: string,
  options: FetchCachedOptions,
  start: (signal: AbortSignal, emit: (progress: FetchProgress) => void) => Promise<T>,
): Promise<T> {
  let entry = inFlight.get(key);
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
    const promise = start(controller.signal, emit);
    entry = { promise, controller, waiters: 0, listeners };
    inFlight.set(key, entry);
    const current = entry;
    promise.then(
      () => inFlight.get(key) === current && inFlight.delete(key),
      () => inFlight.get(key) === current && inFlight.delete(key),
    );
  }
  const shared = entry;
  shared.waiters++;
  if (options.onProgress) shared.listeners.add(options.onProgress);
  const signal = options.signal;
  try {
    if (!signal) return await shared.promise;
    return await new Promise<T>((resolve, reject) => {
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
