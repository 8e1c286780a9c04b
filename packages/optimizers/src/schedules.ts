/**
 * Learning-rate schedules as pure functions `(step) => learningRate`.
 *
 * `step` counts scheduler steps from 0, like `last_epoch` in `torch.optim.lr_scheduler` (the value
 * at step k is what the optimizer's rate is after k calls to `scheduler.step()`), so a schedule
 * stepped per batch takes the global batch index and one stepped per epoch the epoch index.
 * References: `torch.optim.lr_scheduler` (PyTorch 1.13: ExponentialLR, StepLR, MultiStepLR,
 * CosineAnnealingLR, CosineAnnealingWarmRestarts, LinearLR + SequentialLR, OneCycleLR,
 * PolynomialLR); `tf.keras.optimizers.schedules.ExponentialDecay` (staircase); SGDR: Loshchilov &
 * Hutter, arXiv:1608.03983; one-cycle: Smith & Topin, arXiv:1708.07120.
 */
import { invalidArgument } from '@tfzoo/core';
import { checkBoolean, checkChoice, checkNumber } from './validate.js';

/** A learning-rate schedule: the rate to use at scheduler step `step` (0, 1, 2, …). */
export type Schedule = (step: number) => number;

function checkStep(step: unknown): number {
  if (typeof step !== 'number' || !Number.isInteger(step) || step < 0) {
    throw invalidArgument('step', step, 'an integer ≥ 0');
  }
  return step;
}

/** Options of {@link exponentialDecay}. */
export interface ExponentialDecayOptions {
  /** Rate at step 0. */
  initialLearningRate: number;
  /** Steps over which the rate is multiplied by `decayRate` once (default 1). */
  decaySteps?: number;
  /** Factor per `decaySteps` steps. */
  decayRate: number;
  /** Decay in whole periods only, `⌊step / decaySteps⌋` (default false). */
  staircase?: boolean;
}

/**
 * Keras' `ExponentialDecay`: `lr₀ · rate^(step / decaySteps)`. With `decaySteps = 1` it is
 * PyTorch's `ExponentialLR(gamma = rate)`; with `staircase` it is `StepLR(decaySteps, rate)`.
 */
export function exponentialDecay(options: ExponentialDecayOptions): Schedule {
  const lr0 = checkNumber('initialLearningRate', options.initialLearningRate, Number.NaN, { min: 0 });
  const decaySteps = checkNumber('decaySteps', options.decaySteps, 1, { min: 0, minExclusive: true });
  const rate = checkNumber('decayRate', options.decayRate, Number.NaN, { min: 0 });
  const staircase = checkBoolean('staircase', options.staircase, false);
  return (step) => {
    const p = checkStep(step) / decaySteps;
    return lr0 * rate ** (staircase ? Math.floor(p) : p);
  };
}

/** Options of {@link stepLR}. */
export interface StepLROptions {
  /** Rate at step 0. */
  baseLr: number;
  /** Period of the decay in steps. */
  stepSize: number;
  /** Factor per period (default 0.1). */
  gamma?: number;
}

/** `torch.optim.lr_scheduler.StepLR`: `baseLr · γ^⌊step / stepSize⌋`. */
export function stepLR(options: StepLROptions): Schedule {
  const baseLr = checkNumber('baseLr', options.baseLr, Number.NaN, { min: 0 });
  const stepSize = checkNumber('stepSize', options.stepSize, Number.NaN, { min: 1, integer: true });
  const gamma = checkNumber('gamma', options.gamma, 0.1, { min: 0 });
  return (step) => baseLr * gamma ** Math.floor(checkStep(step) / stepSize);
}

/** Options of {@link multiStepLR}. */
export interface MultiStepLROptions {
  /** Rate at step 0. */
  baseLr: number;
  /** Steps at which the rate is multiplied by `gamma` (a milestone listed twice decays twice). */
  milestones: number[];
  /** Factor per milestone (default 0.1). */
  gamma?: number;
}

/** `torch.optim.lr_scheduler.MultiStepLR`: `baseLr · γ^(number of milestones ≤ step)`. */
export function multiStepLR(options: MultiStepLROptions): Schedule {
  const baseLr = checkNumber('baseLr', options.baseLr, Number.NaN, { min: 0 });
  if (!Array.isArray(options.milestones)) {
    throw invalidArgument('milestones', options.milestones, 'an array of step indices');
  }
  const milestones = options.milestones.map((m, i) =>
    checkNumber(`milestones[${i}]`, m, Number.NaN, { min: 0, integer: true }),
  );
  const gamma = checkNumber('gamma', options.gamma, 0.1, { min: 0 });
  return (step) => {
    const s = checkStep(step);
    return baseLr * gamma ** milestones.filter((m) => m <= s).length;
  };
}

/** Options of {@link cosineAnnealingLR}. */
export interface CosineAnnealingLROptions {
  /** Rate at step 0. */
  baseLr: number;
  /** Half period: the rate reaches `etaMin` at step `tMax`. */
  tMax: number;
  /** Lowest rate (default 0). */
  etaMin?: number;
}

