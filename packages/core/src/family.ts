/**
 * The family contract: one architecture family declares its variants as data, one builder, its
 * pretrained weights and its weight mappings; {@link defineFamily} checks them and registers the
 * models and the mappings together. Mapping ids are derived, `family/source` (`vgg/timm`,
 * `resnet/torchvision`), like timm's `arch.tag` ids are derived from the architecture.
 */
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { describeValue, invalidArgument, ZooError } from './errors.js';
import type { BuildOptions } from './options.js';
import {
  defineModel,
  type ModelDefinition,
  type PretrainedConfig,
  registerAlias,
  registerModel,
} from './registry.js';
import { registerMapping, registerMappingAlias, type WeightMapping } from './weights/mapping.js';

const NAME_PATTERN = /^[a-z][a-z0-9_]*$/;
const SOURCE_PATTERN = /^[a-z][a-z0-9-]*$/;

/**
 * The id a family's mapping is registered under: `family/source`, e.g. `vgg/timm`.
 *
 * @throws {@link ZooError} `INVALID_ARGUMENT` when either part is malformed.
 */
export function familyMappingId(family: string, source: string): string {
  if (typeof family !== 'string' || !NAME_PATTERN.test(family)) {
    throw invalidArgument('family name', family, 'lowercase letters, digits and _');
  }
  if (typeof source !== 'string' || !SOURCE_PATTERN.test(source)) {
    throw invalidArgument(`mapping source of ${family}`, source, 'lowercase letters, digits and -');
  }
  return `${family}/${source}`;
}

/** What a family says about one variant beyond its config (everything optional but the description). */
export interface FamilyVariantInfo {
  /** One-line description for listings. */
  description: string;
  /** Option keys beyond `BuildOptions` this variant's builder takes (default: the family's `options`). */
  options?: readonly string[];
  /** Paper title and link (default: the family's `paper`). */
  paper?: { title: string; url: string };
  /** Reference implementation (default: the family's `reference`). */
  reference?: string;
  /** Tag used when `pretrained: true` (default: the variant's first pretrained entry). */
  defaultTag?: string;
  /**
   * Source keys of the family's `mappings` this variant's reference files use, first the default
   * (default: the family's `defaultMappings`, else every mapping of the family).
   */
  mappings?: readonly string[];
}

/** The declaration {@link defineFamily} takes. */
export interface FamilySpec<Config, Options extends BuildOptions = BuildOptions> {
  /** Family (and package) name, e.g. `vgg`. */
  name: string;
  /** Every variant as data: architecture id → config. */
  variants: Readonly<Record<string, Config>>;
  /** The one builder: a variant's config and build options in, untrained model out. */
  build: (config: Config, options?: Options) => LayersModel;
  /** Option keys beyond `BuildOptions` the builder takes (`createModel` refuses any other key). */
  options: readonly string[];
  /** Per-variant metadata: the description and any field differing from the family's. */
  describe: (arch: string, config: Config) => FamilyVariantInfo;
  /** Paper title and link of the family. */
  paper?: { title: string; url: string };
  /** Reference implementation the layout follows (e.g. `torchvision.models.vgg`). */
  reference?: string;
  /** Every pretrained entry of the family; each is given to the variant its `arch` names. */
  pretrained: readonly PretrainedConfig[];
  /**
   * The family's weight mappings by source (`torchvision`, `timm`, …), registered as
   * `family/source`. An empty object means the family's files use tfzoo's own names (`tfjs`).
   */
  mappings: Readonly<Record<string, WeightMapping>>;
  /** Source keys every variant uses unless its `describe` names others (default: all, in order). */
  defaultMappings?: readonly string[];
  /**
   * Deprecated mapping ids (used before the `family/source` convention) → source key. They keep
   * loading, resolved by `getMapping`, and are not listed by `listMappings`.
   */
  mappingAliases?: Readonly<Record<string, string>>;
  /** Deprecated model ids → `arch` or `arch.tag`, registered with `registerAlias`. */
  modelAliases?: Readonly<Record<string, { target: string; message?: string }>>;
}

/** A registered family: its declaration plus what {@link defineFamily} derived from it. */
export interface Family<Config, Options extends BuildOptions = BuildOptions> {
  /** Family name. */
  readonly name: string;
  /** The variants as data. */
  readonly variants: Readonly<Record<string, Config>>;
  /** The family's builder. */
  readonly build: (config: Config, options?: Options) => LayersModel;
  /** The registered mappings by source key (each with its derived `id`). */
  readonly mappings: Readonly<Record<string, WeightMapping>>;
  /** The derived mapping ids by source key (`{ timm: 'vgg/timm' }`). */
  readonly mappingIds: Readonly<Record<string, string>>;
  /** The registry definitions, one per variant, in the order of `variants`. */
  readonly definitions: readonly ModelDefinition[];
  /**
   * Builds variant `arch` (no registry lookup, no weights).
   *
   * @throws {@link ZooError} `UNKNOWN_MODEL` when `arch` is not a variant of this family.
   */
  create(arch: string, options?: Options): LayersModel;
}

