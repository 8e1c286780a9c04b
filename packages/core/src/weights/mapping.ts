/**
 * Name mapping from reference state-dict names (torchvision, timm) to TF.js layer weights.
 *
 * tfzoo's layer names mirror the reference module names with `.` replaced by `_` (DESIGN §2), so
 * the default mapping is mechanical and driven by the target model: a reference tensor
 * `<module>.<param>` fills layer `<module with . → _>`, and the layer class's registered
 * {@link WeightLayout} says which weight and which layout transform (`layer1.0.conv1.weight`
 * `[O,I,kh,kw]` → `layer1_0_conv1/kernel` `[kh,kw,I,O]`). A family adds declarative rules on top:
 * renames (timm names onto torchvision-style module paths), explicit per-tensor targets, transform
 * overrides (a classifier stored as a conv), and ignored tensors. Mappings are registered by id so
 * a `PretrainedConfig.mapping` can name one.
 *
 * @example
 * ```ts
 * // timm's mobilenetv2_100 onto a model whose layers follow torchvision's names:
 * registerMapping('timm-mobilenetv2', {
 *   renames: [
 *     { from: 'conv_stem', to: 'features.0.0' },          // a module prefix, both directions
 *     { from: 'bn1', to: 'features.0.1' },
 *     { toModel: (name) => timmBlockToTorchvision(name),   // arbitrary index arithmetic
 *       toReference: (name) => torchvisionBlockToTimm(name) },
 *   ],
 *   transforms: { 'classifier_1/kernel': convAsDenseTransform },   // by model weight
 *   ignore: [/^aux_logits\./],
 * });
 * ```
 */
import { describeValue, invalidArgument, ZooError } from '../errors.js';
import {
  getWeightLayout,
  identityTransform,
  type MappableLayer,
  type ParamLayout,
  resolveTransform,
  type WeightTransform,
} from './layouts.js';

/** A string (matches exactly) or a regular expression (tested against the whole name). */
export type NamePattern = string | RegExp;

/** A module-prefix rename: `from` matches a whole name or a prefix ending at a `.`; reversible. */
export interface PrefixRename {
  /** Reference module path (prefix), e.g. `conv_stem`. */
  from: string;
  /** The module path in the model's naming, e.g. `features.0.0`. */
  to: string;
}

/** A regular-expression rename, optionally with its reverse for saving. */
export interface PatternRename {
  /** Matched against the reference name. */
  pattern: RegExp;
  /** Replacement (with `$1`… groups). */
  replacement: string;
  /** Matched against a model-side name when saving. */
  reversePattern?: RegExp;
  /** Replacement for `reversePattern`. */
  reverseReplacement?: string;
}

/** A rename computed by functions (index arithmetic between numbering schemes). */
export interface FunctionRename {
  /** Reference name → model-side name, or undefined when the rule does not apply. */
  toModel(name: string): string | undefined;
  /** Model-side name → reference name (for saving), or undefined when the rule does not apply. */
  toReference?(name: string): string | undefined;
}

/** One rename rule; the first rule that applies wins. */
export type RenameRule = PrefixRename | PatternRename | FunctionRename;

/** An explicit target for one reference tensor. */
export interface TensorTarget {
  /** Layer name in the model. */
  layer: string;
  /** Short weight name (`kernel`, `bias`, `gamma`, …). */
  weight: string;
  /** Layout transform (default: the layer class's layout for this weight, else identity). */
  transform?: WeightTransform;
}

