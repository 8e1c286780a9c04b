/**
 * What weight I/O (and the thread default's core count) needs from Node, reached as `#weights-platform` under the `node` condition of
 * `@tfzoo/core`'s `imports` map; `platform-browser.ts` is its twin for browsers. Everything else in
 * `weights/` is one code path for both.
 */
import { rename, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';

export { mkdir, readFile } from 'node:fs/promises';
export { basename, dirname, join } from 'node:path';
export { inflateRawSync } from 'node:zlib';
export { cacheClear, cacheDir, cachedBlobPath, cacheList, fetchCached, hashFile } from './cache-node.js';
export { readSource, type SourceContent } from './read-node.js';

/** Writes a file under a temporary name, then renames it into place. */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const temporary = `${path}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(temporary, data);
  await rename(temporary, path);
}

/** Logical cores of this machine (`os.availableParallelism()`), for thread-count defaults. */
export function logicalCores(): number {
  return availableParallelism();
}