function checkSpec<Config, Options extends BuildOptions>(spec: FamilySpec<Config, Options>): void {
  if (typeof spec?.name !== 'string' || !NAME_PATTERN.test(spec.name)) {
    throw invalidArgument('family name', spec?.name, 'lowercase letters, digits and _');
  }
  if (typeof spec.build !== 'function') {
    throw invalidArgument(`build of family ${spec.name}`, spec.build, 'a builder function');
  }
  if (Object.keys(spec.variants ?? {}).length === 0) {
    throw invalidArgument(`variants of family ${spec.name}`, spec.variants, 'at least one variant');
  }
  const sources = Object.keys(spec.mappings ?? {});
  for (const key of [...(spec.defaultMappings ?? []), ...Object.values(spec.mappingAliases ?? {})]) {
    if (!sources.includes(key)) {
      throw invalidArgument(`mapping source of family ${spec.name}`, key, `one of ${describeValue(sources)}`);
    }
  }
  for (const config of spec.pretrained) {
    if (!(config.arch in spec.variants)) {
      throw invalidArgument(
        `pretrained arch of family ${spec.name}`,
        config.arch,
        `one of ${describeValue(Object.keys(spec.variants))}`,
      );
    }
  }
}

/**
 * Declares a family and registers it: each mapping under `family/source` (plus its deprecated
 * aliases), then one model per variant whose builder is `build(config, options)`, whose pretrained
 * entries are those naming it, and whose mappings are the derived ids. Call it once, in the family
 * package's `family.ts`, so importing the package registers the family.
 *
 * @throws {@link ZooError} `INVALID_ARGUMENT` for a malformed declaration, `DUPLICATE_MODEL` when a
 * variant id is already registered.
 */
export function defineFamily<Config, Options extends BuildOptions = BuildOptions>(
  spec: FamilySpec<Config, Options>,
): Family<Config, Options> {
  checkSpec(spec);
  const mappingIds: Record<string, string> = {};
  for (const source of Object.keys(spec.mappings)) mappingIds[source] = familyMappingId(spec.name, source);
  const allSources = Object.keys(mappingIds);
  const loadable = [...Object.values(mappingIds), 'tfjs', 'default'];
  for (const config of spec.pretrained) {
    if (!loadable.includes(config.mapping)) {
      throw invalidArgument(`mapping of ${config.id}`, config.mapping, `one of ${describeValue(loadable)}`);
    }
  }
  const mappings: Record<string, WeightMapping> = {};
  for (const [source, mapping] of Object.entries(spec.mappings)) {
    mappings[source] = registerMapping(mappingIds[source] as string, mapping);
  }
  for (const [alias, source] of Object.entries(spec.mappingAliases ?? {})) {
    registerMappingAlias(alias, mappingIds[source] as string);
  }
  const definitions = Object.entries(spec.variants).map(([arch, config]) => {
    const info = spec.describe(arch, config);
    const pretrained = spec.pretrained.filter((entry) => entry.arch === arch);
    const sources = info.mappings ?? spec.defaultMappings ?? allSources;
    const ids = sources.map((source) => {
      const id = mappingIds[source];
      if (id === undefined) {
        throw invalidArgument(`mapping of ${arch}`, source, `one of ${describeValue(allSources)}`);
      }
      return id;
    });
    return defineModel({
      name: arch,
      family: spec.name,
      build: (options) => spec.build(config, options as Options),
      options: info.options ?? spec.options,
      description: info.description,
      ...((info.paper ?? spec.paper)
        ? { paper: (info.paper ?? spec.paper) as { title: string; url: string } }
        : {}),
      ...((info.reference ?? spec.reference)
        ? { reference: (info.reference ?? spec.reference) as string }
        : {}),
      ...(pretrained.length > 0 ? { pretrained } : {}),
      ...(info.defaultTag !== undefined ? { defaultTag: info.defaultTag } : {}),
      ...(ids.length > 0 ? { defaultMapping: ids[0] as string, mappings: ids } : {}),
    });
  });
  registerModel(...definitions);
  for (const [alias, { target, message }] of Object.entries(spec.modelAliases ?? {})) {
    registerAlias(alias, target, message);
  }
  return Object.freeze({
    name: spec.name,
    variants: spec.variants,
    build: spec.build,
    mappings: Object.freeze(mappings),
    mappingIds: Object.freeze(mappingIds),
    definitions: Object.freeze(definitions),
    create(arch: string, options?: Options): LayersModel {
      const config = spec.variants[arch];
      if (config === undefined || !Object.hasOwn(spec.variants, arch)) {
        throw new ZooError('UNKNOWN_MODEL', `unknown ${spec.name} variant ${describeValue(arch)}`, {
          received: arch,
          expected: `one of ${describeValue(Object.keys(spec.variants))}`,
        });
      }
      return spec.build(config, options);
    },
  });
}