/** A declarative mapping from reference names to model weights. */
export interface WeightMapping {
  /** Registry id (set by {@link registerMapping}). */
  id?: string;
  /** What the mapping is for. */
  description?: string;
  /** Renames from reference names to the model's (dotted) naming; first applicable rule wins. */
  renames?: readonly RenameRule[];
  /** Explicit targets by reference name; they bypass renames and the default rule. */
  tensors?: Readonly<Record<string, TensorTarget>>;
  /** Transform overrides by model weight key `layer/weight` (e.g. a classifier stored as a conv). */
  transforms?: Readonly<Record<string, WeightTransform>>;
  /** Reference tensors to skip on load and leave out on save (every `*.num_batches_tracked` is always skipped on load). */
  ignore?: readonly NamePattern[];
  /**
   * Reference tensors of optional parts (e.g. auxiliary classifiers a model may be built without):
   * loaded when the model has a weight for them, skipped (reported as ignored) when it has none.
   */
  optional?: readonly NamePattern[];
  /**
   * Module-name tokens containing `_` (e.g. `conv_stem`, `se_module`), so the default inverse of
   * `.`→`_` used by `saveWeights` keeps them whole: `blocks_0_conv_dw` → `blocks.0.conv_dw`.
   */
  compoundNames?: readonly string[];
  /**
   * The source already uses the model's own names (`layer/weight`) and layouts, as TF.js artifacts
   * and `saveWeights(model, path, { names: 'tfjs' })` do: every tensor goes to the slot of the same
   * name, unchanged. The built-in mapping `tfjs` sets this.
   */
  modelNames?: boolean;
  /** Module path → layer name; default replaces `.` with `_`. */
  layerName?: (modulePath: string) => string;
  /** Layer name → module path (for saving); default inverts `.`→`_` with {@link compoundNames}. */
  modulePath?: (layerName: string) => string;
}

const mappings = new Map<string, WeightMapping>();

/** The mechanical mapping with no rules, registered as `default`. */
export const DEFAULT_MAPPING: WeightMapping = Object.freeze({
  id: 'default',
  description: 'module path with . → _',
});
mappings.set('default', DEFAULT_MAPPING);

/** The mapping of files in the model's own names and layouts (TF.js `model.json`, `names: 'tfjs'`). */
export const TFJS_MAPPING: WeightMapping = Object.freeze({
  id: 'tfjs',
  description: "the model's own names (layer/weight) and layouts",
  modelNames: true,
});
mappings.set('tfjs', TFJS_MAPPING);

/**
 * Registers a mapping under `id` so pretrained configs can name it.
 *
 * @throws {@link ZooError} `INVALID_ARGUMENT` when the id is taken by a different mapping.
 */
export function registerMapping(id: string, mapping: WeightMapping): WeightMapping {
  if (typeof id !== 'string' || id.length === 0)
    throw invalidArgument('mapping id', id, 'a non-empty string');
  const existing = mappings.get(id);
  if ((existing && existing !== mapping) || mappingAliases.has(id)) {
    throw new ZooError('INVALID_ARGUMENT', `mapping ${describeValue(id)} is already registered`, {
      received: id,
      expected: 'an id not yet registered',
    });
  }
  const registered = mapping.id === id ? mapping : { ...mapping, id };
  mappings.set(id, registered);
  return registered;
}

const mappingAliases = new Map<string, string>();

/**
 * Registers `alias` as a deprecated id of the registered mapping `target` (a family's mapping ids
 * are `family/source`; the ids used before that convention stay loadable). {@link getMapping}
 * resolves an alias to its target; {@link listMappings} lists targets only.
 *
 * @throws {@link ZooError} `INVALID_ARGUMENT` when `alias` is a mapping id or an alias of another target.
 */
export function registerMappingAlias(alias: string, target: string): void {
  if (typeof alias !== 'string' || alias.length === 0)
    throw invalidArgument('mapping alias', alias, 'a non-empty string');
  getMapping(target);
  const existing = mappingAliases.get(alias);
  if (mappings.has(alias) || (existing !== undefined && existing !== target)) {
    throw new ZooError('INVALID_ARGUMENT', `mapping ${describeValue(alias)} is already registered`, {
      received: alias,
      expected: 'an id not yet registered',
    });
  }
  mappingAliases.set(alias, target);
}

/** The mapping id a deprecated alias stands for, or `undefined` when `id` is no alias. */
export function mappingAliasTarget(id: string): string | undefined {
  return mappingAliases.get(id);
}

/** Removes a registered mapping or mapping alias (for tests and hot reload). */
export function unregisterMapping(id: string): void {
  mappingAliases.delete(id);
  if (id !== 'default' && id !== 'tfjs') mappings.delete(id);
}

/** Registered mapping ids, sorted. */
export function listMappings(): string[] {
  return [...mappings.keys()].sort();
}

/**
 * A mapping by id, or the mapping itself.
 *
 * @throws {@link ZooError} `NOT_FOUND` for an unknown id.
 */
