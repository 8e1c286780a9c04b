/**
 * Per-variable hyper-parameters: PyTorch's "parameter groups" keyed by tfjs variable names.
 *
 * Reference: `torch.optim.Optimizer` param groups; timm `optim/_param_groups.py`
 * (`param_groups_weight_decay`, `param_groups_layer_decay`), which exclude biases and 1-D
 * parameters from weight decay and scale the learning rate per layer for fine-tuning
 * (BEiT, arXiv:2106.08254, "layer-wise learning-rate decay").
 */
import type * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { invalidArgument, ZooError } from '@tfzoo/core';

/**
 * Selects variables by their tfjs variable name: a RegExp tested against the name, a string equal
 * to the name, or a predicate that also sees the variable (its shape, rank, dtype).
 */
export type VariableMatcher = RegExp | string | ((name: string, variable: tf.Variable) => boolean);

/**
 * Hyper-parameters for the variables a group selects. Each setting of a variable comes from the
 * first group that selects it and defines that setting, so `[noWeightDecayFor1d(),
 * ...layerwiseLrDecay(model, 0.75)]` combines both; unset settings fall back to the optimizer's.
 */
export interface ParamGroup {
  /** Which variables by name; omitted selects every name (narrow it with `maxRank`). */
  match?: VariableMatcher;
  /** Only variables whose rank is at most this (1 selects biases and batch-norm γ/β). */
  maxRank?: number;
  /** Multiplies the optimizer's learning rate for these variables (layer-wise decay). */
  lrScale?: number;
  /** Replaces the optimizer's weight decay for these variables (0 excludes them). */
  weightDecay?: number;
}

/** The hyper-parameters of one variable once the groups are resolved. */
export interface ResolvedParamGroup {
  /** Factor applied to the optimizer's learning rate. */
  lrScale: number;
  /** Weight decay of the variable (the optimizer's own unless a group sets it). */
  weightDecay: number;
}

/** Whether `group` selects the variable `name`. */
export function groupMatches(group: ParamGroup, name: string, variable: tf.Variable): boolean {
  if (group.maxRank !== undefined && variable.rank > group.maxRank) return false;
  const match = group.match;
  if (match === undefined) return true;
  if (typeof match === 'string') return match === name;
  if (match instanceof RegExp) {
    match.lastIndex = 0;
    return match.test(name);
  }
  return match(name, variable);
}

/** The hyper-parameters of variable `name`: per setting, the first selecting group's, else the default. */
export function resolveParamGroup(
  groups: readonly ParamGroup[],
  name: string,
  variable: tf.Variable,
  defaultWeightDecay: number,
): ResolvedParamGroup {
  let lrScale: number | undefined;
  let weightDecay: number | undefined;
  for (const group of groups) {
    if (
      (group.lrScale === undefined || lrScale !== undefined) &&
      (group.weightDecay === undefined || weightDecay !== undefined)
    ) {
      continue;
    }
    if (!groupMatches(group, name, variable)) continue;
    lrScale ??= group.lrScale;
    weightDecay ??= group.weightDecay;
  }
  return { lrScale: lrScale ?? 1, weightDecay: weightDecay ?? defaultWeightDecay };
}

/** Checks user-supplied groups and returns a frozen copy; throws naming the bad field. */
export function validateParamGroups(groups: unknown, what = 'paramGroups'): ParamGroup[] {
  if (groups === undefined || groups === null) return [];
  if (!Array.isArray(groups)) throw invalidArgument(what, groups, 'an array of param groups');
  return groups.map((group: unknown, i) => {
    if (typeof group !== 'object' || group === null) {
      throw invalidArgument(`${what}[${i}]`, group, 'an object { match?, maxRank?, lrScale?, weightDecay? }');
    }
    const g = group as Record<string, unknown>;
    const known = new Set(['match', 'maxRank', 'lrScale', 'weightDecay']);
    for (const key of Object.keys(g)) {
      if (!known.has(key)) {
        throw invalidArgument(
          `${what}[${i}].${key}`,
          g[key],
          'absent (known fields: match, maxRank, lrScale, weightDecay)',
        );
      }
    }
    const match = deserializeMatcher(g.match, `${what}[${i}].match`);
    for (const key of ['maxRank', 'lrScale', 'weightDecay'] as const) {
      const v = g[key];
      if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v) || v < 0)) {
        throw invalidArgument(`${what}[${i}].${key}`, v, 'a finite number ≥ 0');
      }
    }
    const out: ParamGroup = {};
    if (match !== undefined) out.match = match;
    if (g.maxRank !== undefined) out.maxRank = g.maxRank as number;
    if (g.lrScale !== undefined) out.lrScale = g.lrScale as number;
    if (g.weightDecay !== undefined) out.weightDecay = g.weightDecay as number;
    return Object.freeze(out);
  });
}

