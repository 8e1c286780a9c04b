/**
 * safetensors reader and writer, after the format's specification
 * (https://github.com/huggingface/safetensors, README "Format"): an unsigned little-endian 64-bit
 * header length N, N bytes of JSON mapping each tensor name to `dtype`, `shape` and
 * `data_offsets` (begin, end; relative to the data section), an optional `__metadata__` map of
 * strings, then the data. Like the reference implementation, the reader refuses headers that do not
 * fit the file, offsets that overlap or leave holes, and sizes that disagree with the shape.
 */
import { describeValue, ZooError } from '../errors.js';
import { utf8Bytes } from './bytes.js';
import { DTYPE_SIZES, isWeightDType, type RawTensorMap, rawBytes, shapeSize, viewRaw } from './raw.js';

/**
 * `__metadata__.quantization` of a safetensors file whose `I8` tensors each come with an F32
 * `<name>_scale` (one scale per index of axis 0, shape `[n, 1, …]`): `@tfzoo/compress`'s int8 files.
 * The reader returns such pairs dequantized, as one F32 tensor `<name>` (`q · scale`).
 */
export const SAFETENSORS_INT8_QUANTIZATION = 'int8-per-channel-symmetric';

/** Largest JSON header the reader accepts (the reference implementation's limit is 100 MB). */
const MAX_HEADER_BYTES = 100_000_000;

/** True when the bytes look like a safetensors file (plausible header length, then `{`). */
export function isSafetensors(bytes: Uint8Array): boolean {
  if (bytes.length < 10) return false;
  const length = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  return length >= 2n && length <= BigInt(MAX_HEADER_BYTES) && bytes[8] === 0x7b;
}

/** A safetensors file's tensors and its `__metadata__` strings. */
export interface SafetensorsContent {
  /** Tensors by name, in data order. */
  tensors: RawTensorMap;
  /** The `__metadata__` entries (empty when absent). */
  metadata: Record<string, string>;
}

function corrupt(fileName: string, message: string, received?: unknown): ZooError {
  return new ZooError('CORRUPT_FILE', `${fileName}: ${message}`, {
    received,
    expected: 'a valid safetensors file',
  });
}

/**
 * Parses a safetensors file. Tensor data are views into `bytes` where alignment allows.
 *
 * @throws {@link ZooError} `CORRUPT_FILE` for a header longer than the file, invalid JSON, unknown
 * dtypes, sizes that disagree with shapes, or overlapping / out-of-range offsets.
 */
export function readSafetensors(bytes: Uint8Array, fileName = 'safetensors'): SafetensorsContent {
  if (bytes.length < 8) throw corrupt(fileName, `is ${bytes.length} bytes long, too short for a header`);
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (headerLength > BigInt(bytes.length - 8) || headerLength > BigInt(MAX_HEADER_BYTES)) {
    throw corrupt(
      fileName,
      `declares a ${headerLength}-byte header but the file has ${bytes.length - 8} bytes after the length`,
    );
  }
  const dataStart = 8 + Number(headerLength);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, dataStart)));
  } catch (error) {
    throw new ZooError('CORRUPT_FILE', `${fileName}: the header is not valid UTF-8 JSON`, { cause: error });
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw corrupt(fileName, 'the header is not a JSON object', header);
  }
  const dataLength = bytes.length - dataStart;
  const metadata: Record<string, string> = {};
  const spans: { name: string; begin: number; end: number }[] = [];
  const specs = new Map<
    string,
    { dtype: keyof typeof DTYPE_SIZES; shape: number[]; begin: number; end: number }
  >();
  for (const [name, value] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof value !== 'object' || value === null)
        throw corrupt(fileName, '__metadata__ is not an object', value);
      for (const [key, text] of Object.entries(value as Record<string, unknown>)) {
        if (typeof text !== 'string') throw corrupt(fileName, `__metadata__.${key} is not a string`, text);
        Object.defineProperty(metadata, key, {
          value: text,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      continue;
    }
    const spec = value as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (!isWeightDType(spec?.dtype)) {
      throw new ZooError(
        'UNSUPPORTED',
        `${fileName}: tensor ${name} has dtype ${describeValue(spec?.dtype)}`,
        {
          received: spec?.dtype,
          expected: `one of ${Object.keys(DTYPE_SIZES).join(', ')}`,
        },
      );
    }
    if (!Array.isArray(spec.shape)) throw corrupt(fileName, `tensor ${name} has no shape`, spec.shape);
    const shape = spec.shape as number[];
    const numel = shapeSize(shape, `shape of ${name}`);
    const offsets = spec.data_offsets;
    if (
      !Array.isArray(offsets) ||
      offsets.length !== 2 ||
      !offsets.every((o) => Number.isSafeInteger(o) && o >= 0) ||
      offsets[0] > offsets[1]
    ) {
      throw corrupt(fileName, `tensor ${name} has invalid data_offsets ${describeValue(offsets)}`, offsets);
    }
    const [begin, end] = offsets as [number, number];
    if (end > dataLength) {
      throw corrupt(
        fileName,
        `tensor ${name} ends at ${end}, past the ${dataLength}-byte data section`,
        offsets,
      );
    }
    if (end - begin !== numel * DTYPE_SIZES[spec.dtype]) {
      throw corrupt(
        fileName,
        `tensor ${name} spans ${end - begin} bytes but ${spec.dtype}${describeValue(shape)} needs ${numel * DTYPE_SIZES[spec.dtype]}`,
        offsets,
      );
    }
    spans.push({ name, begin, end });
    specs.set(name, { dtype: spec.dtype, shape, begin, end });
  }
  spans.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  for (const span of spans) {
    if (span.begin < cursor)
      throw corrupt(fileName, `tensor ${span.name} overlaps the tensor before it`, span);
    if (span.begin > cursor)
      throw corrupt(fileName, `a hole precedes tensor ${span.name} in the data section`, span);
    cursor = span.end;
  }
  if (cursor !== dataLength)
    throw corrupt(fileName, `the data section has ${dataLength - cursor} trailing bytes`);
  const tensors: RawTensorMap = new Map();
  for (const { name } of spans) {
    const spec = specs.get(name)!;
    const numel = (spec.end - spec.begin) / DTYPE_SIZES[spec.dtype];
    tensors.set(name, {
      dtype: spec.dtype,
      shape: spec.shape,
      data: viewRaw(spec.dtype, bytes, dataStart + spec.begin, numel),
    });
  }
  if (metadata.quantization === SAFETENSORS_INT8_QUANTIZATION) dequantizeInt8(tensors, fileName);
  return { tensors, metadata };
}

