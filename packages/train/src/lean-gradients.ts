/**
 * `leanVariableGrads`: `tf.variableGrads` with the memory of the backward pass released as it goes.
 *
 * tfjs-core 4.22's `engine.gradients` keeps, until the whole backward pass ends, every tensor the
 * forward kernels saved for their gradients and the gradient of every intermediate tensor: the
 * peak of a training step is the saved activations *plus* one gradient per activation. PyTorch's
 * autograd frees a node's saved tensors once its backward has run and a gradient once it has been
 * consumed (`torch/csrc/autograd/engine.cpp`); this does the same on tfjs's tape:
 *
 * - saved tensors of kernels not on a path from the variables to the loss are freed before the
 *   backward pass starts (they can never be read);
 * - a node's saved tensors are freed as soon as its input gradients are computed;
 * - the gradient of a node's outputs is freed once the node has consumed it (every consumer of a
 *   tensor comes later on the tape, so its gradient is complete by then), and so is each partial
 *   gradient once it has been added to the running sum.
 *
 * The values are those of `tf.variableGrads` (the same gradient functions run in the same order);
 * only lifetimes change. Nested gradients (a `tf.grad` inside `f`) fall back to `tf.variableGrads`.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ZooError } from '@tfzoo/core';

/** The parts of tfjs-core's tape node this module reads (tfjs-core `src/tape.ts`). */
interface TapeNode {
  id: number;
  kernelName: string;
  outputs: tf.Tensor[];
  inputs: Record<string, tf.Tensor>;
  gradient?: (dys: tf.Tensor[]) => Record<string, () => tf.Tensor>;
  saved?: tf.Tensor[];
}

/** The engine internals `engine.gradients` uses; stable across tfjs-core 4.x. */
interface EngineInternals {
  state: { activeTape: TapeNode[] | null; gradientDepth: number };
  startTape(): void;
  endTape(): void;
  scopedRun<T>(start: () => void, end: () => void, f: () => T): T;
  tidy<T extends tf.TensorContainer>(name: string, f: () => T): T;
}

/** The nodes of `tape` on a path from one of `xs` to `y` (tfjs-core's `getFilteredNodesXToY`). */
function nodesFromXToY(tape: readonly TapeNode[], xs: readonly tf.Tensor[], y: tf.Tensor): TapeNode[] {
  const fromX = new Set<number>(xs.map((x) => x.id));
  const nodesFromX = new Set<number>();
  for (const node of tape) {
    if (Object.values(node.inputs).some((input) => fromX.has(input.id))) {
      for (const output of node.outputs) fromX.add(output.id);
      nodesFromX.add(node.id);
    }
  }
  const leadToY = new Set<number>([y.id]);
  const nodesToY = new Set<number>();
  for (let i = tape.length - 1; i >= 0; i--) {
    const node = tape[i]!;
    if (node.outputs.some((output) => leadToY.has(output.id))) {
      for (const input of Object.values(node.inputs)) leadToY.add(input.id);
      nodesToY.add(node.id);
    }
  }
  const filtered: TapeNode[] = [];
  for (const node of tape) {
    if (!nodesFromX.has(node.id) || !nodesToY.has(node.id)) continue;
    const inputs: Record<string, tf.Tensor> = {};
    for (const [name, input] of Object.entries(node.inputs)) if (fromX.has(input.id)) inputs[name] = input;
    filtered.push({ ...node, inputs });
  }
  return filtered;
}

function disposeSaved(node: TapeNode): void {
  if (node.saved) for (const t of node.saved) t.dispose();
}

/**
 * Gradients of the scalar `f()` with respect to the trainable `variables`, like
 * `tf.variableGrads(f, variables)`, releasing saved activations and intermediate gradients during
 * the backward pass (see the module comment). Returns the value of `f` and the gradients keyed by
 * variable name; variables `f` does not depend on get no entry. The caller disposes both.
 */
export function leanVariableGrads(
  f: () => tf.Scalar,
  variables: readonly tf.Variable[],
): { value: tf.Scalar; grads: tf.NamedTensorMap } {
  const engine = tf.engine() as unknown as EngineInternals;
  const trainable = variables.filter((v) => v.trainable);
  if (engine.state.gradientDepth > 0 || trainable.length === 0) return tf.variableGrads(f, trainable);
  const { value, grads } = leanGradients(f, trainable);
  const named: tf.NamedTensorMap = {};
  trainable.forEach((v, i) => {
    if (grads[i] !== undefined) named[v.name] = grads[i]!;
  });
  if (Object.keys(named).length === 0) {
    tf.dispose(value);
    throw new ZooError(
      'INVALID_ARGUMENT',
      `leanVariableGrads: the loss does not depend on any of the ${trainable.length} trainable variables given (no path from them to it on the tape)`,
      { expected: 'a loss computed from at least one of the variables' },
    );
  }
  return { value: value as tf.Scalar, grads: named };
}

