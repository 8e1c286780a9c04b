/**
 * L-BFGS for full-batch problems, driven by a closure that recomputes the loss.
 *
 * Paper: Liu & Nocedal, "On the limited memory BFGS method for large scale optimization" (Math.
 * Programming 1989); line search: Nocedal & Wright, "Numerical Optimization", algorithms 3.5/3.6.
 * Reference: `torch.optim.LBFGS` (PyTorch 1.13, `lbfgs.py`, itself after minFunc): the same
 * two-loop recursion, stopping rules, first step `min(1, 1/‖g‖₁)·lr`, and `_strong_wolfe` /
 * `_cubic_interpolate` line search. Scalars PyTorch keeps in float32 tensors are rounded to
 * float32 here too.
 */
import * as tf from '@tensorflow/tfjs-core';
import { invalidArgument, ZooError } from '@tfzoo/core';
import type { NamedTensor } from './base.js';
import { checkChoice, checkNumber } from './validate.js';

/** Options of {@link LBFGS}. */
export interface LBFGSOptions {
  /** Step length (default 1). */
  learningRate?: number;
  /** Most iterations per `step` call (default 20). */
  maxIter?: number;
  /** Most loss evaluations per `step` call (default ⌊maxIter · 5 / 4⌋). */
  maxEval?: number;
  /** Stop when max |gradient| ≤ this (default 1e-7). */
  toleranceGrad?: number;
  /** Stop when the loss or the step changes by less than this (default 1e-9). */
  toleranceChange?: number;
  /** Number of curvature pairs kept (default 100). */
  historySize?: number;
  /** `'strong_wolfe'` for a line search, null for a fixed step (default null). */
  lineSearchFn?: 'strong_wolfe' | null;
}

/** A closure returning the loss as a scalar computed from the variables being optimized. */
export type LossClosure = () => tf.Scalar;

const f32 = Math.fround;

/**
 * Reads a scalar back. L-BFGS branches on such scalars several times an iteration (as PyTorch's
 * `.item()` calls do), so it reads synchronously; where the backend cannot (WebGPU in Node, which
 * lacks the OffscreenCanvas tfjs-backend-webgpu's synchronous read needs) it says so.
 */
function scalarOf(t: tf.Tensor): number {
  try {
    return t.dataSync()[0]!;
  } catch (error) {
    const reason = String((error as Error)?.message ?? error).slice(0, 200);
    throw new ZooError(
      'INVALID_ARGUMENT',
      `LBFGS reads the loss and gradient norms synchronously, which the ${tf.getBackend()} backend ` +
        `cannot do here (${reason}); expected a backend with synchronous reads: run L-BFGS on cpu or ` +
        'wasm, or on WebGPU in a browser',
      { cause: error },
    );
  }
}

function dot(a: tf.Tensor, b: tf.Tensor): number {
  return f32(scalarOf(tf.sum(tf.mul(a, b))));
}

function maxAbs(a: tf.Tensor): number {
  return scalarOf(tf.max(tf.abs(a)));
}

function cubicInterpolate(
  x1: number,
  f1: number,
  g1: number,
  x2: number,
  f2: number,
  g2: number,
  bounds?: [number, number],
): number {
  const [xminBound, xmaxBound] = bounds ?? (x1 <= x2 ? [x1, x2] : [x2, x1]);
  const d1 = g1 + g2 - (3 * (f1 - f2)) / (x1 - x2);
  const d2Square = d1 * d1 - g1 * g2;
  if (d2Square >= 0) {
    const d2 = Math.sqrt(d2Square);
    const minPos =
      x1 <= x2
        ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
        : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
    return Math.min(Math.max(minPos, xminBound), xmaxBound);
  }
  return (xminBound + xmaxBound) / 2;
}

interface LBFGSState {
  funcEvals: number;
  nIter: number;
  d?: tf.Tensor;
  t?: number;
  oldDirs?: tf.Tensor[];
  oldStps?: tf.Tensor[];
  ro?: number[];
  hDiag?: number;
  prevFlatGrad?: tf.Tensor;
  prevLoss?: number;
  al?: (number | undefined)[];
}

