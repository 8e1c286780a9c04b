/**
 * Magnitude pruning masks (Han et al., "Learning both Weights and Connections for Efficient Neural
 * Networks", arXiv:1506.02626), per tensor as TF-MOT's `Pruning._update_mask` computes them — keep
 * the `round(n·(1 − s))` largest |w|, ties at the threshold kept — or with one threshold over all
 * pruned tensors together (global magnitude pruning).
 */
import * as tf from '@tensorflow/tfjs-core';
import { invalidArgument } from '@tfzoo/core';
import { checkRange } from './validate.js';

/** Per tensor (each pruned to the sparsity) or global (one threshold over every tensor). */
export type PruningScope = 'layer' | 'global';

function threshold(sorted: Float32Array, keep: number): number {
  return keep <= 0 ? Number.POSITIVE_INFINITY : sorted[sorted.length - keep]!;
}

function maskOf(abs: Float32Array, cut: number, pruneZeros: boolean): Float32Array {
  const mask = new Float32Array(abs.length);
  for (let i = 0; i < abs.length; i++) {
    const a = abs[i]!;
    mask[i] = a >= cut && (!pruneZeros || a > 0) ? 1 : 0;
  }
  return mask;
}

/**
 * Masks (1 keep, 0 prune; the caller owns them) that prune a fraction `sparsity` of the weights of
 * smallest magnitude. Weights already at zero count as pruned once any pruning is asked for, so
 * masks only grow sparser as a schedule raises the sparsity.
 */
export async function magnitudeMasks(
  weights: readonly tf.Tensor[],
  sparsity: number,
  scope: PruningScope = 'layer',
): Promise<tf.Tensor[]> {
  checkRange(sparsity, undefined, 'sparsity', { min: 0, max: 1, maxExclusive: true });
  const abs = await Promise.all(
    weights.map(async (w) => {
      const values = Float32Array.from(await w.data());
      for (let i = 0; i < values.length; i++) values[i] = Math.abs(values[i]!);
      return values;
    }),
  );
  const prune = sparsity > 0;
  let cuts: number[];
  if (scope === 'global') {
    const total = abs.reduce((n, a) => n + a.length, 0);
    const all = new Float32Array(total);
    let at = 0;
    for (const a of abs) {
      all.set(a, at);
      at += a.length;
    }
    all.sort();
    const cut = prune ? threshold(all, Math.round(total * (1 - sparsity))) : 0;
    cuts = abs.map(() => cut);
  } else if (scope === 'layer') {
    cuts = abs.map((a) => (prune ? threshold(a.slice().sort(), Math.round(a.length * (1 - sparsity))) : 0));
  } else {
    throw invalidArgument('scope', scope, "'layer' or 'global'");
  }
  return abs.map((a, i) => tf.tensor(maskOf(a, cuts[i]!, prune), weights[i]!.shape, 'float32'));
}
