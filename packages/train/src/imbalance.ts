/**
 * Class-imbalance helpers: "balanced" class weights for the loss (scikit-learn's
 * `compute_class_weight('balanced')`: `n_samples / (n_classes · count_c)`), and re-export of the
 * class-balanced sampler of `@tfzoo/datasets` for the loader.
 */
import { invalidArgument } from '@tfzoo/core';

export { classBalancedSampler } from '@tfzoo/datasets';

/**
 * Per-class loss weights `n / (k · count_c)` (scikit-learn `class_weight='balanced'`), so every
 * class contributes equally to the loss. Classes absent from `labels` get weight 0.
 */
export function balancedClassWeights(labels: ArrayLike<number>, numClasses: number): number[] {
  if (!Number.isInteger(numClasses) || numClasses < 1) {
    throw invalidArgument('numClasses', numClasses, 'a positive integer');
  }
  const counts = new Array<number>(numClasses).fill(0);
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i]!;
    if (!Number.isInteger(label) || label < 0 || label >= numClasses) {
      throw invalidArgument(`labels[${i}]`, label, `a class index below ${numClasses}`);
    }
    counts[label]!++;
  }
  return counts.map((c) => (c === 0 ? 0 : labels.length / (numClasses * c)));
}
