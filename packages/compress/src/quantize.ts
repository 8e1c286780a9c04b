/**
 * Post-training weight quantization, for storage and download size (weights are dequantized to
 * float32 when loaded; inference runs in float32).
 *
 * - **TF.js artifacts** use tfjs's own `quantization` field of the weights manifest
 *   (`{ dtype: 'float16' }` or `{ dtype: 'uint8', scale, min }`, tfjs-core `src/io/types.ts`), so
 *   plain `tf.loadLayersModel` dequantizes them — in a browser too. That field holds one scale per
 *   tensor, so 8-bit TF.js weights are **per-tensor affine** uint8, with the range nudged so that 0
 *   is exactly representable (as the `tensorflowjs` converter's `--quantize_uint8` does): pruned
 *   weights stay exactly zero, and an asymmetric range spends all 256 levels on one scale.
 * - **safetensors** have no such limit, so 8-bit weights there are **per-output-channel symmetric**
 *   int8 (`I8` plus an F32 `<name>_scale` of shape `[out, 1, …]`, the layout of the
 *   compressed-tensors "channel" strategy): channels of one kernel differ in range by an order of
 *   magnitude, so one scale per channel roughly halves the error of the worst channels; symmetric
 *   keeps zero exact without storing zero points. float16 is `F16`.
 *
 * Only kernels (float tensors of rank ≥ 2) are quantized to 8 bits; biases and batch-norm
 * statistics (under 1 % of the bytes of the zoo's models) stay float32, because one 8-bit scale for a
 * running variance or a bias costs accuracy for nothing.
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  floatToHalf,
  invalidArgument,
  type RawTensor,
  type RawTensorMap,
  rawToFloat32,
  SAFETENSORS_INT8_QUANTIZATION,
} from '@tfzoo/core';
import { checkKeys } from './validate.js';

/** Target of quantization. */
export type QuantizationDType = 'float16' | 'int8';

/** Options of {@link quantizeArtifacts} and {@link quantizeStateDict}. */
export interface QuantizeOptions {
  /** `float16` or `int8`. */
  dtype: QuantizationDType;
}

/** Largest finite float16. */
const HALF_MAX = 65504;

function checkDtype(options: QuantizeOptions): QuantizationDType {
  const given = checkKeys(options, ['dtype']);
  if (given.dtype !== 'float16' && given.dtype !== 'int8') {
    throw invalidArgument('dtype', given.dtype, "'float16' or 'int8'");
  }
  return given.dtype;
}

function fitsHalf(values: Float32Array): boolean {
  for (let i = 0; i < values.length; i++) if (!(Math.abs(values[i]!) <= HALF_MAX)) return false;
  return true;
}

/** Per-tensor affine uint8 parameters with 0 exactly representable (`q·scale + min`). */
export function affineUint8(values: Float32Array): { scale: number; min: number; zeroPoint: number } {
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const scale = hi > lo ? (hi - lo) / 255 : 1;
  const zeroPoint = Math.min(255, Math.max(0, Math.round(-lo / scale)));
  return { scale, min: -zeroPoint * scale, zeroPoint };
}

/**
 * Re-encodes the weights of TF.js model artifacts (what `model.save` hands an IO handler):
 * float16 for every float32 weight that fits, or uint8 for kernels, with tfjs's `quantization`
 * manifest field. Weights already quantized are left as they are.
 */
