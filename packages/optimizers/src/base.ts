/**
 * The base of every tfzoo optimizer: a `tf.Optimizer` (so `model.compile({ optimizer })` and
 * `model.fit` use it) with PyTorch-style per-variable state, parameter groups, a settable learning
 * rate and Keras-style gradient clipping.
 *
 * Conventions follow tfjs-core's own optimizers (`optimizers/adam_optimizer.ts`): slot variables
 * are non-trainable `tf.Variable`s named `<variable>/<slot>`, `getWeights()` returns the `iter`
 * counter first, and every step runs inside `tf.tidy`. Unlike tfjs, state is keyed by variable
 * name (not by position), and step counters are per variable, as in `torch.optim`.
 */
import * as tf from '@tensorflow/tfjs-core';
import { invalidArgument, ZooError } from '@tfzoo/core';
import {
  type ParamGroup,
  type ResolvedParamGroup,
  resolveParamGroup,
  serializeParamGroups,
  validateParamGroups,
} from './param-groups.js';
import { checkNumber, checkOptionalNumber } from './validate.js';

/** A tensor with a name, as `tf.Optimizer.getWeights()` returns them (tfjs-core's `NamedTensor`). */
export interface NamedTensor {
  /** Name, e.g. `dense/kernel/exp_avg`. */
  name: string;
  /** The value. */
  tensor: tf.Tensor;
}

/** Options every tfzoo optimizer accepts. */
export interface BaseOptimizerOptions {
  /** Base learning rate; param groups scale it per variable. Settable later (schedules do). */
  learningRate?: number;
  /** Weight decay (coupled L2 or decoupled, as the optimizer's reference defines it). */
  weightDecay?: number;
  /**
   * Per-variable overrides (weight-decay exclusion, layer-wise learning-rate scale). The first
   * group that selects a variable applies to it.
   */
  paramGroups?: ParamGroup[];
  /** Rescale each gradient so its own L2 norm is at most this (Keras `clipnorm`). */
  clipNorm?: number;
  /** Clamp each gradient element into `[-clipValue, clipValue]` (Keras `clipvalue`). */
  clipValue?: number;
  /**
   * Scale all gradients of a step together so their global L2 norm is at most this, with
   * `torch.nn.utils.clip_grad_norm_`'s formula `min(1, max / (norm + 1e-6))`.
   */
  globalClipNorm?: number;
}

/** One variable's update, as handed to {@link ZooOptimizer.updateVariable}. */
export interface VariableUpdate {
  /** The tfjs variable name. */
  name: string;
  /** The variable to update in place with `assign`. */
  variable: tf.Variable;
  /** Its gradient, already clipped. */
  gradient: tf.Tensor;
  /** Learning rate of this variable: the optimizer's rate times its group's `lrScale`. */
  learningRate: number;
  /** Weight decay of this variable (its group's, else the optimizer's). */
  weightDecay: number;
}

/** Names of the per-variable state an optimizer keeps, in `getWeights()` order. */
export interface StateLayout {
  /** Tensor slots, same shape as the variable (e.g. `exp_avg`). */
  slots: readonly string[];
  /** Scalar numbers per variable (e.g. `step`); `step` is saved as int32, the rest as float32. */
  scalars?: readonly string[];
}

/**
 * Abstract base of the tfzoo optimizers. Subclasses implement {@link ZooOptimizer.updateVariable}
 * (or {@link ZooOptimizer.applyUpdates} when the update couples variables) and `className`.
 */
export abstract class ZooOptimizer extends tf.Optimizer {
  /** Current base learning rate (see {@link ZooOptimizer.learningRate}). */
  protected lr: number;
  /** Default weight decay of variables no param group overrides. */
  readonly weightDecay: number;
  /** The validated param groups. */
  readonly paramGroups: readonly ParamGroup[];
  /** Per-tensor gradient norm clip, if set. */
  readonly clipNorm: number | undefined;
  /** Element-wise gradient clip, if set. */
  readonly clipValue: number | undefined;
  /** Global gradient norm clip, if set. */
  readonly globalClipNorm: number | undefined;

