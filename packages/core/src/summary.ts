/**
 * Model summaries: parameter counts, multiply-accumulates (MACs) and activation memory per layer,
 * and a printable table. MACs count the multiply-accumulates of convolutions and dense layers, the
 * way torchvision and timm publish their GFLOPS/GMACs figures; other layers count zero MACs.
 */
import { invalidArgument } from './errors.js';

/** A tensor shape as tfjs-layers reports it; `null` for unknown (batch) dimensions. */
export type Shape = (number | null)[];

/** The part of a tfjs-layers `Layer` a summary reads. */
export interface SummarizableLayer {
  name: string;
  getClassName(): string;
  countParams(): number;
  trainableWeights: { shape: Shape | number[] }[];
  nonTrainableWeights: { shape: Shape | number[] }[];
  outputShape: Shape | Shape[];
  getConfig(): Record<string, unknown>;
  inboundNodes?: { inputShapes: Shape | Shape[]; outputShapes: Shape | Shape[] }[];
  layers?: SummarizableLayer[];
}

/** What a layer counter receives. */
export interface LayerCountContext {
  /** The layer being counted. */
  layer: SummarizableLayer;
  /** Shapes of the layer's inputs for this call (batch dimension first, possibly null). */
  inputShapes: Shape[];
  /** Shapes of the layer's outputs for this call. */
  outputShapes: Shape[];
  /** Shape of every weight of the layer, by the weight's short name (`kernel`, `bias`, …). */
  weightShapes: Record<string, number[]>;
}

/** Counts a layer's multiply-accumulates for one call at batch 1. */
export type LayerMacCounter = (context: LayerCountContext) => number;

/** One row of a {@link ModelSummary}. */
export interface LayerSummary {
  /** Layer name (nested models' layers are prefixed with the model name and `/`). */
  name: string;
  /** tfjs class name, e.g. `Conv2D`. */
  className: string;
  /** Output shape without the batch dimension (the first output for multi-output layers). */
  outputShape: (number | null)[];
  /** Trainable + non-trainable parameters of the layer (counted once, even when reused). */
  params: number;
  /** Multiply-accumulates at batch 1, summed over all calls of the layer. */
  macs: number;
  /** Bytes of the layer's float32 outputs at batch 1, summed over all calls. */
  activationBytes: number;
}

/** The result of {@link summarize}. */
export interface ModelSummary {
  /** Model name. */
  name: string;
  /** All weights, trainable and not (Keras counts batch-norm moving statistics here). */
  totalParams: number;
  /** Trainable weights: the figure torchvision and timm publish as "params". */
  trainableParams: number;
  /** Non-trainable weights (batch-norm moving mean/variance, frozen layers). */
  nonTrainableParams: number;
  /** Multiply-accumulates of one forward pass at batch 1. */
  macs: number;
  /** Floating-point operations, counted as `2 × macs`. */
  flops: number;
  /** Bytes of all layer outputs of one forward pass at batch 1 (float32). */
  activationBytes: number;
  /** Per-layer rows in topological order. */
  layers: LayerSummary[];
}

const counters = new Map<string, LayerMacCounter>();

/**
 * Registers how to count the MACs of a layer class. `@tfzoo/layers` registers its layers here;
 * a layer class without a counter counts zero MACs.
 */
export function registerLayerCounter(className: string, counter: LayerMacCounter): void {
  counters.set(className, counter);
}

function product(values: readonly (number | null)[]): number {
  let result = 1;
  for (const value of values) result *= value ?? 1;
  return result;
}

function asShapeList(shape: Shape | Shape[]): Shape[] {
  return Array.isArray(shape[0]) || shape.length === 0 ? (shape as Shape[]) : [shape as Shape];
}

/** Number of output positions (product of all dims but batch and the last): what a kernel is applied at. */
export function outputPositions(shape: Shape): number {
  return product(shape.slice(1, -1));
}

function kernelMacs({ weightShapes, outputShapes }: LayerCountContext): number {
  const kernel = weightShapes.kernel;
  const out = outputShapes[0];
  if (!kernel || !out) return 0;
  return product(kernel) * outputPositions(out);
}

registerLayerCounter('Conv1D', kernelMacs);
registerLayerCounter('Conv2D', kernelMacs);
registerLayerCounter('Conv3D', kernelMacs);
registerLayerCounter('Dense', kernelMacs);
registerLayerCounter('DepthwiseConv2D', ({ weightShapes, outputShapes }) => {
  const kernel = weightShapes.depthwise_kernel;
  const out = outputShapes[0];
  return kernel && out ? product(kernel) * outputPositions(out) : 0;
});
registerLayerCounter('SeparableConv2D', ({ weightShapes, outputShapes }) => {
  const out = outputShapes[0];
  if (!out) return 0;
  const positions = outputPositions(out);
  return (
    product(weightShapes.depthwise_kernel ?? [0]) * positions +
    product(weightShapes.pointwise_kernel ?? [0]) * positions
  );
});
registerLayerCounter('Conv2DTranspose', ({ weightShapes, inputShapes }) => {
  const kernel = weightShapes.kernel;
  const input = inputShapes[0];
  return kernel && input ? product(kernel) * outputPositions(input) : 0;
});