/**
 * `torch.optim.LBFGS`. Call {@link LBFGS.step} with a closure; `minimize(f)` does the same. It does
 * not support `applyGradients` (and so not `model.fit`): L-BFGS needs to re-evaluate the loss.
 */
export class LBFGS extends tf.Optimizer {
  /** Serialization name. */
  static get className(): string {
    return 'tfzoo.LBFGS';
  }
  private lr: number;
  /** Most iterations per step. */
  readonly maxIter: number;
  /** Most loss evaluations per step. */
  readonly maxEval: number;
  /** Gradient tolerance. */
  readonly toleranceGrad: number;
  /** Change tolerance. */
  readonly toleranceChange: number;
  /** History size. */
  readonly historySize: number;
  /** Line search, or null. */
  readonly lineSearchFn: 'strong_wolfe' | null;
  private state: LBFGSState = { funcEvals: 0, nIter: 0 };
  private variableNames: string[] | null = null;
  private exported: tf.Tensor[] = [];

  constructor(options: LBFGSOptions = {}) {
    super();
    this.lr = checkNumber('learningRate', options.learningRate, 1, { min: 0 });
    this.maxIter = checkNumber('maxIter', options.maxIter, 20, { min: 1, integer: true });
    this.maxEval = checkNumber('maxEval', options.maxEval, Math.floor((this.maxIter * 5) / 4), {
      min: 1,
      integer: true,
    });
    this.toleranceGrad = checkNumber('toleranceGrad', options.toleranceGrad, 1e-7, { min: 0 });
    this.toleranceChange = checkNumber('toleranceChange', options.toleranceChange, 1e-9, { min: 0 });
    this.historySize = checkNumber('historySize', options.historySize, 100, { min: 1, integer: true });
    this.lineSearchFn =
      options.lineSearchFn === null || options.lineSearchFn === undefined
        ? null
        : checkChoice('lineSearchFn', options.lineSearchFn, 'strong_wolfe', ['strong_wolfe'] as const);
  }

  /**
   * Plain prototype-chain `instanceof`: tfjs makes `Optimizer[Symbol.hasInstance]` duck-typed, which
   * subclasses would inherit (every optimizer would be an instance of every subclass).
   */
  static override [Symbol.hasInstance](instance: unknown): boolean {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the class on the right of instanceof
    return Function.prototype[Symbol.hasInstance].call(this, instance);
  }

  /** The step length; settable (schedules). */
  get learningRate(): number {
    return this.lr;
  }

  set learningRate(value: number) {
    this.lr = checkNumber('learningRate', value, Number.NaN, { min: 0 });
  }

  /** Not supported: L-BFGS re-evaluates the loss, so use {@link LBFGS.step}. */
  override applyGradients(_variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    throw new ZooError(
      'UNSUPPORTED',
      'LBFGS.applyGradients received precomputed gradients; expected a closure: call step(() => loss) or minimize(() => loss)',
      { expected: 'step(closure)' },
    );
  }

  /** Runs {@link LBFGS.step} on `f` (tfjs' `Optimizer.minimize` contract). */
  override minimize(f: () => tf.Scalar, returnCost = false, varList?: tf.Variable[]): tf.Scalar | null {
    const loss = this.step(f, varList);
    return returnCost ? tf.scalar(loss) : null;
  }

  private resolveVariables(varList?: tf.Variable[]): tf.Variable[] {
    const vars = varList ?? Object.values(tf.engine().registeredVariables).filter((v) => v.trainable);
    if (vars.length === 0) throw invalidArgument('varList', varList, 'at least one trainable variable');
    const names = vars.map((v) => v.name);
    if (this.variableNames === null) this.variableNames = names;
    else if (
      names.length !== this.variableNames.length ||
      names.some((n, i) => n !== this.variableNames![i])
    ) {
      throw invalidArgument(
        'varList',
        names,
        `the same variables as the first step (${JSON.stringify(this.variableNames)})`,
      );
    }
    return vars;
  }