export function getMapping(mapping: string | WeightMapping = 'default'): WeightMapping {
  if (typeof mapping !== 'string') return mapping;
  const found = mappings.get(mappingAliases.get(mapping) ?? mapping);
  if (!found) {
    throw new ZooError('NOT_FOUND', `unknown weight mapping ${describeValue(mapping)}`, {
      received: mapping,
      expected: `one of ${describeValue(listMappings())} (import the family package that registers it)`,
    });
  }
  return found;
}

/** One model weight a mapping can fill. */
export interface WeightSlot {
  /** `layer/weight`, e.g. `layer1_0_conv1/kernel`. */
  key: string;
  /** The layer. */
  layer: MappableLayer;
  /** Short weight name, e.g. `kernel`. */
  weight: string;
  /** Shape of the weight. */
  shape: number[];
  /** The variable (a tfjs-layers `LayerVariable`). */
  variable: SlotVariable;
}

/** The part of a tfjs-layers `LayerVariable` loading uses. */
export interface SlotVariable {
  /** Scoped name, e.g. `conv1/kernel`. */
  originalName: string;
  /** Shape. */
  shape: readonly (number | null)[];
  /** dtype. */
  dtype: string;
  /** Assigns a value of the same shape. */
  write(value: unknown): unknown;
  /** The current value. */
  read(): unknown;
}

/** The part of a tfjs-layers layer or model slots are collected from. */
export interface SlotSource extends MappableLayer {
  /** Sub-layers, when this is a model. */
  layers?: SlotSource[];
  /** The layer's weights. */
  weights?: SlotVariable[];
}

/** Every weight of every leaf layer of a model, by `layer/weight`. */
export function collectWeightSlots(model: SlotSource): Map<string, WeightSlot> {
  const slots = new Map<string, WeightSlot>();
  const visit = (layer: SlotSource): void => {
    if (Array.isArray(layer.layers) && layer.layers.length > 0) {
      for (const child of layer.layers) visit(child);
      return;
    }
    for (const variable of layer.weights ?? []) {
      const scoped = variable.originalName;
      const marker = `${layer.name}/`;
      const index = scoped.lastIndexOf(marker);
      const weight =
        index >= 0 ? scoped.slice(index + marker.length) : scoped.slice(scoped.lastIndexOf('/') + 1);
      const key = `${layer.name}/${weight}`;
      if (!slots.has(key))
        slots.set(key, { key, layer, weight, shape: variable.shape.map((d) => d ?? -1), variable });
    }
  };
  visit(model);
  return slots;
}

/** A reference tensor that fills a model weight. */
export interface ResolvedSlot {
  /** Discriminator. */
  kind: 'slot';
  /** The model weight it fills. */
  slot: WeightSlot;
  /** The layout transform from reference to model. */
  transform: WeightTransform;
}

/** A reference tensor that fills nothing, on purpose (`ignored`) or not (`unmatched`). */
export interface UnresolvedName {
  /** `ignored`: skipped by design; `unmatched`: no model weight matches. */
  kind: 'ignored' | 'unmatched';
  /** Why, for messages. */
  reason: string;
}

/** Where a reference tensor goes, as decided by a mapping. */
export type ResolvedName = ResolvedSlot | UnresolvedName;

/** The reference name of a model weight and the transform between the layouts. */
export interface ReferenceName {
  /** Reference (state-dict) name. */
  name: string;
  /** Layout transform (its `toReference` direction is used for saving). */
  transform: WeightTransform;
}

function matches(pattern: NamePattern, name: string): boolean {
  if (typeof pattern === 'string') return pattern === name;
  pattern.lastIndex = 0;
  return pattern.test(name);
}

function applyRename(
  rule: RenameRule,
  name: string,
  direction: 'toModel' | 'toReference',
): string | undefined {
  if ('from' in rule) {
    const [from, to] = direction === 'toModel' ? [rule.from, rule.to] : [rule.to, rule.from];
    if (name === from) return to;
    if (name.startsWith(`${from}.`)) return `${to}${name.slice(from.length)}`;
    return undefined;
  }
  if ('pattern' in rule) {
    const pattern = direction === 'toModel' ? rule.pattern : rule.reversePattern;
    const replacement = direction === 'toModel' ? rule.replacement : rule.reverseReplacement;
    if (!pattern || replacement === undefined) return undefined;
    pattern.lastIndex = 0;
    if (!pattern.test(name)) return undefined;
    pattern.lastIndex = 0;
    return name.replace(pattern, replacement);
  }
  return direction === 'toModel' ? rule.toModel(name) : rule.toReference?.(name);
}

