/**
 * One entry point for every weight file format tfzoo reads, detected by content: safetensors,
 * PyTorch `.pth` (ZIP, legacy pickle stream, tar) and TF.js `model.json` with its shards.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { readSource } from '#weights-platform';
import { describeValue, invalidArgument, ZooError } from '../errors.js';
import { isTar, isZip } from './archive.js';
import { hex } from './bytes.js';
import type { FetchCachedOptions } from './cache.js';
import { type RawTensorMap, rawToTensor, type TensorDTypePolicy } from './raw.js';
import { isSafetensors, readSafetensors } from './safetensors.js';
import { looksLikeJson, readTfjsWeights, type ShardLoader } from './tfjs.js';
import { isLegacyTorch, readTorchCheckpoint } from './torch.js';

/** A detected weight file format. */
export type DetectedFormat = 'safetensors' | 'pth-zip' | 'pth-legacy' | 'pth-tar' | 'tfjs';

/** Detects the format of a weight file from its first bytes, or undefined. */
export function detectWeightFormat(bytes: Uint8Array): DetectedFormat | undefined {
  if (isZip(bytes)) return 'pth-zip';
  if (isLegacyTorch(bytes)) return 'pth-legacy';
  if (isTar(bytes)) return 'pth-tar';
  if (isSafetensors(bytes)) return 'safetensors';
  if (looksLikeJson(bytes)) return 'tfjs';
  return undefined;
}

/** Options of {@link readRawWeights} and {@link readWeightFile}. */
export interface ReadWeightsOptions {
  /** Name used in error messages (default: the file name, or `weights`). */
  fileName?: string;
  /** For training checkpoints: the key of the state dict (see `TorchReadOptions.stateDictKey`). */
  stateDictKey?: string;
  /** For a `model.json` given as bytes: reads its shards. */
  loadShard?: ShardLoader;
  /** For URL sources: options of the download (`sha256`, `onProgress`, …). */
  fetch?: FetchCachedOptions;
}

/** Options of {@link readWeightFile}. */
export interface ReadWeightFileOptions extends ReadWeightsOptions {
  /** `native` (default) keeps integers as int32 and BOOL as bool; `float32` converts everything. */
  dtype?: TensorDTypePolicy;
  /** Only tensors whose name passes this filter become TF.js tensors. */
  include?: (name: string) => boolean;
}

/**
 * Reads a weight file into raw tensors (typed arrays, dtypes and shapes; no TF.js tensors).
 * `source` is a path, an `http(s)` URL (fetched through the verified cache), a directory holding
 * `model.json`, or the file's bytes. In browsers a string source must be an `http(s)` URL (cached
 * with the Cache API); a `model.json` URL reads its shards beside it.
 *
 * @throws {@link ZooError} `CORRUPT_FILE`, `UNSAFE_FILE`, `UNSUPPORTED` or `NOT_FOUND`.
 */
export async function readRawWeights(
  source: string | Uint8Array,
  options: ReadWeightsOptions = {},
): Promise<RawTensorMap> {
  let bytes: Uint8Array;
  let fileName = options.fileName ?? 'weights';
  if (typeof source === 'string') {
    const content = await readSource(source, options.fetch);
    if ('tensors' in content) return content.tensors;
    bytes = content.bytes;
    fileName = options.fileName ?? content.fileName;
  } else if (source instanceof Uint8Array) {
    bytes = source;
  } else {
    throw invalidArgument('source', source, 'a path, an http(s) URL or a Uint8Array');
  }
  try {
    return await parseWeights(bytes, fileName, options);
  } catch (error) {
    if (error instanceof ZooError) throw error;
    // A safety net: whatever a parser did not anticipate is still reported as a corrupt file.
    throw new ZooError(
      'CORRUPT_FILE',
      `${fileName} could not be parsed: ${(error as Error)?.message ?? String(error)}`,
      {
        cause: error,
      },
    );
  }
}

async function parseWeights(
  bytes: Uint8Array,
  fileName: string,
  options: ReadWeightsOptions,
): Promise<RawTensorMap> {
  const format = detectWeightFormat(bytes);
  switch (format) {
    case 'safetensors':
      return readSafetensors(bytes, fileName).tensors;
    case 'pth-zip':
    case 'pth-legacy':
    case 'pth-tar': {
      const torchOptions: { fileName: string; stateDictKey?: string } = { fileName };
      if (options.stateDictKey !== undefined) torchOptions.stateDictKey = options.stateDictKey;
      return readTorchCheckpoint(bytes, torchOptions);
    }
    case 'tfjs':
      if (!options.loadShard) {
        throw new ZooError(
          'INVALID_ARGUMENT',
          `${fileName} is a model.json given as bytes; pass options.loadShard to read its shards`,
          {
            expected: 'a path to model.json, or options.loadShard',
          },
        );
      }
      return readTfjsWeights(bytes, options.loadShard, fileName);
    default:
      throw new ZooError(
        'CORRUPT_FILE',
        `${fileName} is not a weight file tfzoo can read (${bytes.length} bytes, starting ${describeValue(hex(bytes.subarray(0, 8)))})`,
        {
          received: fileName,
          expected: 'safetensors, a PyTorch .pth (zip, legacy or tar) or a TF.js model.json',
        },
      );
  }
}

/**
 * Reads a weight file into TF.js tensors by name. The caller owns the tensors and must dispose
 * them (`tf.dispose(Object.values(map))`). Formats and sources as {@link readRawWeights}.
 */
export async function readWeightFile(
  source: string | Uint8Array,
  options: ReadWeightFileOptions = {},
): Promise<tf.NamedTensorMap> {
  const raw = await readRawWeights(source, options);
  const out: tf.NamedTensorMap = {};
  const created: tf.Tensor[] = [];
  try {
    for (const [name, tensor] of raw) {
      if (options.include && !options.include(name)) continue;
      const value = rawToTensor(tensor, options.dtype ?? 'native', name);
      created.push(value);
      Object.defineProperty(out, name, { value, enumerable: true, writable: true, configurable: true });
    }
  } catch (error) {
    for (const tensor of created) tensor.dispose();
    throw error;
  }
  return out;
}
