/**
 * Magnitude pruning during training, as TF-MOT's `prune_low_magnitude` + `UpdatePruningStep` do it
 * but without wrapper layers: a {@link MagnitudePruning} callback of `@tfzoo/train` keeps one mask
 * per kernel, updates the masks on the schedule's steps, multiplies every gradient by its mask
 * before the optimizer step, zeroes the optimizer's slots (momenta) of pruned weights when the masks
 * change, and re-applies the masks after every step. Pruned weights therefore stay exactly zero
 * through fine-tuning, whatever the optimizer. The model stays a plain model throughout;
 * {@link stripPruning} applies the masks a last time and releases them.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { invalidArgument } from '@tfzoo/core';
import type { TrainCallback, TrainContext } from '@tfzoo/train';
import { magnitudeMasks, type PruningScope } from './magnitude.js';
import { type PrunableWeight, prunableWeights } from './prunable.js';
import type { PruningSchedule } from './schedule.js';
import { checkKeys } from './validate.js';

/** Options of {@link MagnitudePruning}. */
export interface MagnitudePruningOptions {
  /** When and how far to prune (`constantSparsity`, `polynomialDecay`). */
  schedule: PruningSchedule;
  /** `layer` (default): every kernel to the same sparsity; `global`: one magnitude threshold. */
  scope?: PruningScope;
  /** Layers to leave dense. */
  exclude?: readonly string[];
  /** Called after each mask update with the step and the sparsity applied. */
  onUpdate?: (step: number, sparsity: number) => void;
}

function isVariable(tensor: tf.Tensor): tensor is tf.Variable {
  return tensor instanceof tf.Variable;
}

/**
 * Prunes a model's conv and dense kernels by magnitude while it trains. Pass it to `train`'s
 * `callbacks`; a resumed run recovers the masks from the zeros of the checkpointed weights.
 *
 * @example
 * ```ts
 * const pruning = new MagnitudePruning({ schedule: polynomialDecay({ finalSparsity: 0.75, endStep: 2000 }) });
 * await train({ model, data, epochs: 2, optimizer, callbacks: [pruning] });
 * stripPruning(model, pruning);
 * ```
 */
export class MagnitudePruning implements TrainCallback {
  /** The schedule. */
  readonly schedule: PruningSchedule;
  /** The scope of the magnitude threshold. */
  readonly scope: PruningScope;
  private readonly exclude: readonly string[];
  private readonly onUpdate: ((step: number, sparsity: number) => void) | undefined;
  private model: tfl.LayersModel | undefined;
  private targets: PrunableWeight[] = [];
  /** Current masks by variable name (1 keep, 0 pruned). */
  readonly masks = new Map<string, tf.Tensor>();

  /** Creates the callback; masks are made when training begins (or on {@link MagnitudePruning.attach}). */
  constructor(options: MagnitudePruningOptions) {
    const given = checkKeys(options, ['schedule', 'scope', 'exclude', 'onUpdate']);
    if (typeof given.schedule?.shouldPrune !== 'function') {
      throw invalidArgument(
        'schedule',
        given.schedule,
        'a PruningSchedule (constantSparsity, polynomialDecay)',
      );
    }
    if (given.scope !== undefined && given.scope !== 'layer' && given.scope !== 'global') {
      throw invalidArgument('scope', given.scope, "'layer' or 'global'");
    }
    this.schedule = given.schedule;
    this.scope = given.scope ?? 'layer';
    this.exclude = given.exclude ?? [];
    this.onUpdate = given.onUpdate;
  }

  /** The model the callback is bound to. */
  get boundModel(): tfl.LayersModel | undefined {
    return this.model;
  }

  /** The kernels being pruned. */
  get weights(): readonly PrunableWeight[] {
    return this.targets;
  }

  /**
   * Binds the callback to `model`: masks start as the non-zero pattern of each kernel (all ones for
   * a dense model; the pruned pattern for weights saved mid-pruning).
   */
  attach(model: tfl.LayersModel): void {
    this.releaseMasks();
    this.model = model;
    this.targets = prunableWeights(model, { exclude: this.exclude });
    for (const t of this.targets) {
      this.masks.set(
        t.name,
        tf.tidy(() => tf.cast(tf.notEqual(t.variable, 0), 'float32')),
      );
    }
  }

  /**
   * Recomputes the masks for `sparsity` now, applies them, and zeroes the pruned entries of the
   * optimizer's per-variable state (when given).
   */
  async prune(sparsity: number, optimizer?: tf.Optimizer): Promise<void> {
    if (!this.model) throw invalidArgument('model', undefined, 'attach(model) or training before prune()');
    const masks = await magnitudeMasks(
      this.targets.map((t) => t.variable),
      sparsity,
      this.scope,
    );
    this.releaseMasks();
    this.targets.forEach((t, i) => {
      this.masks.set(t.name, masks[i]!);
    });
    this.applyMasks();
    if (optimizer) await this.maskOptimizerState(optimizer);
  }

  /** Multiplies every pruned kernel by its mask. */
  applyMasks(): void {
    for (const t of this.targets) {
      const mask = this.masks.get(t.name);
      if (mask) tf.tidy(() => t.variable.assign(tf.mul(t.variable, mask)));
    }
  }