function deserializeMatcher(match: unknown, what: string): VariableMatcher | undefined {
  if (match === undefined || match === null) return undefined;
  if (typeof match === 'string' || typeof match === 'function' || match instanceof RegExp) {
    return match as VariableMatcher;
  }
  if (typeof match === 'object' && typeof (match as { regex?: unknown }).regex === 'string') {
    const { regex, flags } = match as { regex: string; flags?: string };
    return new RegExp(regex, flags ?? '');
  }
  throw invalidArgument(what, match, 'a RegExp, a variable name, a predicate (name, variable) => boolean');
}

/**
 * JSON form of param groups for `getConfig`: RegExps become `{ regex, flags }`. Predicates cannot be
 * serialized and throw; use a RegExp or an exact name when the optimizer must be saved.
 */
export function serializeParamGroups(groups: readonly ParamGroup[]): tf.serialization.ConfigDict[] {
  return groups.map((group, i) => {
    const out: tf.serialization.ConfigDict = {};
    if (group.match instanceof RegExp) out.match = { regex: group.match.source, flags: group.match.flags };
    else if (typeof group.match === 'string') out.match = group.match;
    else if (typeof group.match === 'function') {
      throw new ZooError(
        'UNSUPPORTED',
        `paramGroups[${i}].match is a function, which getConfig cannot serialize; expected a RegExp or a variable name`,
        { received: group.match, expected: 'a RegExp or a variable name' },
      );
    }
    if (group.maxRank !== undefined) out.maxRank = group.maxRank;
    if (group.lrScale !== undefined) out.lrScale = group.lrScale;
    if (group.weightDecay !== undefined) out.weightDecay = group.weightDecay;
    return out;
  });
}

/**
 * The usual weight-decay exclusion (timm's `param_groups_weight_decay`): variables of rank ≤ 1
 * (biases, batch-norm γ and β) get no weight decay. Combine it with other groups freely.
 */
export function noWeightDecayFor1d(): ParamGroup {
  return { maxRank: 1, weightDecay: 0 };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Options of {@link layerwiseLrDecay}. */
export interface LayerwiseLrDecayOptions {
  /**
   * Maps a layer name to its block name, so that several layers share one depth (e.g. every layer
   * of `layer1_0_*` forms block `layer1_0`). Default: each layer with trainable weights is a block.
   */
  blockOf?: (layerName: string) => string;
}

/**
 * Param groups for layer-wise learning-rate decay (BEiT / timm `param_groups_layer_decay`): the
 * last block trains at the full rate, each block before it at `decay` times the next one, so block
 * `i` of `n` gets `lrScale = decay^(n - 1 - i)`. Blocks are ordered as the model's layers.
 *
 * Groups match exact variable names (as a RegExp, so they serialize with the optimizer).
 */
export function layerwiseLrDecay(
  model: tfl.LayersModel,
  decay: number,
  options: LayerwiseLrDecayOptions = {},
): ParamGroup[] {
  if (typeof decay !== 'number' || !(decay > 0 && decay <= 1)) {
    throw invalidArgument('decay', decay, 'a number in (0, 1]');
  }
  const blockOf = options.blockOf ?? ((name: string) => name);
  const blocks: string[] = [];
  const names = new Map<string, string[]>();
  for (const layer of model.layers) {
    const weights = layer.trainableWeights;
    if (weights.length === 0) continue;
    const block = blockOf(layer.name);
    if (!names.has(block)) {
      blocks.push(block);
      names.set(block, []);
    }
    names.get(block)!.push(...weights.map((w) => w.name));
  }
  return blocks.map((block) => ({
    match: new RegExp(`^(?:${names.get(block)!.map(escapeRegExp).join('|')})$`),
    lrScale: decay ** (blocks.length - 1 - blocks.indexOf(block)),
  }));
}
