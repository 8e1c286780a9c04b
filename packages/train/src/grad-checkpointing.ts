/**
 * Activation checkpointing per stage (timm's `set_grad_checkpointing`, `torch.utils.checkpoint`):
 * the forward pass keeps only each stage's input; the backward pass runs the stage's forward again
 * under a tape of its own and takes its gradients from there. The step's activation memory falls
 * from every stage's saved tensors to the stage inputs plus the largest stage's, for one more
 * forward pass of the checkpointed stages.
 *
 * Stages end where the network changes resolution: the feature levels `@tfzoo/core` finds for
 * `featuresOnly` (`findFeatureLevels`, timm's `feature_info`), so every family has them without a
 * list of its own. What follows the last level (pooling and classifier) runs as usual.
 *
 * Each stage is one `tf.customGrad` op whose inputs are the stage's input and its trainable
 * variables, so its gradient reaches the variables through `tf.variableGrads` or
 * `leanVariableGrads` like any other op's. The recompute must repeat the forward exactly:
 * - batch-norm moving statistics moved by the forward are put back after the recompute (moved once);
 * - random layers (dropout, drop-path) draw from `Math.random`: each stage runs under a seed drawn
 *   from it during the forward and the recompute replays that seed, so the masks are the same (the
 *   random stream differs from a run without checkpointing, as in PyTorch with `preserve_rng_state`).
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { type FeatureLevel, featureInfo, findFeatureLevels, withSeed, ZooError } from '@tfzoo/core';
import { type Call, callsBetween, type Release, readersOf, runCalls, type Symbolic } from './layer-graph.js';
import { leanGradients } from './lean-gradients.js';

/** One checkpointed stage of a {@link CheckpointedModel}. */
export interface CheckpointStage {
  /** The layer whose output ends the stage (a feature level's layer). */
  outputLayer: string;
  /** The layers the stage runs, in order. */
  layers: readonly string[];
}

interface Stage {
  input: Symbolic;
  output: Symbolic;
  calls: Call[];
  /** What {@link runCalls} releases as the stage runs: all but its output. */
  release: Release;
  layers: tfl.layers.Layer[];
  first: boolean;
}

interface EngineState {
  state: { activeTape: unknown; gradientDepth: number };
}

function refuse(model: tfl.LayersModel, why: string): never {
  throw new ZooError('UNSUPPORTED', `gradient checkpointing: ${why}`, {
    received: model.name,
    expected: 'a functional model with one input whose stages (feature levels) are joined by one tensor each',
  });
}

/**
 * The stage boundaries of `model`: its `featureInfo` levels for a `featuresOnly` model, else the
 * feature levels of its body (the model up to the global pooling or flatten that starts its head,
 * or the whole model when it ends in a feature map).
 */
function levelsOf(model: tfl.LayersModel): FeatureLevel[] {
  const info = featureInfo(model);
  if (info) return [...info];
  let t = model.outputs[0]!;
  for (;;) {
    if (t.shape.length === 4 && t === model.outputs[0]) return findFeatureLevels(model);
    const layer = t.sourceLayer as tfl.layers.Layer;
    const node = layer.inboundNodes[t.nodeIndex]!;
    if (/^(Global.*Pooling|Flatten)/.test(layer.getClassName())) {
      const body = tfl.model({ inputs: model.inputs, outputs: node.inputTensors[0]! });
      return findFeatureLevels(body);
    }
    if (node.inputTensors.length !== 1 || layer.getClassName() === 'InputLayer') return [];
    t = node.inputTensors[0]!;
  }
}

/**
 * A model whose training-mode forward pass checkpoints its stages (see the module comment). The
 * model's layers and weights are shared, not copied.
 *
 * @example
 * ```ts
 * const checkpointed = new CheckpointedModel(model);
 * const { value, grads } = leanVariableGrads(
 *   () => loss(y, checkpointed.apply(x) as tf.Tensor),
 *   trainableVariables(model),
 * );
 * ```
 */
export class CheckpointedModel {
  /** The model. */
  readonly model: tfl.LayersModel;
  private readonly stageList: Stage[] = [];
  private readonly tail: Call[];
  private readonly tailRelease: Release;

  /**
   * @throws `ZooError` (`UNSUPPORTED`, from `@tfzoo/core`) when the model has no stage boundaries,
   * more than one input, or a tensor that skips over a boundary.
   */
  constructor(model: tfl.LayersModel) {
    this.model = model;
    if (model.inputs.length !== 1) refuse(model, `${model.name} has ${model.inputs.length} inputs, not one`);
    let levels: FeatureLevel[];
    try {
      levels = levelsOf(model);
    } catch {
      levels = [];
    }
    if (levels.length === 0) refuse(model, `${model.name} has no stages (feature levels) to checkpoint`);
    let input = model.inputs[0]!;
    const done = new Set<number>([input.id]);
    for (const level of levels) {
      const output = model.getLayer(level.layerName).output as Symbolic;
      const calls = callsBetween([output], done);
      for (const call of calls) {
        for (const t of call.inputs) {
          if (done.has(t.id) && t.id !== input.id) {
            refuse(
              model,
              `${call.layer.name} reads ${t.name}, which skips over the stage ending at ${input.name}`,
            );
          }
        }
      }
      const layers = [...new Set(calls.map((c) => c.layer))];
      this.stageList.push({
        input,
        output,
        calls,
        release: { readers: readersOf(calls), keep: new Set([output.id]) },
        layers,
        first: input === model.inputs[0],
      });
      for (const call of calls) for (const t of call.outputs) done.add(t.id);
      input = output;
    }
    // The stage outputs are fed to the tail (a features-only model returns several of them).
    const outputs = new Set(this.stageList.map((stage) => stage.output.id));
    this.tail = callsBetween(model.outputs, outputs);
    this.tailRelease = { readers: readersOf(this.tail), keep: new Set(model.outputs.map((t) => t.id)) };
    for (const call of this.tail) {
      for (const t of call.inputs) {
        if (done.has(t.id) && !outputs.has(t.id)) {
          refuse(
            model,
            `${call.layer.name} reads ${t.name}, which skips over the stage ending at ${input.name}`,
          );
        }
      }
    }
  }