/** Replaces every `I8` tensor and its `<name>_scale` by the F32 product (see {@link SAFETENSORS_INT8_QUANTIZATION}). */
function dequantizeInt8(tensors: RawTensorMap, fileName: string): void {
  for (const [name, tensor] of [...tensors]) {
    if (tensor.dtype !== 'I8') continue;
    const scale = tensors.get(`${name}_scale`);
    const channels = tensor.shape[0] ?? 0;
    if (scale?.dtype !== 'F32' || scale.data.length !== channels || tensor.data.length % channels) {
      throw corrupt(
        fileName,
        `int8 tensor ${name} has no F32 ${name}_scale with one scale per index of axis 0`,
      );
    }
    const q = tensor.data as Int8Array;
    const scales = scale.data as Float32Array;
    const per = q.length / channels;
    const values = new Float32Array(q.length);
    for (let i = 0; i < q.length; i++) values[i] = q[i]! * scales[Math.floor(i / per)]!;
    tensors.set(name, { dtype: 'F32', shape: tensor.shape, data: values });
    tensors.delete(`${name}_scale`);
  }
}

/**
 * Serializes raw tensors as a safetensors file (header padded with spaces to a multiple of 8
 * bytes, tensors in map order).
 */
export function writeSafetensors(
  tensors: RawTensorMap,
  metadata?: Readonly<Record<string, string>>,
): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length > 0) header.__metadata__ = { ...metadata };
  let offset = 0;
  for (const [name, tensor] of tensors) {
    const length = shapeSize(tensor.shape, `shape of ${name}`) * DTYPE_SIZES[tensor.dtype];
    if (tensor.data.byteLength !== length) {
      throw new ZooError(
        'INVALID_ARGUMENT',
        `tensor ${name} has ${tensor.data.byteLength} bytes of data but ${tensor.dtype}${describeValue(tensor.shape)} needs ${length}`,
        {
          received: tensor.data.byteLength,
          expected: `${length}`,
        },
      );
    }
    Object.defineProperty(header, name, {
      value: { dtype: tensor.dtype, shape: tensor.shape, data_offsets: [offset, offset + length] },
      enumerable: true,
      writable: true,
      configurable: true,
    });
    offset += length;
  }
  let json = JSON.stringify(header);
  const headerBytes = utf8Bytes(json).length;
  json += ' '.repeat((8 - ((8 + headerBytes) % 8)) % 8);
  const encoded = utf8Bytes(json);
  const out = new Uint8Array(8 + encoded.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(encoded.length), true);
  out.set(encoded, 8);
  let at = 8 + encoded.length;
  for (const tensor of tensors.values()) {
    out.set(rawBytes(tensor.data), at);
    at += tensor.data.byteLength;
  }
  return out;
}
