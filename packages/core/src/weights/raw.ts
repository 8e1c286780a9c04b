/**
 * Raw tensors: the dtype, shape and typed-array data read from a weight file, before any TF.js
 * tensor exists. Readers produce these so a loader can check names and shapes, pick what it needs,
 * and create each TF.js tensor once. Dtype names follow safetensors
 * (https://github.com/huggingface/safetensors, `safetensors/src/tensor.rs`).
 */
import * as tf from '@tensorflow/tfjs-core';
import { describeValue, invalidArgument, ZooError } from '../errors.js';

/** Element types tfzoo reads and writes, named as safetensors names them. */
export type WeightDType = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

/** The typed array holding a {@link RawTensor}'s elements; F16 and BF16 keep their raw 16-bit patterns. */
export type RawTensorData =
  | Float64Array
  | Float32Array
  | Uint16Array
  | BigInt64Array
  | Int32Array
  | Int16Array
  | Int8Array
  | Uint8Array;

/** One tensor as stored in a file: dtype, shape (row-major, contiguous) and elements. */
export interface RawTensor {
  /** Element type. */
  dtype: WeightDType;
  /** Shape; `[]` for a scalar. */
  shape: number[];
  /**
   * Elements in row-major order (`F16`/`BF16` as raw bit patterns, `BOOL` as 0/1 bytes). The array
   * may be a view into the bytes the file was read from; copy it before mutating either.
   */
  data: RawTensorData;
}

/** Tensors by name, in file order. */
export type RawTensorMap = Map<string, RawTensor>;

/** Bytes per element of each dtype. */
export const DTYPE_SIZES: Readonly<Record<WeightDType, number>> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
};

/** True when `value` names a {@link WeightDType}. */
export function isWeightDType(value: unknown): value is WeightDType {
  return typeof value === 'string' && Object.hasOwn(DTYPE_SIZES, value);
}

type TypedArrayConstructor = {
  new (buffer: ArrayBufferLike, byteOffset: number, length: number): RawTensorData;
  new (length: number): RawTensorData;
};

const CONSTRUCTORS: Record<WeightDType, TypedArrayConstructor> = {
  F64: Float64Array as unknown as TypedArrayConstructor,
  F32: Float32Array as unknown as TypedArrayConstructor,
  F16: Uint16Array as unknown as TypedArrayConstructor,
  BF16: Uint16Array as unknown as TypedArrayConstructor,
  I64: BigInt64Array as unknown as TypedArrayConstructor,
  I32: Int32Array as unknown as TypedArrayConstructor,
  I16: Int16Array as unknown as TypedArrayConstructor,
  I8: Int8Array as unknown as TypedArrayConstructor,
  U8: Uint8Array as unknown as TypedArrayConstructor,
  BOOL: Uint8Array as unknown as TypedArrayConstructor,
};

/** Largest element count tfzoo accepts for one tensor (TF.js indexes with 32-bit integers). */
export const MAX_ELEMENTS = 2 ** 31 - 1;

/** Product of a shape's dimensions, checking that every dimension is a non-negative safe integer. */
export function shapeSize(shape: readonly number[], what = 'shape'): number {
  let size = 1;
  for (const dim of shape) {
    if (!Number.isSafeInteger(dim) || dim < 0) {
      throw new ZooError('CORRUPT_FILE', `${what} ${describeValue(shape)} has an invalid dimension ${dim}`, {
        received: shape,
        expected: 'non-negative integer dimensions',
      });
    }
    size *= dim;
  }
  if (size > MAX_ELEMENTS) {
    throw new ZooError('UNSUPPORTED', `${what} ${describeValue(shape)} has ${size} elements`, {
      received: shape,
      expected: `at most ${MAX_ELEMENTS} elements`,
    });
  }
  return size;
}

/** Allocates a zero-filled typed array for `length` elements of `dtype`. */
export function allocateRaw(dtype: WeightDType, length: number): RawTensorData {
  return new CONSTRUCTORS[dtype](length);
}

/**
 * A typed array over `bytes[byteOffset, byteOffset + length·size)`: a view when the offset is
 * aligned, a copy otherwise. The caller has checked the range.
 */
export function viewRaw(
  dtype: WeightDType,
  bytes: Uint8Array,
  byteOffset: number,
  length: number,
): RawTensorData {
  const size = DTYPE_SIZES[dtype];
  const absolute = bytes.byteOffset + byteOffset;
  if (absolute % size === 0) return new CONSTRUCTORS[dtype](bytes.buffer, absolute, length);
  const copy = new Uint8Array(length * size);
  copy.set(bytes.subarray(byteOffset, byteOffset + length * size));
  return new CONSTRUCTORS[dtype](copy.buffer, 0, length);
}

/** The bytes of a typed array (a view, no copy). */
export function rawBytes(data: RawTensorData): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

const f32Scratch = new Float32Array(1);
const u32Scratch = new Uint32Array(f32Scratch.buffer);

/** Converts an IEEE 754 half-precision bit pattern to a number. */
export function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/** Converts a bfloat16 bit pattern to a number (exact: bfloat16 is the top half of a float32). */
export function bfloat16ToFloat(bits: number): number {
  u32Scratch[0] = (bits & 0xffff) << 16;
  return f32Scratch[0]!;
}

