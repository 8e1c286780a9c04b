/**
 * The layer calls of a functional tfjs-layers model, walked from its symbolic tensors: shared by
 * activation checkpointing (`CheckpointedModel`) and the releasing forward pass (`applyReleasing`).
 */
import type * as tfl from '@tensorflow/tfjs-layers';

/** A symbolic tensor of a functional model (the tfjs-layers fields this module reads). */
export type Symbolic = tfl.SymbolicTensor;

/** One layer call of the model's graph: its layer, its inputs and its outputs. */
export interface Call {
  layer: tfl.layers.Layer;
  inputs: Symbolic[];
  outputs: Symbolic[];
}

/** The calls computing `fetches` from `fed` (every tensor not computed from `fed` must be fed), in order. */
export function callsBetween(fetches: readonly Symbolic[], fed: ReadonlySet<number>): Call[] {
  const order: Call[] = [];
  const seen = new Set<string>();
  const visit = (t: Symbolic): void => {
    if (fed.has(t.id)) return;
    const layer = t.sourceLayer as tfl.layers.Layer;
    const key = `${layer.name}/${t.nodeIndex}`;
    if (seen.has(key)) return;
    seen.add(key);
    if (layer.getClassName() === 'InputLayer') return;
    const node = layer.inboundNodes[t.nodeIndex]!;
    for (const input of node.inputTensors) visit(input);
    order.push({ layer, inputs: node.inputTensors, outputs: node.outputTensors });
  };
  for (const t of fetches) visit(t);
  return order;
}