/**
 * The lean backward pass of {@link leanVariableGrads} for any tensors `xs` (inputs or variables):
 * the value of `f()` and, for each of `xs`, the gradient of `f()` weighted by `dy` (default ones:
 * `f` must then return a scalar), or `undefined` where `f` does not depend on it. Runs `f` under a
 * tape of its own, so it may be called inside another backward pass (activation checkpointing's
 * recompute does), but not inside another gradient's forward pass. The caller disposes the tensors
 * returned; `dy` is not disposed.
 */
export function leanGradients(
  f: () => tf.Tensor,
  xs: readonly tf.Tensor[],
  dy?: tf.Tensor,
): { value: tf.Tensor; grads: (tf.Tensor | undefined)[] } {
  const engine = tf.engine() as unknown as EngineInternals;
  if (engine.state.gradientDepth > 0) throw new Error('leanGradients: called inside a gradient tape');
  const y = engine.scopedRun(
    () => engine.startTape(),
    () => engine.endTape(),
    () => engine.tidy('forward', f),
  );
  const tape = engine.state.activeTape ?? [];
  if (!(y instanceof tf.Tensor) || (dy === undefined && y.rank !== 0)) {
    const rank = y instanceof tf.Tensor ? `a rank-${y.rank} tensor of shape [${y.shape}]` : String(y);
    tf.dispose(y);
    for (const node of tape) disposeSaved(node);
    engine.state.activeTape = null;
    throw new ZooError(
      'INVALID_ARGUMENT',
      `leanVariableGrads: the loss must be a scalar (rank-0 tensor); received ${rank}`,
      { received: rank, expected: 'a scalar (rank-0 tensor)' },
    );
  }
  const filtered = nodesFromXToY(tape, xs, y);
  const onPath = new Set(filtered.map((node) => node.id));
  for (const node of tape) if (!onPath.has(node.id)) disposeSaved(node);
  let present: number[] = [];
  let defined: tf.Tensor[];
  try {
    defined = engine.tidy('backward', () => {
      const accumulated = new Map<number, tf.Tensor>([[y.id, dy ? tf.clone(dy) : tf.onesLike(y)]]);
      for (let i = filtered.length - 1; i >= 0; i--) {
        const node = filtered[i]!;
        if (node.gradient == null) {
          throw new Error(`Cannot compute gradient: gradient function not found for ${node.kernelName}.`);
        }
        const dys = node.outputs.map((o) => accumulated.get(o.id) ?? null) as tf.Tensor[];
        const inputGradients = node.gradient(dys);
        for (const [name, x] of Object.entries(node.inputs)) {
          const gradient = inputGradients[name];
          if (gradient === undefined) {
            throw new Error(
              `Cannot backprop through input ${name} of ${node.kernelName}. Available gradients: ${Object.keys(inputGradients)}.`,
            );
          }
          let dx = tf.tidy(gradient);
          if (dx.dtype !== 'float32' || !tf.util.arraysEqual(dx.shape, x.shape)) {
            throw new Error(
              `Error in gradient for op ${node.kernelName}: the gradient of input '${name}' is ${dx.dtype} ${dx.shape}, expected float32 ${x.shape}`,
            );
          }
          // A gradient function may hand back a tensor that is freed below (its dy, a saved tensor).
          if (dys.includes(dx) || node.saved?.includes(dx)) dx = tf.clone(dx);
          const current = accumulated.get(x.id);
          if (current === undefined) {
            accumulated.set(x.id, dx);
          } else {
            accumulated.set(x.id, tf.add(current, dx));
            current.dispose();
            dx.dispose();
          }
        }
        disposeSaved(node);
        for (const o of node.outputs) {
          const consumed = accumulated.get(o.id);
          if (consumed !== undefined) {
            accumulated.delete(o.id);
            consumed.dispose();
          }
        }
      }
      const result = xs.map((x) => accumulated.get(x.id));
      present = result.flatMap((g, i) => (g === undefined ? [] : [i]));
      return result.filter((g): g is tf.Tensor => g !== undefined);
    });
  } catch (error) {
    tf.dispose(y);
    throw error;
  } finally {
    if (engine.state.gradientDepth === 0) {
      for (const node of tape) disposeSaved(node);
      engine.state.activeTape = null;
    }
  }
  const grads: (tf.Tensor | undefined)[] = xs.map(() => undefined);
  present.forEach((i, k) => {
    grads[i] = defined[k];
  });
  return { value: y, grads };
}
