/**
 * The browser twin of `platform-node.ts`, reached as `#weights-platform` under every condition
 * but `node`: the Cache API cache, URL sources, inflate from `fflate`, and file-system functions
 * that say clearly that they need Node. Everything else in `weights/` is one code path for both.
 */
import { inflateSync } from 'fflate';
import { ZooError } from '../errors.js';

export {
  cacheClear,
  cacheDir,
  cachedBlobPath,
  cacheList,
  fetchCached,
  hashFile,
  readCached,
} from './cache-browser.js';
export { readSource, type SourceContent } from './read-browser.js';

/** Inflates a raw DEFLATE stream (ZIP entries of `.pth` files). */
export function inflateRawSync(bytes: Uint8Array): Uint8Array {
  return inflateSync(bytes);
}

function needsNode(what: string, path: string): ZooError {
  return new ZooError(
    'UNSUPPORTED',
    `${what} ${path} needs Node's file system; in a browser use bytes or URLs`,
    {
      received: path,
    },
  );
}

/** Unavailable in browsers: throws `UNSUPPORTED`. */
export async function readFile(path: string): Promise<Uint8Array> {
  throw needsNode('reading', path);
}

/** Unavailable in browsers: throws `UNSUPPORTED`. */
export async function mkdir(path: string, _options?: { recursive?: boolean }): Promise<void> {
  throw needsNode('creating directory', path);
}

/** Unavailable in browsers: throws `UNSUPPORTED`. */
export async function writeFileAtomic(path: string, _data: Uint8Array | string): Promise<void> {
  throw needsNode('writing', path);
}

/** The last segment of a `/`-separated path. */
export function basename(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

/** Everything before the last segment of a `/`-separated path (`.` when there is none). */
export function dirname(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  const at = trimmed.lastIndexOf('/');
  return at < 0 ? '.' : at === 0 ? '/' : trimmed.slice(0, at);
}

/** Joins path segments with `/`. */
export function join(...parts: string[]): string {
  return parts
    .filter((part) => part.length > 0)
    .join('/')
    .replace(/\/{2,}/g, '/');
}

/**
 * Cores for the wasm thread default: 1 in browsers, where `@tfzoo/wasm-training`'s Node thread
 * loader does not apply and tfjs-backend-wasm's own threads need cross-origin isolation.
 */
export function logicalCores(): number {
  return 1;
}