  private readonly layout: StateLayout;
  private readonly slotState = new Map<string, Map<string, tf.Variable>>();
  private readonly scalarState = new Map<string, Map<string, number>>();
  private readonly exported = new Map<string, tf.Variable>();
  private readonly variableOrder: string[] = [];
  private readonly groupCache = new Map<string, ResolvedParamGroup>();

  protected constructor(
    options: BaseOptimizerOptions,
    defaultLearningRate: number,
    defaultWeightDecay: number,
    layout: StateLayout,
  ) {
    super();
    if (options === null || typeof options !== 'object') {
      throw invalidArgument('options', options, 'an options object');
    }
    this.lr = checkNumber('learningRate', options.learningRate, defaultLearningRate, { min: 0 });
    this.weightDecay = checkNumber('weightDecay', options.weightDecay, defaultWeightDecay, { min: 0 });
    this.paramGroups = validateParamGroups(options.paramGroups);
    this.clipNorm = checkOptionalNumber('clipNorm', options.clipNorm, { min: 0, minExclusive: true });
    this.clipValue = checkOptionalNumber('clipValue', options.clipValue, { min: 0, minExclusive: true });
    this.globalClipNorm = checkOptionalNumber('globalClipNorm', options.globalClipNorm, {
      min: 0,
      minExclusive: true,
    });
    const clips = [this.clipNorm, this.clipValue, this.globalClipNorm].filter((c) => c !== undefined);
    if (clips.length > 1) {
      throw invalidArgument(
        'clipNorm / clipValue / globalClipNorm',
        { clipNorm: options.clipNorm, clipValue: options.clipValue, globalClipNorm: options.globalClipNorm },
        'at most one of them (as in Keras)',
      );
    }
    this.layout = layout;
  }

  /**
   * Plain prototype-chain `instanceof`: tfjs makes `Optimizer[Symbol.hasInstance]` duck-typed, which
   * subclasses would inherit (every optimizer would be an instance of every subclass).
   */
  static override [Symbol.hasInstance](instance: unknown): boolean {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the class on the right of instanceof
    return Function.prototype[Symbol.hasInstance].call(this, instance);
  }

  /** The base learning rate. Setting it takes effect at the next step (schedules use this). */
  get learningRate(): number {
    return this.lr;
  }

  set learningRate(value: number) {
    this.lr = checkNumber('learningRate', value, Number.NaN, { min: 0 });
  }

  /** The resolved learning-rate scale and weight decay of variable `name`. */
  protected groupOf(name: string, variable: tf.Variable): ResolvedParamGroup {
    let g = this.groupCache.get(name);
    if (g === undefined) {
      g = resolveParamGroup(this.paramGroups, name, variable, this.weightDecay);
      this.groupCache.set(name, g);
    }
    return g;
  }