  /**
   * One `torch.optim.LBFGS.step(closure)`: up to `maxIter` iterations on the loss `closure`
   * returns. Returns the loss before the step. Synchronous (it reads scalars back from the backend,
   * as PyTorch's `.item()` does): cpu, wasm, or WebGPU in a browser; WebGPU in Node is refused.
   */
  step(closure: LossClosure, varList?: tf.Variable[]): number {
    if (typeof closure !== 'function')
      throw invalidArgument('closure', closure, 'a function returning the loss');
    const vars = this.resolveVariables(varList);
    const lr = this.lr;
    const { maxIter, maxEval, toleranceGrad, toleranceChange, historySize } = this;
    const state = this.state;
    const previous = this.stateTensors();
    let origLoss = 0;

    tf.tidy(() => {
      const evaluate = (): [number, tf.Tensor] => {
        const { value, grads } = tf.variableGrads(closure, vars);
        const flat = tf.concat(vars.map((v) => tf.reshape(grads[v.name] ?? tf.zerosLike(v), [-1])));
        return [scalarOf(value), flat];
      };
      const addGrad = (stepSize: number, update: tf.Tensor) => {
        let offset = 0;
        for (const v of vars) {
          const size = v.size;
          v.assign(tf.add(v, tf.mul(tf.reshape(tf.slice(update, offset, size), v.shape), stepSize)));
          offset += size;
        }
      };
      const directionalEvaluate = (x: tf.Tensor[], t: number, d: tf.Tensor): [number, tf.Tensor] => {
        addGrad(t, d);
        const result = evaluate();
        vars.forEach((v, i) => {
          v.assign(x[i]!);
        });
        return result;
      };

      let [loss, flatGrad] = evaluate();
      origLoss = loss;
      let currentEvals = 1;
      state.funcEvals += 1;
      let optCond = maxAbs(flatGrad) <= toleranceGrad;
      if (optCond) return;

      let { d, t, oldDirs, oldStps, ro, hDiag, prevFlatGrad, prevLoss } = state;
      let nIter = 0;
      while (nIter < maxIter) {
        nIter += 1;
        state.nIter += 1;
        if (state.nIter === 1) {
          d = tf.neg(flatGrad);
          oldDirs = [];
          oldStps = [];
          ro = [];
          hDiag = 1;
        } else {
          const y = tf.sub(flatGrad, prevFlatGrad!);
          const s = tf.mul(d!, t!);
          const ys = dot(y, s);
          if (ys > 1e-10) {
            if (oldDirs!.length === historySize) {
              oldDirs!.shift();
              oldStps!.shift();
              ro!.shift();
            }
            oldDirs!.push(y);
            oldStps!.push(s);
            ro!.push(f32(1 / ys));
            hDiag = f32(ys / dot(y, y));
          }
          const numOld = oldDirs!.length;
          state.al ??= new Array(historySize).fill(undefined);
          const al = state.al;
          let q = tf.neg(flatGrad);
          for (let i = numOld - 1; i >= 0; i--) {
            al[i] = f32(dot(oldStps![i]!, q) * ro![i]!);
            q = tf.sub(q, tf.mul(oldDirs![i]!, al[i]!));
          }
          let r = tf.mul(q, hDiag!);
          for (let i = 0; i < numOld; i++) {
            const be = f32(dot(oldDirs![i]!, r) * ro![i]!);
            r = tf.add(r, tf.mul(oldStps![i]!, f32(al[i]! - be)));
          }
          d = r;
        }
        prevFlatGrad = tf.clone(flatGrad);
        prevLoss = loss;
        if (state.nIter === 1) {
          const inv = f32(1 / scalarOf(tf.sum(tf.abs(flatGrad))));
          t = inv < 1 ? f32(inv * lr) : lr;
        } else {
          t = lr;
        }
        const gtd = dot(flatGrad, d);
        if (gtd > -toleranceChange) break;

        let lsFuncEvals = 0;
        if (this.lineSearchFn === 'strong_wolfe') {
          const xInit = vars.map((v) => tf.clone(v));
          [loss, flatGrad, t, lsFuncEvals] = strongWolfe(
            (x, tt, dd) => directionalEvaluate(x, tt, dd),
            xInit,
            t,
            d,
            loss,
            flatGrad,
            gtd,
            toleranceChange,
          );
          addGrad(t, d);
          optCond = maxAbs(flatGrad) <= toleranceGrad;
        } else {
          addGrad(t, d);
          if (nIter !== maxIter) {
            [loss, flatGrad] = evaluate();
            optCond = maxAbs(flatGrad) <= toleranceGrad;
            lsFuncEvals = 1;
          }
        }
        currentEvals += lsFuncEvals;
        state.funcEvals += lsFuncEvals;

        if (nIter === maxIter) break;
        if (currentEvals >= maxEval) break;
        if (optCond) break;
        if (maxAbs(tf.mul(d, t)) <= toleranceChange) break;
        if (Math.abs(loss - prevLoss) < toleranceChange) break;
      }
      Object.assign(state, { d, t, oldDirs, oldStps, ro, hDiag, prevFlatGrad, prevLoss });
      for (const tensor of this.stateTensors()) tf.keep(tensor);
    });
    const kept = new Set(this.stateTensors());
    for (const tensor of previous) if (!kept.has(tensor)) tensor.dispose();
    this.incrementIterations();
    return origLoss;
  }

