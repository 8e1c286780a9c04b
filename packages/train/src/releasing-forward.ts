/**
 * A model's forward pass in training mode that releases each layer's output as soon as the last
 * layer reading it has run.
 *
 * tfjs-layers runs a functional model's layers with every output kept until the whole pass
 * returns (its executor releases intermediates in inference only), so at the end of a training
 * forward pass, the step's peak, every activation the network made is alive: in a ResNet a
 * convolution's output, its batch norm's and its ReLU's, where the backward pass keeps two of them
 * (what each gradient saved). PyTorch frees a tensor when nothing refers to it. Here the layers run
 * through {@link runCalls} with release (see there why the backward pass still has what it needs).
 */
import type * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { invalidArgument } from '@tfzoo/core';
import { type Call, callsBetween, type Release, readersOf, runCalls } from './layer-graph.js';

/** Per model: its calls from inputs to outputs, and what running them may release. */
const plans = new WeakMap<tfl.LayersModel, { calls: Call[]; release: Release }>();

/**
 * `model.apply(x, { training: true })`, releasing each layer's output once the layers that read it
 * have run (see the module comment): the same outputs, values and gradients, with a lower peak.
 * The caller owns the result; `x` is left alone.
 *
 * @throws `ZooError` (`INVALID_ARGUMENT`) when `x` is not one tensor per model input.
 */
export function applyReleasing(model: tfl.LayersModel, x: tf.Tensor | tf.Tensor[]): tf.Tensor | tf.Tensor[] {
  const inputs = Array.isArray(x) ? x : [x];
  if (inputs.length !== model.inputs.length) {
    throw invalidArgument(
      'applyReleasing: x',
      `${inputs.length} tensors`,
      `one tensor per model input (${model.inputs.length})`,
    );
  }
  let plan = plans.get(model);
  if (plan === undefined) {
    const calls = callsBetween(model.outputs, new Set(model.inputs.map((t) => t.id)));
    plan = { calls, release: { readers: readersOf(calls), keep: new Set(model.outputs.map((t) => t.id)) } };
    plans.set(model, plan);
  }
  const values = new Map(model.inputs.map((t, i) => [t.id, inputs[i]!] as const));
  runCalls(plan.calls, values, plan.release);
  const results = model.outputs.map((t) => values.get(t.id)!);
  return results.length === 1 ? results[0]! : results;
}
