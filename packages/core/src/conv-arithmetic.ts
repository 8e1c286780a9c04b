/**
 * Convolution and pooling arithmetic: output sizes (floor or ceil mode, as PyTorch computes them),
 * padding amounts (PyTorch-style symmetric and TensorFlow 'same'), and the receptive field and
 * jump of a stack of layers.
 */
import { invalidArgument } from './errors.js';

/** Padding of one spatial dimension: a symmetric amount or `[before, after]`. */
export type PaddingAmount = number | readonly [number, number];

/** Arguments of {@link convOutputSize}. */
export interface ConvOutputSizeArgs {
  /** Input length along the dimension. */
  inputSize: number;
  /** Kernel length. */
  kernelSize: number;
  /** Stride (default 1). */
  stride?: number;
  /** Padding: symmetric amount or `[before, after]` (default 0). */
  padding?: PaddingAmount;
  /** Dilation (default 1). */
  dilation?: number;
  /** Round the window count up, like PyTorch's `ceil_mode=True` pools (default false). */
  ceilMode?: boolean;
}

function checkInteger(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw invalidArgument(name, value, min === 0 ? 'a non-negative integer' : `an integer ≥ ${min}`);
  }
}

/** Splits a {@link PaddingAmount} into `[before, after]`. */
export function paddingPair(padding: PaddingAmount = 0): [number, number] {
  const pair: [number, number] = typeof padding === 'number' ? [padding, padding] : [padding[0], padding[1]];
  checkInteger('padding', pair[0], 0);
  checkInteger('padding', pair[1], 0);
  return pair;
}

/**
 * Output length of a convolution or pooling along one dimension, PyTorch's formula:
 * `floor_or_ceil((in + before + after − dilation·(k − 1) − 1) / stride) + 1`; in ceil mode the last
 * window must start inside the input or the left padding (PyTorch drops it otherwise), and may hang
 * past the end, even when the window is larger than the whole padded input.
 *
 * @throws {@link ZooError} when no window fits (the output would be empty).
 */
export function convOutputSize(args: ConvOutputSizeArgs): number {
  const { inputSize, kernelSize, stride = 1, dilation = 1, ceilMode = false } = args;
  checkInteger('inputSize', inputSize, 1);
  checkInteger('kernelSize', kernelSize, 1);
  checkInteger('stride', stride, 1);
  checkInteger('dilation', dilation, 1);
  const [before, after] = paddingPair(args.padding);
  const span = dilation * (kernelSize - 1) + 1;
  const padded = inputSize + before + after;
  // PyTorch's pooling_output_shape: floor division (toward −∞), plus stride − 1 in ceil mode.
  let size = Math.floor((padded - span + (ceilMode ? stride - 1 : 0)) / stride) + 1;
  if (ceilMode && (size - 1) * stride >= inputSize + before) size -= 1;
  if (size < 1) {
    throw invalidArgument(
      'kernelSize',
      kernelSize,
      `a window (dilated size ${span}) that fits the padded input (${padded})${ceilMode ? '' : ' or ceil mode'}`,
    );
  }
  return size;
}

/**
 * PyTorch-style symmetric padding that keeps the size at stride 1: `floor(dilation·(k − 1) / 2)`.
 */
export function symmetricPadding(kernelSize: number, dilation = 1): number {
  checkInteger('kernelSize', kernelSize, 1);
  checkInteger('dilation', dilation, 1);
  return Math.floor((dilation * (kernelSize - 1)) / 2);
}

/**
 * TensorFlow 'same' padding along one dimension: output `ceil(in / stride)`, the total padding split
 * with the extra pixel after (bottom/right) — asymmetric at stride 2, unlike PyTorch.
 */
export function samePadding(
  inputSize: number,
  kernelSize: number,
  stride = 1,
  dilation = 1,
): { before: number; after: number; total: number; outputSize: number } {
  checkInteger('inputSize', inputSize, 1);
  checkInteger('kernelSize', kernelSize, 1);
  checkInteger('stride', stride, 1);
  checkInteger('dilation', dilation, 1);
  const outputSize = Math.ceil(inputSize / stride);
  const span = dilation * (kernelSize - 1) + 1;
  const total = Math.max((outputSize - 1) * stride + span - inputSize, 0);
  const before = Math.floor(total / 2);
  return { before, after: total - before, total, outputSize };
}

/** One layer of a stack, for {@link receptiveField}. */
export interface ReceptiveFieldLayer {
  /** Kernel length (1 for pointwise ops). */
  kernelSize: number;
  /** Stride (default 1). */
  stride?: number;
  /** Dilation (default 1). */
  dilation?: number;
}

/** Receptive field and jump (distance between adjacent outputs in input pixels) after each layer. */
export interface ReceptiveFieldResult {
  /** Receptive field of one output of the whole stack, in input pixels. */
  receptiveField: number;
  /** Jump (cumulative stride) of the whole stack. */
  jump: number;
  /** The same two numbers after each layer. */
  layers: { receptiveField: number; jump: number }[];
}

/**
 * Receptive field and jump of a stack of layers: `rf += (k − 1)·dilation·jump`, `jump *= stride`.
 */
export function receptiveField(layers: readonly ReceptiveFieldLayer[]): ReceptiveFieldResult {
  let rf = 1;
  let jump = 1;
  const perLayer: { receptiveField: number; jump: number }[] = [];
  layers.forEach((layer, index) => {
    const { kernelSize, stride = 1, dilation = 1 } = layer;
    checkInteger(`layers[${index}].kernelSize`, kernelSize, 1);
    checkInteger(`layers[${index}].stride`, stride, 1);
    checkInteger(`layers[${index}].dilation`, dilation, 1);
    rf += (kernelSize - 1) * dilation * jump;
    jump *= stride;
    perLayer.push({ receptiveField: rf, jump });
  });
  return { receptiveField: rf, jump, layers: perLayer };
}