  private stateTensors(): tf.Tensor[] {
    const s = this.state;
    const out: tf.Tensor[] = [];
    if (s.d) out.push(s.d);
    if (s.prevFlatGrad) out.push(s.prevFlatGrad);
    out.push(...(s.oldDirs ?? []), ...(s.oldStps ?? []));
    return out;
  }

  /** Disposes the history and direction tensors. */
  override dispose(): void {
    for (const tensor of this.stateTensors()) tensor.dispose();
    for (const tensor of this.exported) tensor.dispose();
    this.exported = [];
    this.state = { funcEvals: 0, nIter: 0 };
    super.dispose();
  }

  /**
   * The state as named tensors: `iter`, then `lbfgs/d`, `lbfgs/prev_flat_grad`,
   * `lbfgs/old_dirs/<i>`, `lbfgs/old_stps/<i>`, and scalars (`lbfgs/t`, `lbfgs/H_diag`, `lbfgs/ro/<i>`,
   * `lbfgs/al/<i>`, …). The tensors stay owned by the optimizer.
   */
  override async getWeights(): Promise<NamedTensor[]> {
    for (const tensor of this.exported) tensor.dispose();
    this.exported = [];
    const s = this.state;
    const scalar = (name: string, value: number, dtype: 'int32' | 'float32' = 'float32'): NamedTensor => {
      const tensor = tf.scalar(value, dtype);
      this.exported.push(tensor);
      return { name, tensor };
    };
    const out: NamedTensor[] = [scalar('iter', this.iterations, 'int32')];
    out.push(scalar('lbfgs/n_iter', s.nIter, 'int32'), scalar('lbfgs/func_evals', s.funcEvals, 'int32'));
    if (s.d) out.push({ name: 'lbfgs/d', tensor: s.d });
    if (s.prevFlatGrad) out.push({ name: 'lbfgs/prev_flat_grad', tensor: s.prevFlatGrad });
    s.oldDirs?.forEach((tensor, i) => {
      out.push({ name: `lbfgs/old_dirs/${i}`, tensor });
    });
    s.oldStps?.forEach((tensor, i) => {
      out.push({ name: `lbfgs/old_stps/${i}`, tensor });
    });
    s.ro?.forEach((v, i) => {
      out.push(scalar(`lbfgs/ro/${i}`, v));
    });
    s.al?.forEach((v, i) => {
      if (v !== undefined) out.push(scalar(`lbfgs/al/${i}`, v));
    });
    if (s.t !== undefined) out.push(scalar('lbfgs/t', s.t));
    if (s.hDiag !== undefined) out.push(scalar('lbfgs/H_diag', s.hDiag));
    if (s.prevLoss !== undefined) out.push(scalar('lbfgs/prev_loss', s.prevLoss));
    return out;
  }