/** Applies the first applicable rename rule in one direction (the name unchanged when none applies). */
export function renameWith(
  mapping: WeightMapping,
  name: string,
  direction: 'toModel' | 'toReference',
): string {
  for (const rule of mapping.renames ?? []) {
    const renamed = applyRename(rule, name, direction);
    if (renamed !== undefined) return renamed;
  }
  return name;
}

function layersByName(slots: Map<string, WeightSlot>): Map<string, MappableLayer> {
  const layers = new Map<string, MappableLayer>();
  for (const slot of slots.values()) layers.set(slot.layer.name, slot.layer);
  return layers;
}

/**
 * Resolves reference names to model weights for one model and one mapping. Build it once per
 * load; {@link WeightResolver.resolve} is the forward direction, {@link WeightResolver.referenceNames}
 * the reverse used for saving.
 */
export class WeightResolver {
  /** The model's weights by `layer/weight`. */
  readonly slots: Map<string, WeightSlot>;
  /** The mapping in use. */
  readonly mapping: WeightMapping;
  private readonly layers: Map<string, MappableLayer>;
  private readonly explicit = new Map<string, string>();

  constructor(model: SlotSource, mapping: string | WeightMapping = 'default') {
    this.mapping = getMapping(mapping);
    this.slots = collectWeightSlots(model);
    this.layers = layersByName(this.slots);
    for (const [name, target] of Object.entries(this.mapping.tensors ?? {})) {
      this.explicit.set(`${target.layer}/${target.weight}`, name);
    }
  }

  /** True when the mapping ignores this reference name. */
  isIgnored(name: string): boolean {
    return (this.mapping.ignore ?? []).some((pattern) => matches(pattern, name));
  }

  private transformFor(
    slot: WeightSlot,
    layout: ParamLayout | undefined,
    override?: WeightTransform,
  ): WeightTransform {
    return override ?? this.mapping.transforms?.[slot.key] ?? resolveTransform(layout, slot.layer);
  }

  /** Where the reference tensor `name` goes. */
  resolve(name: string): ResolvedName {
    if (this.isIgnored(name)) return { kind: 'ignored', reason: 'ignored by the mapping' };
    const resolved = this.resolveMapped(name);
    if (resolved.kind === 'unmatched' && (this.mapping.optional ?? []).some((p) => matches(p, name))) {
      return { kind: 'ignored', reason: `optional and absent from the model (${resolved.reason})` };
    }
    return resolved;
  }

  private resolveMapped(name: string): ResolvedName {
    const explicit = this.mapping.tensors?.[name];
    if (explicit) {
      const slot = this.slots.get(`${explicit.layer}/${explicit.weight}`);
      if (!slot)
        return {
          kind: 'unmatched',
          reason: `the mapping targets ${explicit.layer}/${explicit.weight}, which the model lacks`,
        };
      const layout = getWeightLayout(slot.layer.getClassName());
      const param = Object.entries(layout?.params ?? {}).find(([, p]) => p.weight === slot.weight)?.[1];
      return { kind: 'slot', slot, transform: this.transformFor(slot, param, explicit.transform) };
    }
    if (this.mapping.modelNames) {
      const slot = this.slots.get(name);
      if (!slot) return { kind: 'unmatched', reason: `the model has no weight ${name}` };
      return { kind: 'slot', slot, transform: identityTransform };
    }
    const renamed = renameWith(this.mapping, name, 'toModel');
    const dot = renamed.lastIndexOf('.');
    if (dot <= 0) return { kind: 'unmatched', reason: `${describeValue(renamed)} is not <module>.<param>` };
    const module = renamed.slice(0, dot);
    let param = renamed.slice(dot + 1);
    if (param === 'num_batches_tracked') return { kind: 'ignored', reason: 'batch-norm step counter' };
    const nameOf = (path: string) =>
      this.mapping.layerName ? this.mapping.layerName(path) : path.replaceAll('.', '_');
    let layerName = nameOf(module);
    let layer = this.layers.get(layerName);
    if (!layer) {
      // A layer that stands for a whole reference sub-tree (squeeze-excite's `se.fc1`, `se.fc2`)
      // declares dotted params (`fc1.weight`): try each ancestor module with the rest as the param.
      const parts = module.split('.');
      for (let cut = parts.length - 1; cut > 0 && !layer; cut--) {
        const ancestor = this.layers.get(nameOf(parts.slice(0, cut).join('.')));
        const nested = [...parts.slice(cut), param].join('.');
        if (ancestor && getWeightLayout(ancestor.getClassName())?.params[nested]) {
          layer = ancestor;
          layerName = ancestor.name;
          param = nested;
        }
      }
    }
    if (!layer) return { kind: 'unmatched', reason: `no layer named ${layerName}` };
    const layout = getWeightLayout(layer.getClassName());
    if (layout?.extras?.[param])
      return { kind: 'ignored', reason: `${layer.getClassName()} has no ${param}` };
    const paramLayout = layout?.params[param];
    const weight = paramLayout?.weight ?? param;
    const slot = this.slots.get(`${layerName}/${weight}`);
    if (!slot) {
      const available = [...this.slots.values()].filter((s) => s.layer === layer).map((s) => s.weight);
      return {
        kind: 'unmatched',
        reason: `layer ${layerName} (${layer.getClassName()}) has no weight ${weight}; it has ${describeValue(available)}`,
      };
    }
    return { kind: 'slot', slot, transform: this.transformFor(slot, paramLayout) };
  }

