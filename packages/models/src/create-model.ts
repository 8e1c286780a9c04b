/**
 * `createModel(id, options)`: the one call that builds any registered architecture and, when asked,
 * loads its pretrained weights (downloaded, verified by sha256 and cached) or a given weight file —
 * timm's `create_model` for TensorFlow.js.
 */
import type * as tfl from '@tensorflow/tfjs-layers';
import {
  BUILD_OPTION_KEYS,
  type BuildOptions,
  checkOptionKeys,
  detectMapping,
  type FetchProgress,
  fetchCached,
  getMapping,
  getPretrainedConfig,
  invalidArgument,
  loadWeights,
  readRawWeights,
  resolveModelId,
  withSeed,
} from '@tfzoo/core';

/** Options of {@link createModel}: the build contract, family options, and where weights come from. */
export interface CreateModelOptions extends BuildOptions {
  /**
   * Load the registered pretrained weights: `true` for the id's tag (or the architecture's default
   * tag), or a tag such as `'tv_in1k'`.
   */
  pretrained?: boolean | string;
  /** A weight file to load instead: a path or URL to `.safetensors`, `.pth`, or a TF.js `model.json`. */
  weights?: string | URL;
  /**
   * Mapping id for `weights`. Default: detected from the file's tensor names among the
   * architecture's mappings, `default` (reference names) and `tfjs` (tfzoo's own names); a
   * `model.json` uses `tfjs`.
   */
  mapping?: string;
  /** Fail on any unused source tensor or unfilled weight (default true), like PyTorch's `strict=True`. */
  strict?: boolean;
  /**
   * Leave the pretrained classifier out even when `numClasses` equals the weights' (a fresh head
   * for fine-tuning; default false). A different `numClasses` always gives a fresh head.
   */
  freshHead?: boolean;
  /** Seed of the random initialization (`Math.random` is seeded while the model is built). */
  seed?: number;
  /** Download progress for `pretrained`. */
  onProgress?: (progress: FetchProgress) => void;
  /** Cancels the download. */
  signal?: AbortSignal;
  /** Serve weights from the cache only (default: `TFZOO_OFFLINE=1`). */
  offline?: boolean;
  /**
   * Family-specific build options (e.g. `transformInput` for GoogLeNet, `widthMultiplier` for
   * MobileNet). Any key the architecture does not declare is refused, naming the nearest valid one.
   */
  [option: string]: unknown;
}

/** The options {@link createModel} itself takes (the rest go to the builder). */
const LOAD_KEYS = [
  'pretrained',
  'weights',
  'mapping',
  'strict',
  'freshHead',
  'seed',
  'onProgress',
  'signal',
  'offline',
] as const;

/**
 * Builds a registered model, optionally with pretrained weights.
 *
 * - `id` is `arch` or `arch.tag` (timm style). A tag selects a pretrained config (its build options,
 *   e.g. GoogLeNet's `transformInput`, apply); weights load only with `pretrained`.
 * - `pretrained: true | tag` downloads the registered file once (sha256-verified, cached under
 *   `TFZOO_HOME`) and loads it with its mapping. A `numClasses` different from the weights' gives a
 *   fresh classifier, like timm.
 * - `weights: path | URL` loads a given file; its layout (torchvision's, timm's or tfzoo's names)
 *   is detected from its tensor names unless `mapping` names one.
 *
 * @example
 * ```ts
 * import { createModel } from '@tfzoo/models';
 * const model = await createModel('resnet50.tv_in1k', { pretrained: true });
 * const finetune = await createModel('resnet50', { pretrained: true, numClasses: 5 });
 * const fromFile = await createModel('vgg11', { weights: './vgg11.pth' });
 * ```
 * @throws {@link @tfzoo/core!ZooError} for unknown ids, malformed options, missing or corrupt files, checksum
 * mismatches, and weights that do not fit (every problem listed by name).
 */
