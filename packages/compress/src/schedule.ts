/**
 * Sparsity schedules of TensorFlow Model Optimization's pruning API
 * (`tensorflow_model_optimization/python/core/sparsity/keras/pruning_schedule.py`): `ConstantSparsity`
 * and `PolynomialDecay`. Masks are updated at step `s` when `beginStep ≤ s` (and `s ≤ endStep` unless
 * `endStep` is -1) and `(s − beginStep) % frequency == 0`.
 */
import { invalidArgument } from '@tfzoo/core';
import { checkKeys, checkRange } from './validate.js';

/** When and to what sparsity the masks are updated. */
export interface PruningSchedule {
  /** Schedule name (`constant` or `polynomial`). */
  readonly kind: string;
  /** The sparsity the schedule targets at `step` (defined at every step, pruning or not). */
  sparsity(step: number): number;
  /** True when masks are updated at `step` (TF-MOT's `_should_prune_in_step`). */
  shouldPrune(step: number): boolean;
  /** The sparsity reached at the end. */
  readonly finalSparsity: number;
}

/** Options of {@link constantSparsity}. */
export interface ConstantSparsityOptions {
  /** Fraction of each pruned tensor set to zero, in [0, 1). */
  targetSparsity: number;
  /** First step at which masks are computed (default 0). */
  beginStep?: number;
  /** Last step at which masks are updated; -1 (default) for no end. */
  endStep?: number;
  /** Update the masks every this many steps (default 100). */
  frequency?: number;
}

/** Options of {@link polynomialDecay}. */
export interface PolynomialDecayOptions {
  /** Sparsity at `beginStep`, in [0, 1) (default 0). */
  initialSparsity?: number;
  /** Sparsity at and after `endStep`, in [0, 1). */
  finalSparsity: number;
  /** Step at which pruning begins (default 0). */
  beginStep?: number;
  /** Step at which the final sparsity is reached (> beginStep). */
  endStep: number;
  /** Exponent of the decay (default 3, TF-MOT's). */
  power?: number;
  /** Update the masks every this many steps (default 100). */
  frequency?: number;
}

function checkSteps(beginStep: number, endStep: number, frequency: number, requireEnd: boolean): void {
  if (requireEnd ? endStep <= beginStep : endStep !== -1 && endStep < beginStep) {
    throw invalidArgument(
      'endStep',
      endStep,
      requireEnd ? `a step after beginStep (${beginStep})` : `-1 or a step ≥ beginStep (${beginStep})`,
    );
  }
  if (frequency < 1) throw invalidArgument('frequency', frequency, 'a positive integer');
}

function inRange(step: number, beginStep: number, endStep: number, frequency: number): boolean {
  return step >= beginStep && (endStep === -1 || step <= endStep) && (step - beginStep) % frequency === 0;
}

/** A constant target sparsity (TF-MOT `ConstantSparsity`). */
export function constantSparsity(options: ConstantSparsityOptions): PruningSchedule {
  const given = checkKeys(options, ['targetSparsity', 'beginStep', 'endStep', 'frequency']);
  const target = checkRange(given.targetSparsity, undefined, 'targetSparsity', {
    min: 0,
    max: 1,
    maxExclusive: true,
  });
  const beginStep = checkRange(given.beginStep, 0, 'beginStep', { min: 0, integer: true });
  const endStep = checkRange(given.endStep, -1, 'endStep', { min: -1, integer: true });
  const frequency = checkRange(given.frequency, 100, 'frequency', { min: 1, integer: true });
  checkSteps(beginStep, endStep, frequency, false);
  return {
    kind: 'constant',
    sparsity: () => target,
    shouldPrune: (step) => inRange(step, beginStep, endStep, frequency),
    finalSparsity: target,
  };
}

/**
 * TF-MOT's `PolynomialDecay`: `s(t) = s_f + (s_i − s_f)·(1 − p)^power` with
 * `p = clip((t − beginStep) / (endStep − beginStep), 0, 1)` (Zhu & Gupta, "To prune, or not to
 * prune", arXiv:1710.01878).
 */
export function polynomialDecay(options: PolynomialDecayOptions): PruningSchedule {
  const given = checkKeys(options, [
    'initialSparsity',
    'finalSparsity',
    'beginStep',
    'endStep',
    'power',
    'frequency',
  ]);
  const sparsityRange = { min: 0, max: 1, maxExclusive: true };
  const initial = checkRange(given.initialSparsity, 0, 'initialSparsity', sparsityRange);
  const final = checkRange(given.finalSparsity, undefined, 'finalSparsity', sparsityRange);
  const beginStep = checkRange(given.beginStep, 0, 'beginStep', { min: 0, integer: true });
  const endStep = checkRange(given.endStep, undefined, 'endStep', { min: 1, integer: true });
  const power = checkRange(given.power, 3, 'power', { min: 0 });
  const frequency = checkRange(given.frequency, 100, 'frequency', { min: 1, integer: true });
  checkSteps(beginStep, endStep, frequency, true);
  return {
    kind: 'polynomial',
    sparsity(step: number): number {
      const p = Math.min(1, Math.max(0, (step - beginStep) / (endStep - beginStep)));
      return final + (initial - final) * (1 - p) ** power;
    },
    shouldPrune: (step) => inRange(step, beginStep, endStep, frequency),
    finalSparsity: final,
  };
}