export function quantizeArtifacts(
  artifacts: tf.io.ModelArtifacts,
  options: QuantizeOptions,
): tf.io.ModelArtifacts {
  const dtype = checkDtype(options);
  const specs = artifacts.weightSpecs ?? [];
  const data =
    artifacts.weightData === undefined
      ? new ArrayBuffer(0)
      : tf.io.CompositeArrayBuffer.join(artifacts.weightData);
  const parts: Uint8Array[] = [];
  const out: tf.io.WeightsManifestEntry[] = [];
  let offset = 0;
  for (const spec of specs) {
    const numel = tf.util.sizeFromShape(spec.shape);
    const bytes = spec.quantization
      ? numel * (spec.quantization.dtype === 'uint8' ? 1 : 2)
      : numel * (spec.dtype === 'bool' ? 1 : 4);
    const source = new Uint8Array(data, offset, bytes);
    offset += bytes;
    if (spec.quantization || spec.dtype !== 'float32') {
      parts.push(source.slice());
      out.push({ ...spec });
      continue;
    }
    const values = new Float32Array(source.slice().buffer);
    if (dtype === 'float16' && fitsHalf(values)) {
      const halves = new Uint16Array(numel);
      for (let i = 0; i < numel; i++) halves[i] = floatToHalf(values[i]!);
      parts.push(new Uint8Array(halves.buffer));
      out.push({ ...spec, quantization: { dtype: 'float16' } });
    } else if (dtype === 'int8' && spec.shape.length >= 2 && numel > 0) {
      const { scale, min, zeroPoint } = affineUint8(values);
      const q = new Uint8Array(numel);
      for (let i = 0; i < numel; i++)
        q[i] = Math.min(255, Math.max(0, Math.round(values[i]! / scale) + zeroPoint));
      parts.push(q);
      out.push({ ...spec, quantization: { dtype: 'uint8', scale, min } });
    } else {
      parts.push(source.slice());
      out.push({ ...spec });
    }
  }
  const total = parts.reduce((n, p) => n + p.length, 0);
  const weightData = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    weightData.set(p, at);
    at += p.length;
  }
  return { ...artifacts, weightSpecs: out, weightData: weightData.buffer };
}

/**
 * An IO handler that quantizes what it saves and hands it to `inner`:
 * `await model.save(quantizedHandler(tfjsFileHandler(dir), { dtype: 'int8' }))`.
 */
export function quantizedHandler(inner: tf.io.IOHandler, options: QuantizeOptions): tf.io.IOHandler {
  checkDtype(options);
  if (typeof inner?.save !== 'function')
    throw invalidArgument('inner', inner, 'a TF.js IO handler with save()');
  return {
    save: (artifacts: tf.io.ModelArtifacts) => inner.save!(quantizeArtifacts(artifacts, options)),
  };
}

/**
 * Quantizes a state dict (raw tensors by name, e.g. `exportStateDict(model)`): float16 turns every
 * F32 tensor into F16; int8 turns every F32 tensor of rank ≥ 2 into symmetric int8 with one scale
 * per index of axis 0 (the output channel in PyTorch layouts), stored as `<name>_scale`. Write it with
 * `writeSafetensors(dict, quantizationMetadata(options))` so tfzoo's reader dequantizes it.
 */
export function quantizeStateDict(tensors: RawTensorMap, options: QuantizeOptions): RawTensorMap {
  const dtype = checkDtype(options);
  const out: RawTensorMap = new Map();
  for (const [name, tensor] of tensors) {
    if (tensor.dtype !== 'F32') {
      out.set(name, tensor);
      continue;
    }
    const values = rawToFloat32(tensor);
    if (dtype === 'float16') {
      if (!fitsHalf(values)) {
        out.set(name, tensor);
        continue;
      }
      const halves = new Uint16Array(values.length);
      for (let i = 0; i < values.length; i++) halves[i] = floatToHalf(values[i]!);
      out.set(name, { dtype: 'F16', shape: [...tensor.shape], data: halves });
      continue;
    }
    if (tensor.shape.length < 2 || values.length === 0) {
      out.set(name, tensor);
      continue;
    }
    const channels = tensor.shape[0]!;
    const per = values.length / channels;
    const q = new Int8Array(values.length);
    const scales = new Float32Array(channels);
    for (let c = 0; c < channels; c++) {
      let max = 0;
      for (let i = c * per; i < (c + 1) * per; i++) max = Math.max(max, Math.abs(values[i]!));
      const scale = max > 0 ? max / 127 : 1;
      scales[c] = scale;
      for (let i = c * per; i < (c + 1) * per; i++) {
        q[i] = Math.max(-127, Math.min(127, Math.round(values[i]! / scales[c]!)));
      }
    }
    const scale: RawTensor = {
      dtype: 'F32',
      shape: [channels, ...tensor.shape.slice(1).map(() => 1)],
      data: scales,
    };
    out.set(name, { dtype: 'I8', shape: [...tensor.shape], data: q });
    out.set(`${name}_scale`, scale);
  }
  return out;
}

/** The safetensors `__metadata__` entries a quantized state dict needs (the int8 marker of `@tfzoo/core`). */
export function quantizationMetadata(options: QuantizeOptions): Record<string, string> {
  return checkDtype(options) === 'int8'
    ? { quantization: SAFETENSORS_INT8_QUANTIZATION }
    : { quantization: 'float16' };
}