  /** Multiplies the optimizer's slots of each pruned variable (`<name>/<slot>`) by the mask. */
  async maskOptimizerState(optimizer: tf.Optimizer): Promise<void> {
    const state = await optimizer.getWeights();
    for (const { name, tensor } of state) {
      if (!isVariable(tensor)) {
        tensor.dispose(); // tfjs' own optimizers hand out a fresh `iter` scalar
        continue;
      }
      const cut = name.lastIndexOf('/');
      const mask = cut > 0 ? this.masks.get(name.slice(0, cut)) : undefined;
      if (mask && tf.util.arraysEqual(mask.shape, tensor.shape)) {
        tf.tidy(() => tensor.assign(tf.mul(tensor, mask)));
      }
    }
  }

  private async step(step: number, optimizer: tf.Optimizer): Promise<void> {
    if (!this.schedule.shouldPrune(step)) return;
    const sparsity = this.schedule.sparsity(step);
    await this.prune(sparsity, optimizer);
    this.onUpdate?.(step, sparsity);
  }

  /** Binds to the model being trained and prunes when the schedule says so at the start step. */
  async onTrainBegin(context: TrainContext): Promise<void> {
    if (this.model !== context.model) this.attach(context.model);
    this.applyMasks();
    await this.maskOptimizerState(context.optimizer);
    await this.step(context.state.step, context.optimizer);
  }

  /** Masks the gradients of pruned kernels. */
  transformGradients(grads: tf.NamedTensorMap): tf.NamedTensorMap {
    const out: tf.NamedTensorMap = { ...grads };
    for (const [name, mask] of this.masks) {
      const g = grads[name];
      if (g) out[name] = tf.mul(g, mask);
    }
    return out;
  }

  /** Re-applies the masks and updates them on the schedule's steps. */
  async onBatchEnd(_batch: number, _logs: unknown, context: TrainContext): Promise<void> {
    this.applyMasks();
    await this.step(context.state.step, context.optimizer);
  }

  /** Applies the masks a last time. */
  onTrainEnd(): void {
    this.applyMasks();
  }

  private releaseMasks(): void {
    tf.dispose([...this.masks.values()]);
    this.masks.clear();
  }

  /** Releases the masks. */
  dispose(): void {
    this.releaseMasks();
    this.targets = [];
    this.model = undefined;
  }
}

/**
 * Gives the plain model back: applies the pruning masks a last time and releases them. (The model
 * never held wrapper layers, so its topology and weight names are those it had before pruning.)
 */
export function stripPruning(model: tfl.LayersModel, pruning: MagnitudePruning): tfl.LayersModel {
  if (pruning.boundModel !== undefined && pruning.boundModel !== model) {
    throw invalidArgument(
      'pruning',
      'a callback bound to another model',
      'the callback that pruned this model',
    );
  }
  pruning.applyMasks();
  pruning.dispose();
  return model;
}

/** Sparsity of one kernel. */
export interface WeightSparsity {
  /** Layer name. */
  layer: string;
  /** Variable name. */
  name: string;
  /** Shape. */
  shape: number[];
  /** Number of elements. */
  size: number;
  /** Elements exactly zero. */
  zeros: number;
  /** zeros / size. */
  sparsity: number;
}

/** Per-kernel and overall sparsity of a model's prunable kernels. */
export interface SparsityReport {
  /** One entry per conv / dense kernel. */
  weights: WeightSparsity[];
  /** Elements of all kernels. */
  size: number;
  /** Zeros of all kernels. */
  zeros: number;
  /** zeros / size over the kernels. */
  sparsity: number;
  /** Every weight of the model (kernels, biases, batch-norm), for the model-level fraction. */
  modelSize: number;
}

/** Counts the zeros of every conv and dense kernel. */
export async function sparsityReport(model: tfl.LayersModel): Promise<SparsityReport> {
  const weights: WeightSparsity[] = [];
  for (const t of prunableWeights(model)) {
    const values = await t.variable.data();
    let zeros = 0;
    for (let i = 0; i < values.length; i++) if (values[i] === 0) zeros++;
    weights.push({
      layer: t.layer,
      name: t.name,
      shape: [...t.variable.shape],
      size: values.length,
      zeros,
      sparsity: values.length ? zeros / values.length : 0,
    });
  }
  const size = weights.reduce((n, w) => n + w.size, 0);
  const zeros = weights.reduce((n, w) => n + w.zeros, 0);
  const modelSize = model.weights.reduce((n, w) => n + tf.util.sizeFromShape(w.shape as number[]), 0);
  return { weights, size, zeros, sparsity: size ? zeros / size : 0, modelSize };
}

/** The report as an aligned text table. */
export function formatSparsityReport(report: SparsityReport): string {
  const rows = [
    ['layer', 'shape', 'params', 'zeros', 'sparsity'],
    ...report.weights.map((w) => [
      w.layer,
      w.shape.join('×'),
      String(w.size),
      String(w.zeros),
      `${(100 * w.sparsity).toFixed(1)}%`,
    ]),
    ['kernels', '', String(report.size), String(report.zeros), `${(100 * report.sparsity).toFixed(1)}%`],
  ];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return `${rows
    .map((r) =>
      r
        .map((cell, c) => cell.padEnd(widths[c]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')}\n`;
}
