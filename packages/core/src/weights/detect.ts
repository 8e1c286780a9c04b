/**
 * Checkpoint layout detection: which registered mapping loads a file into a model. Every candidate
 * is tried as a dry run of {@link loadWeights} (names, shapes, strictness; nothing assigned); the one
 * that fits wins. Mappings that fit with the same load plan are the same answer (the first is kept).
 */
import { ZooError } from '../errors.js';
import { loadWeights, type WeightsInput } from './load.js';
import { getMapping, type SlotSource } from './mapping.js';

/** Options of {@link detectMapping}. */
export interface DetectMappingOptions {
  /** Mapping ids to try, in order of preference. */
  candidates: readonly string[];
  /**
   * Strict fit (default true): every source tensor used and every model weight filled. Not strict:
   * a mapping fits when its shapes agree, and only the mappings loading the most tensors count.
   */
  strict?: boolean;
  /** Reference module names left out of the fit (a fresh head); see `LoadWeightsOptions.exclude`. */
  exclude?: string | readonly string[];
  /** Names the file and the model in messages. */
  fileName?: string;
}

/** One tried mapping and why it did not fit (absent when it fit). */
export interface MappingTrial {
  /** Mapping id. */
  mapping: string;
  /** The first problems of the dry run, or `undefined` when the mapping fits. */
  problem?: string;
}

/** The result of {@link detectMapping}. */
export interface DetectedMapping {
  /** The mapping that fits. */
  mapping: string;
  /** Every candidate tried, in order, with its problem when it did not fit. */
  trials: MappingTrial[];
}

function summarize(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const lines = message.split('\n').map((line) => line.trim());
  const head = lines[0] ?? message;
  const count = head.match(/(\d+) problem\(s\)/)?.[1];
  const first = lines.slice(1, 3).join('; ');
  return count === undefined ? head : `${count} problem(s), e.g. ${first}${Number(count) > 2 ? '; …' : ''}`;
}

/**
 * Picks the mapping whose names and shapes fit `source` into `model`, trying `candidates` in order
 * (unknown ids are skipped). Two fitting mappings with the same load plan count as one.
 *
 * @throws {@link ZooError} `WEIGHTS_MISMATCH` when no candidate fits, or when mappings that load the
 * file differently both fit; the message lists every mapping tried and what did not fit.
 */
export async function detectMapping(
  model: SlotSource,
  source: WeightsInput,
  options: DetectMappingOptions,
): Promise<DetectedMapping> {
  const tried = [...new Set(options.candidates)];
  const trials: MappingTrial[] = [];
  let fits: { mapping: string; plan: string; loaded: number }[] = [];
  for (const id of tried) {
    try {
      getMapping(id);
    } catch {
      continue;
    }
    try {
      const report = await loadWeights(model, source, {
        mapping: id,
        strict: options.strict ?? true,
        dryRun: true,
        ...(options.exclude === undefined ? {} : { exclude: options.exclude }),
      });
      if (report.loaded.length === 0) {
        trials.push({ mapping: id, problem: 'no source tensor maps to a model weight' });
        continue;
      }
      trials.push({ mapping: id });
      fits.push({ mapping: id, plan: (report.plan ?? []).join('\n'), loaded: report.loaded.length });
    } catch (error) {
      if (!(error instanceof ZooError) || error.code !== 'WEIGHTS_MISMATCH') throw error;
      trials.push({ mapping: id, problem: summarize(error) });
    }
  }
  const most = Math.max(0, ...fits.map((fit) => fit.loaded));
  fits = fits.filter((fit) => fit.loaded === most);
  const distinct = fits.filter((fit, i) => fits.findIndex((other) => other.plan === fit.plan) === i);
  const modelName = (model as { name?: string }).name ?? 'the model';
  const file = options.fileName ?? 'the weights';
  const misfits = trials
    .filter((trial) => trial.problem !== undefined)
    .map((trial) => `  - ${trial.mapping}: ${trial.problem}`);
  if (distinct.length === 1) return { mapping: distinct[0]!.mapping, trials };
  if (distinct.length === 0) {
    throw new ZooError(
      'WEIGHTS_MISMATCH',
      `no weight mapping fits ${file} into ${modelName}; tried ${trials.map((t) => t.mapping).join(', ')}:\n${misfits.join('\n')}`,
      {
        received: file,
        expected: `a file in the layout of one of ${tried.join(', ')} (or pass { mapping })`,
      },
    );
  }
  const ids = distinct.map((fit) => fit.mapping);
  throw new ZooError(
    'WEIGHTS_MISMATCH',
    `${file} fits ${modelName} under ${ids.length} mappings that load it differently (${ids.join(', ')}); pass { mapping } to choose one${
      misfits.length > 0 ? `\nthese did not fit:\n${misfits.join('\n')}` : ''
    }`,
    { received: ids, expected: 'exactly one fitting mapping, or an explicit { mapping }' },
  );
}
