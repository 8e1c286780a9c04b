/**
 * TF.js layers-model artifacts on the local file system: `model.json` (topology plus a weights
 * manifest) and binary weight shards, in the layout `tfjs-node`'s `file://` handler and the
 * `tensorflowjs` converter write (tfjs-core `src/io/types.ts`, tfjs-node `src/io/file_system.ts`).
 */
import * as tf from '@tensorflow/tfjs-core';
import { basename, dirname, join, mkdir, readFile, writeFileAtomic } from '#weights-platform';
import { describeValue, invalidArgument, ZooError } from '../errors.js';
import { halfToFloat, type RawTensor, type RawTensorMap, shapeSize } from './raw.js';

/** Loads one weight shard named in a manifest (a path relative to `model.json`). */
export type ShardLoader = (path: string) => Promise<Uint8Array>;

function corrupt(fileName: string, message: string): ZooError {
  return new ZooError('CORRUPT_FILE', `${fileName}: ${message}`, {
    expected: 'a TF.js model.json with a weightsManifest',
  });
}

/** True when the bytes start (after whitespace) with a JSON object. */
export function looksLikeJson(bytes: Uint8Array): boolean {
  for (const byte of bytes.subarray(0, 64)) {
    if (
      byte === 0x20 ||
      byte === 0x0a ||
      byte === 0x0d ||
      byte === 0x09 ||
      byte === 0xef ||
      byte === 0xbb ||
      byte === 0xbf
    )
      continue;
    return byte === 0x7b;
  }
  return false;
}

function parseModelJson(bytes: Uint8Array, fileName: string): tf.io.ModelJSON {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw new ZooError('CORRUPT_FILE', `${fileName} is not valid JSON`, { cause: error });
  }
  const manifest = (json as { weightsManifest?: unknown })?.weightsManifest;
  if (!Array.isArray(manifest)) throw corrupt(fileName, 'has no weightsManifest array');
  return json as tf.io.ModelJSON;
}

/**
 * Reads the weights a TF.js `model.json` describes, dequantizing quantized weights to float32.
 *
 * @param json - the bytes of `model.json`.
 * @param loadShard - reads a shard by its manifest path.
 */
export async function readTfjsWeights(
  json: Uint8Array,
  loadShard: ShardLoader,
  fileName = 'model.json',
): Promise<RawTensorMap> {
  const model = parseModelJson(json, fileName);
  const tensors: RawTensorMap = new Map();
  for (const group of model.weightsManifest) {
    if (!Array.isArray(group?.paths) || !Array.isArray(group.weights))
      throw corrupt(fileName, 'has a malformed manifest group');
    const shards = await Promise.all(group.paths.map((path) => loadShard(path)));
    const total = shards.reduce((sum, shard) => sum + shard.length, 0);
    const buffer = new Uint8Array(total);
    let at = 0;
    for (const shard of shards) {
      buffer.set(shard, at);
      at += shard.length;
    }
    const view = new DataView(buffer.buffer);
    let offset = 0;
    for (const spec of group.weights) {
      const name = spec.name;
      const numel = shapeSize(spec.shape, `shape of ${name}`);
      const quantization = spec.quantization;
      const need = (bytesPerElement: number) => {
        if (offset + numel * bytesPerElement > total) {
          throw corrupt(
            fileName,
            `weight ${name} needs ${numel * bytesPerElement} bytes at ${offset}, but the shards hold ${total}`,
          );
        }
      };
      let tensor: RawTensor;
      if (quantization) {
        const size = quantization.dtype === 'uint8' ? 1 : 2;
        need(size);
        const values = new Float32Array(numel);
        if (quantization.dtype === 'float16') {
          for (let i = 0; i < numel; i++) values[i] = halfToFloat(view.getUint16(offset + 2 * i, true));
        } else if (quantization.dtype === 'uint8' || quantization.dtype === 'uint16') {
          const scale = quantization.scale ?? 1;
          const min = quantization.min ?? 0;
          for (let i = 0; i < numel; i++) {
            const q = size === 1 ? buffer[offset + i]! : view.getUint16(offset + 2 * i, true);
            values[i] = q * scale + min;
          }
        } else {
          throw new ZooError(
            'UNSUPPORTED',
            `${fileName}: weight ${name} uses quantization ${describeValue(quantization.dtype)}`,
          );
        }
        offset += numel * size;
        tensor =
          spec.dtype === 'int32'
            ? { dtype: 'I32', shape: spec.shape, data: Int32Array.from(values, Math.round) }
            : { dtype: 'F32', shape: spec.shape, data: values };
      } else if (spec.dtype === 'float32' || spec.dtype === 'int32') {
        need(4);
        const slice = buffer.slice(offset, offset + 4 * numel);
        tensor =
          spec.dtype === 'float32'
            ? { dtype: 'F32', shape: spec.shape, data: new Float32Array(slice.buffer) }
            : { dtype: 'I32', shape: spec.shape, data: new Int32Array(slice.buffer) };
        offset += 4 * numel;
      } else if (spec.dtype === 'bool') {
        need(1);
        tensor = { dtype: 'BOOL', shape: spec.shape, data: buffer.slice(offset, offset + numel) };
        offset += numel;
      } else {
        throw new ZooError(
          'UNSUPPORTED',
          `${fileName}: weight ${name} has dtype ${describeValue(spec.dtype)}`,
          {
            expected: 'float32, int32 or bool',
          },
        );
      }
      tensors.set(name, tensor);
    }
  }
  return tensors;
}