  /** The checkpointed stages, in order. */
  get stages(): CheckpointStage[] {
    return this.stageList.map((s) => ({
      outputLayer: s.output.sourceLayer.name,
      layers: [...new Set(s.calls.map((c) => c.layer.name))],
    }));
  }

  /**
   * The model's training-mode forward pass (`model.apply(x, { training: true })`), each stage one
   * checkpointed op. Outside a gradient tape it is a plain forward pass.
   */
  apply(x: tf.Tensor): tf.Tensor | tf.Tensor[] {
    const engine = tf.engine() as unknown as EngineState;
    const values = new Map<number, tf.Tensor>();
    let current = x;
    for (const stage of this.stageList) {
      current =
        engine.state.gradientDepth > 0 ? this.checkpointed(stage, current) : this.runStage(stage, current);
      values.set(stage.output.id, current);
    }
    runCalls(this.tail, values, this.tailRelease);
    const outs = this.model.outputs.map((t) => values.get(t.id)!);
    return outs.length === 1 ? outs[0]! : outs;
  }

  /**
   * For each stage, what `savedBytes` says of the stage's forward pass run alone on the values of
   * `x` (it is given the stage's input), and the bytes of the stage inputs the checkpointed pass
   * keeps (the model input not counted). Moves the batch-norm statistics: the caller puts them
   * back. Used by `estimateTrainingMemory`.
   */
  measureStages(
    x: tf.Tensor,
    savedBytes: (f: () => tf.Tensor, input: tf.Tensor) => number,
  ): { stages: number[]; inputs: number } {
    const stages: number[] = [];
    let inputs = 0;
    let current = tf.clone(x);
    for (const stage of this.stageList) {
      inputs += stage.first ? 0 : current.size * 4;
      const input = current;
      stages.push(savedBytes(() => this.runStage(stage, input), input));
      current = tf.tidy(() => this.runStage(stage, input));
      input.dispose();
    }
    current.dispose();
    return { stages, inputs };
  }

  private runStage(stage: Stage, x: tf.Tensor): tf.Tensor {
    const values = new Map<number, tf.Tensor>([[stage.input.id, x]]);
    runCalls(stage.calls, values, stage.release);
    return values.get(stage.output.id)!;
  }

  private checkpointed(stage: Stage, x: tf.Tensor): tf.Tensor {
    const seed = Math.floor(Math.random() * 2 ** 32);
    const variables = stage.layers.flatMap((l) => l.trainableWeights.map((w) => w.read() as tf.Variable));
    const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const save = args.at(-1) as tf.GradSaveFunc;
      const input = args[0] as tf.Tensor;
      const value = withSeed(seed, () => this.runStage(stage, input));
      save([input]);
      return {
        value,
        gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) =>
          this.recompute(stage, seed, saved[0]!, dy as tf.Tensor, variables),
      };
    });
    return op(x, ...variables);
  }

  /** The stage's gradients for its input (zeros for the model input) and `variables`. */
  private recompute(
    stage: Stage,
    seed: number,
    x: tf.Tensor,
    dy: tf.Tensor,
    variables: readonly tf.Variable[],
  ): tf.Tensor[] {
    const engine = tf.engine() as unknown as EngineState;
    const outerTape = engine.state.activeTape;
    // Copies, not clones: a clone would share the buffer of a variable that a kernel updates in place.
    // (Frozen layers' weights do not move; their moving statistics might, so those are kept too.)
    const state = stage.layers.flatMap((l) =>
      l.nonTrainableWeights.filter((w) => l.trainable || /moving/i.test(w.name)),
    );
    const moved = state.map((w) => tf.add(w.read(), 0));
    const xs = stage.first ? [...variables] : [x, ...variables];
    try {
      const { value, grads } = withSeed(seed, () => leanGradients(() => this.runStage(stage, x), xs, dy));
      value.dispose();
      const zerosFor = (t: tf.Tensor, g: tf.Tensor | undefined): tf.Tensor => g ?? tf.zeros(t.shape);
      const inputGrad = stage.first ? tf.zeros(x.shape) : zerosFor(x, grads[0]);
      const offset = stage.first ? 0 : 1;
      return [inputGrad, ...variables.map((v, i) => zerosFor(v, grads[i + offset]))];
    } finally {
      engine.state.activeTape = outerTape;
      state.forEach((w, i) => {
        w.write(moved[i]!);
      });
      tf.dispose(moved);
    }
  }
}
