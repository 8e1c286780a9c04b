/**
 * The layer calls of a functional tfjs-layers model, walked from its symbolic tensors, and run on
 * concrete ones: shared by activation checkpointing (`CheckpointedModel`) and the releasing forward
 * pass (`applyReleasing`).
 */
import type * as tf from '@tensorflow/tfjs-core';
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

/** How many of `calls` read each symbolic tensor (by id; a call reading one twice counts twice). */
export function readersOf(calls: readonly Call[]): Map<number, number> {
  const readers = new Map<number, number>();
  for (const call of calls) for (const t of call.inputs) readers.set(t.id, (readers.get(t.id) ?? 0) + 1);
  return readers;
}

/** What {@link runCalls} may release: its readers' counts and the ids it must keep. */
export interface Release {
  /** {@link readersOf} the calls. */
  readers: ReadonlyMap<number, number>;
  /** Symbolic ids whose values the caller wants back (the outputs). */
  keep: ReadonlySet<number>;
}

/**
 * Runs `calls` in training mode on the values in `values` (symbolic id → tensor), adding theirs.
 * With `release`, each value a call makes is disposed as soon as the last call reading it has run,
 * unless its id is kept; the values given are never disposed. A gradient's own saved reference
 * keeps what the backward pass needs (TF.js's tape clones what it saves), and the backward pass
 * reads only the ids and shapes of the rest, which a disposed tensor keeps.
 *
 * @throws Error when a call reads a tensor no earlier call made and `values` lacks.
 */
export function runCalls(calls: readonly Call[], values: Map<number, tf.Tensor>, release?: Release): void {
  const given = new Set(values.values());
  // Reads still to come per tensor object (a layer may hand back a tensor it was given).
  const pending = new Map<tf.Tensor, number>();
  const kept = new Set<tf.Tensor>();
  const done = (value: tf.Tensor): void => {
    if ((pending.get(value) ?? 0) <= 0 && !kept.has(value) && !given.has(value)) value.dispose();
  };
  for (const call of calls) {
    const inputs = call.inputs.map((t) => {
      const value = values.get(t.id);
      if (value === undefined) {
        throw new Error(
          `${call.layer.name} reads ${t.name}, which no earlier layer computed and which was not given (given: ${given.size} tensors)`,
        );
      }
      return value;
    });
    const out = call.layer.apply(inputs.length === 1 ? inputs[0]! : inputs, { training: true });
    const outs = (Array.isArray(out) ? out : [out]) as tf.Tensor[];
    call.outputs.forEach((t, i) => {
      const value = outs[i]!;
      values.set(t.id, value);
      if (release === undefined) return;
      if (release.keep.has(t.id)) kept.add(value);
      pending.set(value, (pending.get(value) ?? 0) + (release.readers.get(t.id) ?? 0));
    });
    if (release === undefined) continue;
    for (const value of inputs) {
      pending.set(value, (pending.get(value) ?? 0) - 1);
      done(value);
    }
    for (const value of outs) done(value); // read by no later call, and not kept
  }
}
