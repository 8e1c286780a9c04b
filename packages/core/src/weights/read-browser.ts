/**
 * The browser's side of {@link readRawWeights}: a string source is an `http(s)` URL (relative URLs
 * resolve against the page), fetched through the Cache API cache; a `model.json` reads its shards
 * from beside it. File paths need Node.
 */
import { describeValue, ZooError } from '../errors.js';
import type { FetchCachedOptions } from './cache.js';
import { fetchCached, isCacheKey, readCached } from './cache-browser.js';
import type { RawTensorMap } from './raw.js';
import { detectWeightFormat } from './read.js';
import { readTfjsWeights } from './tfjs.js';

/** The bytes behind a string source, or the tensors of a TF.js model read with its shards. */
export type SourceContent = { bytes: Uint8Array; fileName: string } | { tensors: RawTensorMap };

function absolute(source: string): string | undefined {
  try {
    const base = typeof location === 'undefined' ? undefined : location.href;
    const url = new URL(source, base);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

/** Reads a URL through the cache: the file's bytes, or for a `model.json` the tensors. */
export async function readSource(source: string, fetch?: FetchCachedOptions): Promise<SourceContent> {
  const url = absolute(source);
  if (url === undefined) {
    throw new ZooError(
      'UNSUPPORTED',
      `weight source ${describeValue(source)} is a file path; in a browser pass an http(s) URL or the file's bytes`,
      {
        received: source,
        expected: 'an http(s) URL or a Uint8Array',
      },
    );
  }
  const fileName = decodeURIComponent(new URL(url).pathname.split('/').pop() || 'weights');
  // A key fetchCached returned (createModel fetches first, then loads) is read as it is.
  const key = isCacheKey(url) ? url : await fetchCached(url, fetch);
  const bytes = await readCached(key, fetch?.cacheDir);
  if (detectWeightFormat(bytes) !== 'tfjs') return { bytes, fileName };
  const tensors = await readTfjsWeights(
    bytes,
    async (shard) => {
      const shardUrl = new URL(shard, url);
      if (shardUrl.origin !== new URL(url).origin) {
        throw new ZooError(
          'UNSAFE_FILE',
          `${fileName} names shard ${describeValue(shard)} outside its origin`,
        );
      }
      const shardOptions: FetchCachedOptions = { ...fetch };
      delete shardOptions.sha256;
      delete shardOptions.sha256Prefix;
      return readCached(await fetchCached(shardUrl.href, shardOptions), fetch?.cacheDir);
    },
    fileName,
  );
  return { tensors };
}