function shortWeightName(fullName: string): string {
  const parts = fullName.split('/');
  return (parts[parts.length - 1] ?? fullName).replace(/_\d+$/, '');
}

function summarizeInto(layer: SummarizableLayer, prefix: string, rows: LayerSummary[]): void {
  for (const inner of layer.layers ?? []) {
    if (inner.getClassName() === 'InputLayer') continue;
    if (inner.layers) {
      summarizeInto(inner, `${prefix}${inner.name}/`, rows);
      continue;
    }
    const weightShapes: Record<string, number[]> = {};
    for (const weight of [...inner.trainableWeights, ...inner.nonTrainableWeights]) {
      const named = weight as unknown as { name?: string; originalName?: string };
      const key = shortWeightName(named.originalName ?? named.name ?? '');
      weightShapes[key] = [...(weight.shape as number[])];
    }
    const nodes = inner.inboundNodes && inner.inboundNodes.length > 0 ? inner.inboundNodes : [null];
    let macs = 0;
    let activationBytes = 0;
    const counter = counters.get(inner.getClassName());
    for (const node of nodes) {
      const inputShapes = node ? asShapeList(node.inputShapes) : [];
      const outputShapes = node ? asShapeList(node.outputShapes) : asShapeList(inner.outputShape);
      if (counter) macs += counter({ layer: inner, inputShapes, outputShapes, weightShapes });
      for (const shape of outputShapes) activationBytes += 4 * product(shape.slice(1));
    }
    const firstOutput = asShapeList(inner.outputShape)[0] ?? [];
    rows.push({
      name: `${prefix}${inner.name}`,
      className: inner.getClassName(),
      outputShape: firstOutput.slice(1),
      params: inner.countParams(),
      macs,
      activationBytes,
    });
  }
}

function weightCount(weights: { shape: Shape | number[] }[]): number {
  let total = 0;
  for (const weight of weights) total += product(weight.shape as number[]);
  return total;
}

/**
 * Summarizes a built tfjs-layers model: parameters, MACs and activation memory per layer and in
 * total. Shared layers count their parameters once and their MACs once per call.
 *
 * @example
 * ```ts
 * const summary = summarize(model);
 * console.log(formatSummary(summary));
 * console.log(summary.trainableParams, summary.macs / 1e9);
 * ```
 */
export function summarize(model: SummarizableLayer): ModelSummary {
  if (!model || typeof model !== 'object' || !Array.isArray(model.layers)) {
    throw invalidArgument('model', model, 'a built tfjs-layers LayersModel');
  }
  const rows: LayerSummary[] = [];
  summarizeInto(model, '', rows);
  const trainableParams = weightCount(model.trainableWeights);
  const nonTrainableParams = weightCount(model.nonTrainableWeights);
  const macs = rows.reduce((sum, row) => sum + row.macs, 0);
  return {
    name: model.name,
    totalParams: trainableParams + nonTrainableParams,
    trainableParams,
    nonTrainableParams,
    macs,
    flops: 2 * macs,
    activationBytes: rows.reduce((sum, row) => sum + row.activationBytes, 0),
    layers: rows,
  };
}

/** Formats a count with an SI suffix: `15.47G`, `138.36M`, `9.41K`. */
export function formatCount(value: number): string {
  const units: [number, string][] = [
    [1e12, 'T'],
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'K'],
  ];
  for (const [scale, suffix] of units) {
    if (Math.abs(value) >= scale) return `${(value / scale).toFixed(2)}${suffix}`;
  }
  return String(value);
}

function formatBytes(bytes: number): string {
  if (bytes >= 2 ** 30) return `${(bytes / 2 ** 30).toFixed(2)} GiB`;
  if (bytes >= 2 ** 20) return `${(bytes / 2 ** 20).toFixed(2)} MiB`;
  if (bytes >= 2 ** 10) return `${(bytes / 2 ** 10).toFixed(2)} KiB`;
  return `${bytes} B`;
}

/** Renders a {@link ModelSummary} as a fixed-width text table with totals underneath. */
export function formatSummary(summary: ModelSummary): string {
  const header = ['Layer', 'Type', 'Output shape', 'Params', 'MACs'];
  const body = summary.layers.map((row) => [
    row.name,
    row.className,
    `[${row.outputShape.map((d) => d ?? '?').join(', ')}]`,
    row.params.toLocaleString('en-US'),
    row.macs === 0 ? '0' : formatCount(row.macs),
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...body.map((cells) => (cells[column] ?? '').length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) =>
        column >= 3 ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0),
      )
      .join('  ');
  const rule = '─'.repeat(widths.reduce((sum, width) => sum + width, 0) + 2 * (widths.length - 1));
  return [
    `Model: ${summary.name}`,
    rule,
    line(header),
    rule,
    ...body.map(line),
    rule,
    `Total params:         ${summary.totalParams.toLocaleString('en-US')} (${formatCount(summary.totalParams)})`,
    `Trainable params:     ${summary.trainableParams.toLocaleString('en-US')} (${formatCount(summary.trainableParams)})`,
    `Non-trainable params: ${summary.nonTrainableParams.toLocaleString('en-US')}`,
    `MACs (batch 1):       ${formatCount(summary.macs)}  (FLOPs ${formatCount(summary.flops)})`,
    `Activations (batch 1): ${formatBytes(summary.activationBytes)}`,
  ].join('\n');
}