/**
 * `torch.optim.lr_scheduler.CosineAnnealingLR`:
 * `etaMin + (baseLr − etaMin) · (1 + cos(π · step / tMax)) / 2` (past `tMax` it rises again).
 */
export function cosineAnnealingLR(options: CosineAnnealingLROptions): Schedule {
  const baseLr = checkNumber('baseLr', options.baseLr, Number.NaN, { min: 0 });
  const tMax = checkNumber('tMax', options.tMax, Number.NaN, { min: 1, integer: true });
  const etaMin = checkNumber('etaMin', options.etaMin, 0, { min: 0 });
  return (step) => etaMin + ((baseLr - etaMin) * (1 + Math.cos((Math.PI * checkStep(step)) / tMax))) / 2;
}

/** Options of {@link cosineAnnealingWarmRestarts}. */
export interface CosineAnnealingWarmRestartsOptions {
  /** Rate at the start of every cycle. */
  baseLr: number;
  /** Length of the first cycle in steps. */
  t0: number;
  /** Each cycle is `tMult` times longer than the previous one (default 1). */
  tMult?: number;
  /** Lowest rate (default 0). */
  etaMin?: number;
}

/** `torch.optim.lr_scheduler.CosineAnnealingWarmRestarts` (SGDR) for integer steps. */
export function cosineAnnealingWarmRestarts(options: CosineAnnealingWarmRestartsOptions): Schedule {
  const baseLr = checkNumber('baseLr', options.baseLr, Number.NaN, { min: 0 });
  const t0 = checkNumber('t0', options.t0, Number.NaN, { min: 1, integer: true });
  const tMult = checkNumber('tMult', options.tMult, 1, { min: 1, integer: true });
  const etaMin = checkNumber('etaMin', options.etaMin, 0, { min: 0 });
  return (step) => {
    let tCur = checkStep(step);
    let tI = t0;
    while (tCur >= tI) {
      tCur -= tI;
      tI *= tMult;
    }
    return etaMin + ((baseLr - etaMin) * (1 + Math.cos((Math.PI * tCur) / tI))) / 2;
  };
}

/** Options of {@link linearWarmup}. */
export interface LinearWarmupOptions {
  /** Number of warm-up steps. */
  warmupSteps: number;
  /** Factor of the schedule's first rate at step 0 (default 1/3, as `LinearLR`). */
  startFactor?: number;
  /** Factor reached at the end of warm-up (default 1). */
  endFactor?: number;
  /**
   * Start the wrapped schedule at its own step 0 when warm-up ends (default true: PyTorch's
   * `SequentialLR([LinearLR, schedule], milestones=[warmupSteps])`). False evaluates it at the
   * global step (timm style: the warm-up eats the start of the schedule).
   */
  shift?: boolean;
}

/**
 * Linear warm-up around any schedule: for `step < warmupSteps` the rate is
 * `schedule(0) · (startFactor + (endFactor − startFactor) · step / warmupSteps)`, then `schedule`.
 */
export function linearWarmup(schedule: Schedule, options: LinearWarmupOptions): Schedule {
  if (typeof schedule !== 'function') throw invalidArgument('schedule', schedule, 'a function (step) => lr');
  const warmupSteps = checkNumber('warmupSteps', options.warmupSteps, Number.NaN, { min: 1, integer: true });
  const startFactor = checkNumber('startFactor', options.startFactor, 1 / 3, {
    min: 0,
    max: 1,
    minExclusive: true,
  });
  const endFactor = checkNumber('endFactor', options.endFactor, 1, { min: 0, max: 1 });
  const shift = checkBoolean('shift', options.shift, true);
  return (step) => {
    const s = checkStep(step);
    if (s < warmupSteps) {
      return schedule(0) * (startFactor + ((endFactor - startFactor) * s) / warmupSteps);
    }
    return schedule(shift ? s - warmupSteps : s);
  };
}

/** Options of {@link oneCycleLR}. */
export interface OneCycleLROptions {
  /** Peak rate. */
  maxLr: number;
  /** Total number of steps of the cycle. */
  totalSteps: number;
  /** Fraction of the cycle spent increasing the rate (default 0.3). */
  pctStart?: number;
  /** `'cos'` (default) or `'linear'` annealing. */
  annealStrategy?: 'cos' | 'linear';
  /** Initial rate = maxLr / divFactor (default 25). */
  divFactor?: number;
  /** Final rate = initial rate / finalDivFactor (default 1e4). */
  finalDivFactor?: number;
  /** Three phases: up, back down to the initial rate, then annihilation (default false). */
  threePhase?: boolean;
}

/** Options of {@link oneCycleMomentum}: those of {@link oneCycleLR} plus the momentum range. */
export interface OneCycleMomentumOptions
  extends Omit<OneCycleLROptions, 'maxLr' | 'divFactor' | 'finalDivFactor'> {
  /** Momentum at the peak rate (default 0.85). */
  baseMomentum?: number;
  /** Momentum at the start and end (default 0.95). */
  maxMomentum?: number;
}