  /** Applies the optimizer to `variableGradients`, the tfjs contract `model.fit` relies on. */
  override applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    const pairs: [string, tf.Tensor | null | undefined][] = Array.isArray(variableGradients)
      ? variableGradients.map((v) => [v.name, v.tensor])
      : Object.entries(variableGradients);
    const present = pairs.filter((p): p is [string, tf.Tensor] => p[1] != null);
    tf.tidy(() => {
      const grads = this.clipGradients(present.map(([, g]) => g));
      const updates: VariableUpdate[] = present.map(([name], i) => {
        const variable = tf.engine().registeredVariables[name];
        if (variable === undefined) {
          throw new ZooError(
            'NOT_FOUND',
            `no registered variable is named ${JSON.stringify(name)}; expected the name of a tf.Variable`,
            {
              received: name,
              expected: 'the name of a registered tf.Variable',
            },
          );
        }
        this.track(name);
        const group = this.groupOf(name, variable);
        return {
          name,
          variable,
          gradient: grads[i]!,
          learningRate: this.lr * group.lrScale,
          weightDecay: group.weightDecay,
        };
      });
      this.applyUpdates(updates);
    });
    this.incrementIterations();
  }

  /** Clips the gradients of one step as the clip options say (runs inside `tf.tidy`). */
  protected clipGradients(grads: tf.Tensor[]): tf.Tensor[] {
    if (this.clipValue !== undefined) {
      const v = this.clipValue;
      return grads.map((g) => tf.clipByValue(g, -v, v));
    }
    if (this.clipNorm !== undefined) {
      const c = this.clipNorm;
      return grads.map((g) => tf.div(tf.mul(g, c), tf.maximum(tf.sqrt(tf.sum(tf.square(g))), c)));
    }
    if (this.globalClipNorm !== undefined && grads.length > 0) {
      const norms = tf.stack(grads.map((g) => tf.sqrt(tf.sum(tf.square(g)))));
      const total = tf.sqrt(tf.sum(tf.square(norms)));
      const coef = tf.minimum(tf.div(this.globalClipNorm, tf.add(total, 1e-6)), 1);
      return grads.map((g) => tf.mul(g, coef));
    }
    return grads;
  }

  /** Updates every variable of a step; the default calls {@link ZooOptimizer.updateVariable} on each. */
  protected applyUpdates(updates: VariableUpdate[]): void {
    for (const u of updates) this.updateVariable(u);
  }

  /** Updates one variable in place (runs inside `tf.tidy`). */
  protected abstract updateVariable(update: VariableUpdate): void;

  private track(name: string): void {
    if (!this.variableOrder.includes(name)) this.variableOrder.push(name);
  }

  /** Whether variable `name` has slot `slot` yet. */
  protected hasSlot(name: string, slot: string): boolean {
    return this.slotState.get(slot)?.has(name) ?? false;
  }

  /** Slot `slot` of variable `name` if it exists (never creates it). */
  protected peekSlot(name: string, slot: string): tf.Variable | undefined {
    return this.slotState.get(slot)?.get(name);
  }

  /** Slot `slot` of variable `name`, created from `init()` (zeros by default) on first use. */
  protected slot(update: VariableUpdate, slot: string, init?: () => tf.Tensor): tf.Variable {
    let bySlot = this.slotState.get(slot);
    if (bySlot === undefined) {
      bySlot = new Map();
      this.slotState.set(slot, bySlot);
    }
    let v = bySlot.get(update.name);
    if (v === undefined) {
      v = tf.tidy(() => (init ? init() : tf.zerosLike(update.variable)).variable(false));
      bySlot.set(update.name, v);
    } else if (!tf.util.arraysEqual(v.shape, update.variable.shape)) {
      throw new ZooError(
        'WEIGHTS_MISMATCH',
        `optimizer slot ${update.name}/${slot} has shape [${v.shape}] but the variable has shape [${update.variable.shape}]`,
        { received: v.shape, expected: `[${update.variable.shape}]` },
      );
    }
    return v;
  }

  /** Scalar state `key` of variable `name`, or `fallback` when unset. */
  protected getScalar(name: string, key: string, fallback: number): number {
    return this.scalarState.get(key)?.get(name) ?? fallback;
  }

  /** Sets scalar state `key` of variable `name`. */
  protected setScalar(name: string, key: string, value: number): void {
    let byKey = this.scalarState.get(key);
    if (byKey === undefined) {
      byKey = new Map();
      this.scalarState.set(key, byKey);
    }
    byKey.set(name, value);
  }

  private exportScalar(name: string, value: number, dtype: 'int32' | 'float32'): tf.Variable {
    const existing = this.exported.get(name);
    if (existing !== undefined && existing.dtype === dtype) {
      tf.tidy(() => existing.assign(tf.scalar(value, dtype)));
      return existing;
    }
    existing?.dispose();
    const v = tf.tidy(() => tf.scalar(value, dtype).variable(false));
    this.exported.set(name, v);
    return v;
  }

  /**
   * The optimizer state: `iter` first (tfjs convention), then every slot (slot by slot, variables in
   * first-use order), then the scalar state. The tensors stay owned by the optimizer.
   */
  override async getWeights(): Promise<NamedTensor[]> {
    const out: NamedTensor[] = [
      { name: 'iter', tensor: this.exportScalar('iter', this.iterations, 'int32') },
    ];
    for (const slot of this.layout.slots) {
      const bySlot = this.slotState.get(slot);
      if (bySlot === undefined) continue;
      for (const name of this.variableOrder) {
        const v = bySlot.get(name);
        if (v !== undefined) out.push({ name: `${name}/${slot}`, tensor: v });
      }
    }
    for (const key of this.layout.scalars ?? []) {
      const byKey = this.scalarState.get(key);
      if (byKey === undefined) continue;
      for (const name of this.variableOrder) {
        const value = byKey.get(name);
        if (value === undefined) continue;
        const full = `${name}/${key}`;
        out.push({
          name: full,
          tensor: this.exportScalar(full, value, key === 'step' ? 'int32' : 'float32'),
        });
      }
    }
    return out;
  }

  /**
   * Replaces the whole optimizer state with `weights` as {@link ZooOptimizer.getWeights} returned
   * it (from this or another optimizer of the same class). The tensors are copied.
   */
  override async setWeights(weights: NamedTensor[]): Promise<void> {
    if (!Array.isArray(weights) || weights.length === 0 || weights[0]?.name !== 'iter') {
      throw invalidArgument(
        'weights',
        Array.isArray(weights) ? weights.map((w) => w?.name) : weights,
        'a list starting with the "iter" counter, as getWeights() returns it',
      );
    }
    const slots = new Set(this.layout.slots);
    const scalars = new Set(this.layout.scalars ?? []);
    const parsed: { variable: string; key: string; tensor: tf.Tensor; scalar?: number }[] = [];
    for (const { name, tensor } of weights.slice(1)) {
      const cut = name.lastIndexOf('/');
      const key = name.slice(cut + 1);
      if (cut <= 0 || !(slots.has(key) || scalars.has(key))) {
        throw invalidArgument(
          'weights[].name',
          name,
          `"<variable>/<state>" with <state> one of ${[...slots, ...scalars].map((s) => JSON.stringify(s)).join(', ')} for ${this.getClassName()}`,
        );
      }
      const entry = { variable: name.slice(0, cut), key, tensor } as (typeof parsed)[number];
      if (scalars.has(key)) entry.scalar = (await tensor.data())[0]!;
      parsed.push(entry);
    }
    const iter = (await weights[0]!.tensor.data())[0]!;
    this.clearState();
    this.iterations_ = iter;
    for (const p of parsed) {
      this.track(p.variable);
      if (p.scalar !== undefined) {
        this.setScalar(p.variable, p.key, p.scalar);
      } else {
        let bySlot = this.slotState.get(p.key);
        if (bySlot === undefined) {
          bySlot = new Map();
          this.slotState.set(p.key, bySlot);
        }
        bySlot.set(
          p.variable,
          tf.tidy(() => tf.cast(p.tensor, 'float32').variable(false)),
        );
      }
    }
  }

  private clearState(): void {
    for (const bySlot of this.slotState.values()) for (const v of bySlot.values()) v.dispose();
    this.slotState.clear();
    this.scalarState.clear();
    this.variableOrder.length = 0;
  }

  /** Disposes every slot and exported state tensor the optimizer owns. */
  override dispose(): void {
    this.clearState();
    for (const v of this.exported.values()) v.dispose();
    this.exported.clear();
    super.dispose();
  }

  /** The optimizer-specific part of {@link ZooOptimizer.getConfig}. */
  protected abstract extraConfig(): tf.serialization.ConfigDict;

  /** Every constructor option, so `fromConfig(getConfig())` rebuilds an equal optimizer. */
  override getConfig(): tf.serialization.ConfigDict {
    const config: tf.serialization.ConfigDict = {
      learningRate: this.lr,
      weightDecay: this.weightDecay,
      ...this.extraConfig(),
    };
    if (this.paramGroups.length > 0) config.paramGroups = serializeParamGroups(this.paramGroups);
    if (this.clipNorm !== undefined) config.clipNorm = this.clipNorm;
    if (this.clipValue !== undefined) config.clipValue = this.clipValue;
    if (this.globalClipNorm !== undefined) config.globalClipNorm = this.globalClipNorm;
    return config;
  }

  /** Rebuilds an optimizer from {@link ZooOptimizer.getConfig} (tfjs serialization contract). */
  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    return new cls(config);
  }
}