  /** Replaces the state with one {@link LBFGS.getWeights} returned. The tensors are copied. */
  override async setWeights(weights: NamedTensor[]): Promise<void> {
    if (!Array.isArray(weights) || weights[0]?.name !== 'iter') {
      throw invalidArgument(
        'weights',
        Array.isArray(weights) ? weights.map((w) => w?.name) : weights,
        'a list starting with "iter", as getWeights() returns it',
      );
    }
    const next: LBFGSState = { funcEvals: 0, nIter: 0 };
    const dirs: tf.Tensor[] = [];
    const stps: tf.Tensor[] = [];
    const ro: number[] = [];
    let al: (number | undefined)[] | undefined;
    const iter = (await weights[0].tensor.data())[0]!;
    const value = async (t: tf.Tensor) => (await t.data())[0]!;
    for (const { name, tensor } of weights.slice(1)) {
      const m =
        /^lbfgs\/(n_iter|func_evals|d|prev_flat_grad|t|H_diag|prev_loss|old_dirs|old_stps|ro|al)(?:\/(\d+))?$/.exec(
          name,
        );
      if (m === null)
        throw invalidArgument(
          'weights[].name',
          name,
          'a name getWeights() of LBFGS produces, e.g. "lbfgs/d"',
        );
      const key = m[1]!;
      const index = m[2] === undefined ? -1 : Number(m[2]);
      switch (key) {
        case 'n_iter':
          next.nIter = await value(tensor);
          break;
        case 'func_evals':
          next.funcEvals = await value(tensor);
          break;
        case 'd':
          next.d = tf.clone(tensor);
          break;
        case 'prev_flat_grad':
          next.prevFlatGrad = tf.clone(tensor);
          break;
        case 't':
          next.t = await value(tensor);
          break;
        case 'H_diag':
          next.hDiag = await value(tensor);
          break;
        case 'prev_loss':
          next.prevLoss = await value(tensor);
          break;
        case 'old_dirs':
          dirs[index] = tf.clone(tensor);
          break;
        case 'old_stps':
          stps[index] = tf.clone(tensor);
          break;
        case 'ro':
          ro[index] = await value(tensor);
          break;
        default:
          al ??= new Array(this.historySize).fill(undefined);
          al[index] = await value(tensor);
      }
    }
    for (const tensor of this.stateTensors()) tensor.dispose();
    if (next.nIter > 0) Object.assign(next, { oldDirs: dirs, oldStps: stps, ro });
    if (al) next.al = al;
    this.state = next;
    this.iterations_ = iter;
  }

  /** Every constructor option. */
  override getConfig(): tf.serialization.ConfigDict {
    return {
      learningRate: this.lr,
      maxIter: this.maxIter,
      maxEval: this.maxEval,
      toleranceGrad: this.toleranceGrad,
      toleranceChange: this.toleranceChange,
      historySize: this.historySize,
      lineSearchFn: this.lineSearchFn,
    };
  }

  /** Rebuilds an optimizer from {@link LBFGS.getConfig}. */
  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    return new cls(config);
  }
}
tf.serialization.registerClass(LBFGS);

type ObjectiveFn = (x: tf.Tensor[], t: number, d: tf.Tensor) => [number, tf.Tensor];