interface Phase {
  endStep: number;
  start: 'initial' | 'max' | 'min';
  end: 'initial' | 'max' | 'min';
  startMomentum: 'base' | 'max';
  endMomentum: 'base' | 'max';
}

function oneCyclePhases(totalSteps: number, pctStart: number, threePhase: boolean): Phase[] {
  return threePhase
    ? [
        {
          endStep: pctStart * totalSteps - 1,
          start: 'initial',
          end: 'max',
          startMomentum: 'max',
          endMomentum: 'base',
        },
        {
          endStep: 2 * pctStart * totalSteps - 2,
          start: 'max',
          end: 'initial',
          startMomentum: 'base',
          endMomentum: 'max',
        },
        { endStep: totalSteps - 1, start: 'initial', end: 'min', startMomentum: 'max', endMomentum: 'max' },
      ]
    : [
        {
          endStep: pctStart * totalSteps - 1,
          start: 'initial',
          end: 'max',
          startMomentum: 'max',
          endMomentum: 'base',
        },
        { endStep: totalSteps - 1, start: 'max', end: 'min', startMomentum: 'base', endMomentum: 'max' },
      ];
}

function oneCycleCore(
  options: OneCycleLROptions | OneCycleMomentumOptions,
): (
  step: number,
  pick: (phase: Phase, pct: number, anneal: (a: number, b: number, p: number) => number) => number,
) => number {
  const totalSteps = checkNumber('totalSteps', options.totalSteps, Number.NaN, { min: 1, integer: true });
  const pctStart = checkNumber('pctStart', options.pctStart, 0.3, { min: 0, max: 1 });
  const strategy = checkChoice('annealStrategy', options.annealStrategy, 'cos', ['cos', 'linear'] as const);
  const threePhase = checkBoolean('threePhase', options.threePhase, false);
  const phases = oneCyclePhases(totalSteps, pctStart, threePhase);
  const anneal =
    strategy === 'cos'
      ? (start: number, end: number, pct: number) => end + ((start - end) / 2) * (Math.cos(Math.PI * pct) + 1)
      : (start: number, end: number, pct: number) => (end - start) * pct + start;
  return (step, pick) => {
    const s = checkStep(step);
    if (s > totalSteps) throw invalidArgument('step', step, `at most totalSteps (${totalSteps})`);
    let startStep = 0;
    for (let i = 0; i < phases.length; i++) {
      const phase = phases[i]!;
      if (s <= phase.endStep || i === phases.length - 1) {
        return pick(phase, (s - startStep) / (phase.endStep - startStep), anneal);
      }
      startStep = phase.endStep;
    }
    /* c8 ignore next */
    throw new Error('unreachable');
  };
}

/** `torch.optim.lr_scheduler.OneCycleLR`'s learning rate (cosine or linear, two or three phases). */
export function oneCycleLR(options: OneCycleLROptions): Schedule {
  const maxLr = checkNumber('maxLr', options.maxLr, Number.NaN, { min: 0 });
  const divFactor = checkNumber('divFactor', options.divFactor, 25, { min: 0, minExclusive: true });
  const finalDivFactor = checkNumber('finalDivFactor', options.finalDivFactor, 1e4, {
    min: 0,
    minExclusive: true,
  });
  const initial = maxLr / divFactor;
  const levels = { initial, max: maxLr, min: initial / finalDivFactor };
  const core = oneCycleCore(options);
  return (step) => core(step, (phase, pct, anneal) => anneal(levels[phase.start], levels[phase.end], pct));
}

/**
 * The momentum `OneCycleLR` cycles together with the rate (`cycle_momentum=True`): from
 * `maxMomentum` down to `baseMomentum` while the rate rises, and back. Set it as SGD's `momentum`
 * or Adam's `beta1`.
 */
export function oneCycleMomentum(options: OneCycleMomentumOptions): Schedule {
  const base = checkNumber('baseMomentum', options.baseMomentum, 0.85, { min: 0, max: 1 });
  const max = checkNumber('maxMomentum', options.maxMomentum, 0.95, { min: 0, max: 1 });
  const levels = { base, max };
  const core = oneCycleCore(options);
  return (step) =>
    core(step, (phase, pct, anneal) => anneal(levels[phase.startMomentum], levels[phase.endMomentum], pct));
}

/** Options of {@link polynomialLR}. */
export interface PolynomialLROptions {
  /** Rate at step 0. */
  baseLr: number;
  /** Steps until the rate reaches 0 (default 5, as PyTorch). */
  totalIters?: number;
  /** Power of the decay (default 1: linear). */
  power?: number;
}

/** `torch.optim.lr_scheduler.PolynomialLR`: `baseLr · (1 − min(step, T) / T)^power`. */
export function polynomialLR(options: PolynomialLROptions): Schedule {
  const baseLr = checkNumber('baseLr', options.baseLr, Number.NaN, { min: 0 });
  const totalIters = checkNumber('totalIters', options.totalIters, 5, { min: 1, integer: true });
  const power = checkNumber('power', options.power, 1, { min: 0 });
  return (step) => baseLr * (1 - Math.min(checkStep(step), totalIters) / totalIters) ** power;
}