/** Converts a number to a bfloat16 bit pattern, rounding to nearest even like PyTorch. */
export function floatToBfloat16(value: number): number {
  f32Scratch[0] = value;
  const bits = u32Scratch[0]!;
  if (Number.isNaN(value)) return 0x7fc0;
  return ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16) & 0xffff;
}

/** Converts a number to an IEEE 754 half-precision bit pattern (round to nearest even). */
export function floatToHalf(value: number): number {
  f32Scratch[0] = value;
  const x = u32Scratch[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exponent = (x >>> 23) & 0xff;
  let mantissa = x & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0);
  const e = exponent - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mantissa |= 0x800000;
    const shift = 14 - e;
    let half = mantissa >>> shift;
    const remainder = mantissa & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (remainder > halfway || (remainder === halfway && half & 1)) half += 1;
    return sign | half;
  }
  let half = (e << 10) | (mantissa >>> 13);
  const remainder = mantissa & 0x1fff;
  if (remainder > 0x1000 || (remainder === 0x1000 && half & 1)) half += 1;
  return sign | half;
}

/** The elements of a raw tensor as float32 (F64 rounds, I64 converts, F16/BF16 decode). */
export function rawToFloat32(tensor: RawTensor): Float32Array {
  const { dtype, data } = tensor;
  if (dtype === 'F32') return data as Float32Array;
  const out = new Float32Array(data.length);
  if (dtype === 'F16') for (let i = 0; i < out.length; i++) out[i] = halfToFloat((data as Uint16Array)[i]!);
  else if (dtype === 'BF16') {
    const bits = new Uint32Array(out.buffer);
    for (let i = 0; i < out.length; i++) bits[i] = (data as Uint16Array)[i]! << 16;
  } else if (dtype === 'I64')
    for (let i = 0; i < out.length; i++) out[i] = Number((data as BigInt64Array)[i]!);
  else out.set(data as Float64Array);
  return out;
}

/** How {@link rawToTensor} chooses the TF.js dtype. */
export type TensorDTypePolicy = 'native' | 'float32';

/**
 * Creates a TF.js tensor from a raw tensor. `native` maps floats to float32, integers to int32
 * (I64 values outside the int32 range are an error) and BOOL to bool; `float32` makes everything
 * float32. The caller owns the tensor.
 */
export function rawToTensor(
  tensor: RawTensor,
  policy: TensorDTypePolicy = 'native',
  name = 'tensor',
): tf.Tensor {
  const { dtype, data, shape } = tensor;
  if (policy === 'float32' || dtype.startsWith('F') || dtype === 'BF16') {
    return tf.tensor(rawToFloat32(tensor), shape, 'float32');
  }
  if (dtype === 'BOOL') return tf.tensor(data as Uint8Array, shape, 'bool');
  if (dtype === 'I64') {
    const values = new Int32Array(data.length);
    for (let i = 0; i < values.length; i++) {
      const v = (data as BigInt64Array)[i]!;
      if (v > 2147483647n || v < -2147483648n) {
        throw new ZooError('UNSUPPORTED', `${name} (I64) holds ${v}, outside the int32 range of TF.js`, {
          received: `${v}`,
          expected: 'values in [-2^31, 2^31)',
        });
      }
      values[i] = Number(v);
    }
    return tf.tensor(values, shape, 'int32');
  }
  if (dtype === 'I32') return tf.tensor(data as Int32Array, shape, 'int32');
  return tf.tensor(Int32Array.from(data as Uint8Array), shape, 'int32');
}

/**
 * Reads a TF.js tensor back into a raw tensor of `dtype` (default: F32 for float32, I32 for int32,
 * BOOL for bool). Synchronous: uses `dataSync`.
 */
export function tensorToRaw(tensor: tf.Tensor, dtype?: WeightDType): RawTensor {
  const target: WeightDType =
    dtype ?? (tensor.dtype === 'int32' ? 'I32' : tensor.dtype === 'bool' ? 'BOOL' : 'F32');
  if (tensor.dtype !== 'float32' && tensor.dtype !== 'int32' && tensor.dtype !== 'bool') {
    throw invalidArgument('tensor dtype', tensor.dtype, 'float32, int32 or bool');
  }
  const values = tensor.dataSync() as Float32Array | Int32Array | Uint8Array;
  return { dtype: target, shape: [...tensor.shape], data: convertValues(values, target) };
}

/** Converts numeric values to the typed array of `dtype`. */
export function convertValues(values: ArrayLike<number>, dtype: WeightDType): RawTensorData {
  const out = allocateRaw(dtype, values.length);
  if (dtype === 'F16')
    for (let i = 0; i < values.length; i++) (out as Uint16Array)[i] = floatToHalf(values[i]!);
  else if (dtype === 'BF16') {
    for (let i = 0; i < values.length; i++) (out as Uint16Array)[i] = floatToBfloat16(values[i]!);
  } else if (dtype === 'I64') {
    for (let i = 0; i < values.length; i++) (out as BigInt64Array)[i] = BigInt(Math.trunc(values[i]!));
  } else if (dtype === 'BOOL')
    for (let i = 0; i < values.length; i++) (out as Uint8Array)[i] = values[i] ? 1 : 0;
  else (out as Float32Array).set(values);
  return out;
}