/** PyTorch's `_strong_wolfe` (runs inside the caller's `tf.tidy`). */
function strongWolfe(
  obj: ObjectiveFn,
  x: tf.Tensor[],
  t: number,
  d: tf.Tensor,
  f: number,
  g: tf.Tensor,
  gtd: number,
  toleranceChange: number,
  c1 = 1e-4,
  c2 = 0.9,
  maxLs = 25,
): [number, tf.Tensor, number, number] {
  const dNorm = maxAbs(d);
  let [fNew, gNew] = obj(x, t, d);
  let lsFuncEvals = 1;
  let gtdNew = dot(gNew, d);
  let tPrev = 0;
  let fPrev = f;
  let gPrev = g;
  let gtdPrev = gtd;
  let done = false;
  let lsIter = 0;
  let bracket: number[] = [];
  let bracketF: number[] = [];
  let bracketG: tf.Tensor[] = [];
  let bracketGtd: number[] = [];
  while (lsIter < maxLs) {
    if (fNew > f + c1 * t * gtd || (lsIter > 1 && fNew >= fPrev)) {
      bracket = [tPrev, t];
      bracketF = [fPrev, fNew];
      bracketG = [gPrev, gNew];
      bracketGtd = [gtdPrev, gtdNew];
      break;
    }
    if (Math.abs(gtdNew) <= -c2 * gtd) {
      bracket = [t];
      bracketF = [fNew];
      bracketG = [gNew];
      done = true;
      break;
    }
    if (gtdNew >= 0) {
      bracket = [tPrev, t];
      bracketF = [fPrev, fNew];
      bracketG = [gPrev, gNew];
      bracketGtd = [gtdPrev, gtdNew];
      break;
    }
    const minStep = t + 0.01 * (t - tPrev);
    const maxStep = t * 10;
    const tmp = t;
    t = cubicInterpolate(tPrev, fPrev, gtdPrev, t, fNew, gtdNew, [minStep, maxStep]);
    tPrev = tmp;
    fPrev = fNew;
    gPrev = gNew;
    gtdPrev = gtdNew;
    [fNew, gNew] = obj(x, t, d);
    lsFuncEvals += 1;
    gtdNew = dot(gNew, d);
    lsIter += 1;
  }
  if (lsIter === maxLs) {
    bracket = [0, t];
    bracketF = [f, fNew];
    bracketG = [g, gNew];
    bracketGtd = [gtd, gtdNew];
  }
  let insufProgress = false;
  let [lowPos, highPos] = bracketF[0]! <= bracketF[bracketF.length - 1]! ? [0, 1] : [1, 0];
  while (!done && lsIter < maxLs) {
    if (Math.abs(bracket[1]! - bracket[0]!) * dNorm < toleranceChange) break;
    t = cubicInterpolate(
      bracket[0]!,
      bracketF[0]!,
      bracketGtd[0]!,
      bracket[1]!,
      bracketF[1]!,
      bracketGtd[1]!,
    );
    const hi = Math.max(...bracket);
    const lo = Math.min(...bracket);
    const eps = 0.1 * (hi - lo);
    if (Math.min(hi - t, t - lo) < eps) {
      if (insufProgress || t >= hi || t <= lo) {
        t = Math.abs(t - hi) < Math.abs(t - lo) ? hi - eps : lo + eps;
        insufProgress = false;
      } else {
        insufProgress = true;
      }
    } else {
      insufProgress = false;
    }
    [fNew, gNew] = obj(x, t, d);
    lsFuncEvals += 1;
    gtdNew = dot(gNew, d);
    lsIter += 1;
    if (fNew > f + c1 * t * gtd || fNew >= bracketF[lowPos]!) {
      bracket[highPos] = t;
      bracketF[highPos] = fNew;
      bracketG[highPos] = gNew;
      bracketGtd[highPos] = gtdNew;
      [lowPos, highPos] = bracketF[0]! <= bracketF[1]! ? [0, 1] : [1, 0];
    } else {
      if (Math.abs(gtdNew) <= -c2 * gtd) {
        done = true;
      } else if (gtdNew * (bracket[highPos]! - bracket[lowPos]!) >= 0) {
        bracket[highPos] = bracket[lowPos]!;
        bracketF[highPos] = bracketF[lowPos]!;
        bracketG[highPos] = bracketG[lowPos]!;
        bracketGtd[highPos] = bracketGtd[lowPos]!;
      }
      bracket[lowPos] = t;
      bracketF[lowPos] = fNew;
      bracketG[lowPos] = gNew;
      bracketGtd[lowPos] = gtdNew;
    }
  }
  return [bracketF[lowPos]!, bracketG[lowPos]!, bracket[lowPos]!, lsFuncEvals];
}