  /** The default inverse of `.`→`_`: splits at `_`, keeping {@link WeightMapping.compoundNames} whole. */
  modulePathOf(layerName: string): string {
    if (this.mapping.modulePath) return this.mapping.modulePath(layerName);
    const tokens = layerName.split('_');
    const compounds = [...(this.mapping.compoundNames ?? [])]
      .map((c) => c.split('_'))
      .sort((a, b) => b.length - a.length);
    const parts: string[] = [];
    for (let i = 0; i < tokens.length; ) {
      const compound = compounds.find((c) => c.every((t, j) => tokens[i + j] === t));
      if (compound && compound.length > 1) {
        parts.push(compound.join('_'));
        i += compound.length;
      } else {
        parts.push(tokens[i]!);
        i++;
      }
    }
    return parts.join('.');
  }

  /**
   * The reference name of every model weight, for saving. Names come from `template` (reference
   * names, e.g. those of the file the model was loaded from) when it covers a weight, else from
   * the explicit targets, else from the inverse of the default rule and the reverse renames; every
   * derived name is checked by resolving it forward again.
   *
   * @throws {@link ZooError} `WEIGHTS_MISMATCH` naming the weights whose reference name cannot be derived.
   */
  referenceNames(template?: Iterable<string>): Map<string, ReferenceName> {
    const out = new Map<string, ReferenceName>();
    for (const name of template ?? []) {
      const resolved = this.resolve(name);
      if (resolved.kind === 'slot' && !out.has(resolved.slot.key)) {
        out.set(resolved.slot.key, { name, transform: resolved.transform });
      }
    }
    const problems: string[] = [];
    for (const slot of this.slots.values()) {
      if (out.has(slot.key)) continue;
      const explicitName = this.explicit.get(slot.key);
      let name: string;
      if (explicitName !== undefined) name = explicitName;
      else {
        const layout = getWeightLayout(slot.layer.getClassName());
        const param =
          Object.entries(layout?.params ?? {}).find(([, p]) => p.weight === slot.weight)?.[0] ?? slot.weight;
        name = renameWith(this.mapping, `${this.modulePathOf(slot.layer.name)}.${param}`, 'toReference');
      }
      const check = this.resolve(name);
      if (check.kind !== 'slot' || check.slot !== slot) {
        problems.push(
          `${slot.key} → ${name} (${check.kind === 'slot' ? `resolves to ${check.slot.key}` : check.reason})`,
        );
        continue;
      }
      out.set(slot.key, { name, transform: check.transform });
    }
    if (problems.length > 0) {
      throw new ZooError(
        'WEIGHTS_MISMATCH',
        `cannot derive reference names for ${problems.length} weight(s) with mapping ${describeValue(this.mapping.id ?? '(unnamed)')}: ${problems.join('; ')}. ` +
          'Give the mapping compoundNames, modulePath or reverse renames, or pass a template of reference names',
        { received: problems },
      );
    }
    return out;
  }
}
