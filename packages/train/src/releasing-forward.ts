/**
 * A model's forward pass in training mode that releases each layer's output as soon as the last
 * layer reading it has run.
 *
 * tfjs-layers runs a functional model's layers with every output kept until the whole pass
 * returns (its executor releases intermediates in inference only), so at the end of a training
 * forward pass, the step's peak, every activation the network made is alive: in a ResNet a
 * convolution's output, its batch norm's and its ReLU's, where the backward pass keeps two of them
 * (what each gradient saved). PyTorch frees a tensor when nothing refers to it. Here a layer's
 * output is disposed once its readers have run; what a gradient needs survives, because TF.js's
 * tape saves its own reference (a clone sharing the buffer), and the backward pass reads tensors'
 * ids and shapes only, which a disposed tensor keeps.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { type Call, callsBetween } from './layer-graph.js';

interface Plan {
  calls: Call[];
  /** Per symbolic tensor id: how many calls read it. */
  readers: Map<number, number>;
}

const plans = new WeakMap<tfl.LayersModel, Plan | null>();

/** The calls from the model's inputs to its outputs in order, or null for a graph this cannot walk. */
function planOf(model: tfl.LayersModel): Plan | null {
  const known = plans.get(model);
  if (known !== undefined) return known;
  let plan: Plan | null = null;
  try {
    const fed = new Set(model.inputs.map((t) => t.id));
    const calls = callsBetween(model.outputs, fed);
    const readers = new Map<number, number>();
    for (const call of calls) for (const t of call.inputs) readers.set(t.id, (readers.get(t.id) ?? 0) + 1);
    plan = { calls, readers };
  } catch {
    plan = null;
  }
  plans.set(model, plan);
  return plan;
}

/**
 * `model.apply(x, { training: true })`, releasing each layer's output once the layers that read it
 * have run (see the module comment): the same outputs, values and gradients, with a lower peak.
 * Falls back to `model.apply` for a model whose graph it cannot walk. The caller owns the result.
 */
export function applyReleasing(model: tfl.LayersModel, x: tf.Tensor | tf.Tensor[]): tf.Tensor | tf.Tensor[] {
  const plan = planOf(model);
  const inputs = Array.isArray(x) ? x : [x];
  if (plan === null || inputs.length !== model.inputs.length)
    return model.apply(x, { training: true }) as tf.Tensor;
  const values = new Map<number, tf.Tensor>();
  // References still to come per tensor object (a layer may hand back a tensor it was given).
  const pending = new Map<tf.Tensor, number>();
  const keep = new Set<tf.Tensor>(inputs);
  const hold = (t: tf.Tensor, count: number): void => {
    pending.set(t, (pending.get(t) ?? 0) + count);
  };
  model.inputs.forEach((t, i) => {
    values.set(t.id, inputs[i]!);
  });
  const outputIds = new Set(model.outputs.map((t) => t.id));
  for (const call of plan.calls) {
    const args = call.inputs.map((t) => {
      const value = values.get(t.id);
      if (value === undefined) throw new Error(`applyReleasing: ${t.name} was not computed`);
      return value;
    });
    const out = call.layer.apply(args.length === 1 ? args[0]! : args, { training: true });
    const outs = (Array.isArray(out) ? out : [out]) as tf.Tensor[];
    call.outputs.forEach((t, i) => {
      const value = outs[i]!;
      values.set(t.id, value);
      if (outputIds.has(t.id)) keep.add(value);
      hold(value, plan.readers.get(t.id) ?? 0);
    });
    for (const t of call.inputs) {
      const value = values.get(t.id)!;
      const left = (pending.get(value) ?? 1) - 1;
      pending.set(value, left);
      if (left <= 0 && !keep.has(value)) value.dispose();
    }
    // An output nobody reads (and that is not the model's) goes at once.
    for (const value of outs) if ((pending.get(value) ?? 0) <= 0 && !keep.has(value)) value.dispose();
  }
  const results = model.outputs.map((t) => values.get(t.id)!);
  return results.length === 1 ? results[0]! : results;
}
