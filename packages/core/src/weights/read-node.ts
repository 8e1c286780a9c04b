/**
 * Node's side of {@link readRawWeights}: a string source is a file path, a directory holding
 * `model.json`, or an `http(s)` URL fetched through the file cache.
 */
import { readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { describeValue, ZooError } from '../errors.js';
import type { FetchCachedOptions } from './cache.js';
import { fetchCached } from './cache-node.js';
import type { RawTensorMap } from './raw.js';
import { detectWeightFormat } from './read.js';
import { readTfjsModelFile } from './tfjs.js';

/** The bytes behind a string source, or the tensors of a TF.js model read with its shards. */
export type SourceContent = { bytes: Uint8Array; fileName: string } | { tensors: RawTensorMap };

/** True for `http(s)` URLs. */
export function isUrl(source: string): boolean {
  return /^https?:\/\//i.test(source);
}

/** Reads a path or URL: the file's bytes, or for a `model.json` (or its directory) the tensors. */
export async function readSource(source: string, fetch?: FetchCachedOptions): Promise<SourceContent> {
  let path = source;
  if (isUrl(source)) path = await fetchCached(source, fetch);
  const fileName = basename(isUrl(source) ? new URL(source).pathname : source);
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch (error) {
    throw new ZooError('NOT_FOUND', `weight file ${describeValue(source)} does not exist`, {
      received: source,
      cause: error,
    });
  }
  if (info.isDirectory()) return { tensors: await readTfjsModelFile(join(path, 'model.json')) };
  const bytes = await readFile(path);
  if (detectWeightFormat(bytes) === 'tfjs') return { tensors: await readTfjsModelFile(path) };
  return { bytes, fileName };
}