export async function createModel(id: string, options: CreateModelOptions = {}): Promise<tfl.LayersModel> {
  if (typeof options !== 'object' || options === null) throw invalidArgument('options', options, 'an object');
  const resolved = resolveModelId(id);
  if (resolved.deprecatedAlias !== undefined) {
    const target = resolved.tag ? `${resolved.arch}.${resolved.tag}` : resolved.arch;
    // Node's warning channel; browsers have no `process` (and no equivalent that is not console noise).
    globalThis.process?.emitWarning(`model id "${resolved.deprecatedAlias}" is deprecated; use "${target}"`, {
      type: 'DeprecationWarning',
      code: 'TFZOO_DEPRECATED_ID',
    });
  }
  const { definition } = resolved;
  if (definition.options !== undefined) {
    checkOptionKeys(options, [...LOAD_KEYS, ...BUILD_OPTION_KEYS, ...definition.options], resolved.arch);
  }
  const { pretrained, weights, mapping, strict, freshHead, seed, onProgress, signal, offline } = options;
  if (freshHead !== undefined && typeof freshHead !== 'boolean') {
    throw invalidArgument('freshHead', freshHead, 'a boolean');
  }
  if (pretrained !== undefined && typeof pretrained !== 'boolean' && typeof pretrained !== 'string') {
    throw invalidArgument('pretrained', pretrained, 'true, false or a tag');
  }
  if (pretrained && weights !== undefined) {
    throw invalidArgument(
      'options',
      { pretrained, weights: String(weights) },
      'either pretrained or weights, not both',
    );
  }
  let config = resolved.pretrained;
  if (typeof pretrained === 'string') config = getPretrainedConfig(`${resolved.arch}.${pretrained}`);
  else if (pretrained === true && !config) config = getPretrainedConfig(resolved.arch);

  const buildOptions: Record<string, unknown> = { ...(config?.buildOptions ?? {}) };
  for (const [key, value] of Object.entries(options)) {
    if (!(LOAD_KEYS as readonly string[]).includes(key) && value !== undefined) buildOptions[key] = value;
  }
  // The one place an id's class count is decided: the user's, else the pretrained config's (the id's
  // tag or the loaded weights), else the family's default inside the builder.
  if (config && buildOptions.numClasses === undefined) buildOptions.numClasses = config.numClasses;
  // A different numClasses leaves the stored classifier out: a fresh head, like timm.
  const newHead =
    config !== undefined && (freshHead === true || buildOptions.numClasses !== config.numClasses);
  // Every weight is about to be overwritten by a strict load: families that support it skip the
  // random initialization (seconds for the big models). Not with a fresh head, which needs its init.
  const loadsEverything = (strict ?? true) && (weights !== undefined || (pretrained && config && !newHead));
  if (loadsEverything && buildOptions.skipInit === undefined) buildOptions.skipInit = true;
  // Fetch (or find in the cache) before building: a missing file fails fast, without the build cost.
  let path: string | undefined;
  if (pretrained && config) {
    const { source } = config;
    path = await fetchCached([source.url, ...(source.mirrors ?? [])], {
      ...(source.sha256 ? { sha256: source.sha256 } : {}),
      ...(source.sha256Prefix ? { sha256Prefix: source.sha256Prefix } : {}),
      ...(source.revision ? { revision: source.revision } : {}),
      ...(onProgress ? { onProgress } : {}),
      ...(signal ? { signal } : {}),
      ...(offline === undefined ? {} : { offline }),
      hint: `run \`tfzoo download ${config.id}\` while online, or put the file in the cache (tfzoo cache list)`,
    });
  }
  const model = withSeed(seed, () => definition.build(buildOptions));
  try {
    if (path !== undefined && config) {
      const fileName = config.source.url.split('/').pop() ?? config.id;
      await loadWeights(model, path, {
        mapping: config.mapping,
        strict: strict ?? true,
        fileName,
        ...(newHead ? { exclude: config.classifier } : {}),
      });
    } else if (weights !== undefined) {
      const location = weights instanceof URL ? weights.href : weights;
      if (typeof location !== 'string' || location.length === 0) {
        throw invalidArgument('weights', weights, 'a path or URL of a weight file');
      }
      if (mapping !== undefined || /\.json$/i.test(location)) {
        const mappingId = mapping ?? 'tfjs';
        getMapping(mappingId);
        await loadWeights(model, location, { mapping: mappingId, strict: strict ?? true });
      } else {
        // Read once, then let the tensor names pick the layout (torchvision's, timm's or tfzoo's).
        const fileName = location.split(/[\\/]/).pop() ?? location;
        const tensors = await readRawWeights(location, { fileName });
        const { mapping: detected } = await detectMapping(model, tensors, {
          candidates: [
            ...(definition.defaultMapping === undefined ? [] : [definition.defaultMapping]),
            ...(definition.mappings ?? []),
            'default',
            'tfjs',
          ],
          strict: strict ?? true,
          fileName,
        });
        await loadWeights(model, tensors, { mapping: detected, strict: strict ?? true, fileName });
      }
    }
  } catch (error) {
    model.dispose();
    throw error;
  }
  return model;
}