/** Options of {@link writeTfjsArtifacts}. */
export interface WriteTfjsOptions {
  /** Maximum bytes per weight shard (default 4 MiB, like the converter). */
  shardSizeBytes?: number;
}

/**
 * Writes model artifacts (what `model.save` hands an IO handler) as `model.json` plus
 * `group1-shardNofM.bin` files into `directory`, each file written atomically.
 *
 * @returns the path of `model.json`.
 */
export async function writeTfjsArtifacts(
  directory: string,
  artifacts: tf.io.ModelArtifacts,
  options: WriteTfjsOptions = {},
): Promise<string> {
  const shardSize = options.shardSizeBytes ?? 4 * 1024 * 1024;
  if (!Number.isSafeInteger(shardSize) || shardSize < 1) {
    throw invalidArgument('options.shardSizeBytes', shardSize, 'a positive integer');
  }
  await mkdir(directory, { recursive: true });
  const data =
    artifacts.weightData === undefined
      ? new Uint8Array(0)
      : new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData));
  const count = Math.max(1, Math.ceil(data.length / shardSize));
  const paths: string[] = [];
  for (let i = 0; i < count; i++) {
    const path = `group1-shard${i + 1}of${count}.bin`;
    paths.push(path);
    await writeFileAtomic(
      join(directory, path),
      data.subarray(i * shardSize, Math.min(data.length, (i + 1) * shardSize)),
    );
  }
  const modelJson: Record<string, unknown> = {
    modelTopology: artifacts.modelTopology ?? null,
    format: artifacts.format ?? 'layers-model',
    generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-layers v${tf.version_core}`,
    convertedBy: artifacts.convertedBy ?? null,
    weightsManifest: [{ paths, weights: artifacts.weightSpecs ?? [] }],
  };
  if (artifacts.trainingConfig) modelJson.trainingConfig = artifacts.trainingConfig;
  if (artifacts.signature) modelJson.signature = artifacts.signature;
  if (artifacts.userDefinedMetadata) modelJson.userDefinedMetadata = artifacts.userDefinedMetadata;
  if (artifacts.modelInitializer) modelJson.modelInitializer = artifacts.modelInitializer;
  const jsonPath = join(directory, 'model.json');
  await writeFileAtomic(jsonPath, JSON.stringify(modelJson));
  return jsonPath;
}

/**
 * A TF.js IO handler for the local file system: `model.save(tfjsFileHandler(dir))` writes
 * `dir/model.json` and its shards; `tfl.loadLayersModel(tfjsFileHandler('dir/model.json'))` reads
 * them back. `path` is a directory for saving, a directory or `model.json` path for loading.
 */
export function tfjsFileHandler(path: string, options: WriteTfjsOptions = {}): tf.io.IOHandler {
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      const directory = path.endsWith('.json') ? dirname(path) : path;
      await writeTfjsArtifacts(directory, artifacts, options);
      return {
        modelArtifactsInfo: {
          dateSaved: new Date(),
          modelTopologyType: 'JSON',
          weightDataBytes:
            artifacts.weightData === undefined
              ? 0
              : tf.io.CompositeArrayBuffer.join(artifacts.weightData).byteLength,
        },
      };
    },
    async load(): Promise<tf.io.ModelArtifacts> {
      const jsonPath = path.endsWith('.json') ? path : join(path, 'model.json');
      const model = parseModelJson(await readFile(jsonPath), jsonPath);
      return tf.io.getModelArtifactsForJSON(model, async (manifest) => {
        const specs: tf.io.WeightsManifestEntry[] = [];
        const buffers: ArrayBuffer[] = [];
        for (const group of manifest) {
          for (const shard of group.paths) {
            const bytes = await readShardFile(dirname(jsonPath), shard, jsonPath);
            buffers.push(
              bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
            );
          }
          specs.push(...group.weights);
        }
        return [specs, tf.io.concatenateArrayBuffers(buffers)];
      });
    },
  };
}

/** Reads a `model.json` file and its shards (relative to the file) into raw tensors. */
export async function readTfjsModelFile(jsonPath: string): Promise<RawTensorMap> {
  const json = await readFile(jsonPath);
  return readTfjsWeights(
    json,
    (shard) => readShardFile(dirname(jsonPath), shard, jsonPath),
    basename(jsonPath),
  );
}

async function readShardFile(directory: string, shard: string, jsonPath: string): Promise<Uint8Array> {
  // A manifest names files beside it: no absolute path, no `..` segment, no NUL (either separator,
  // as tfjs writers on Windows may use backslashes).
  if (
    typeof shard !== 'string' ||
    shard === '' ||
    /^[\\/]/.test(shard) ||
    /^[a-zA-Z]:/.test(shard) ||
    shard.includes('\0') ||
    shard.split(/[\\/]/).includes('..')
  ) {
    throw new ZooError(
      'UNSAFE_FILE',
      `${jsonPath} names shard ${describeValue(shard)} outside its directory`,
      { received: shard, expected: 'a file name relative to the model.json, without ..' },
    );
  }
  try {
    return await readFile(join(directory, shard));
  } catch (error) {
    throw new ZooError('NOT_FOUND', `${jsonPath} names shard ${shard}, which cannot be read`, {
      cause: error,
    });
  }
}
