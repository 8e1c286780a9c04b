/**
 * Weight-name mappings of LeNet-5: none. LeNet has no upstream ImageNet or PyTorch checkpoint;
 * tfzoo's own weights (`lenet5.fmnist`) are saved in the model's own names and load with core's
 * `default` rule, and the PyTorch tutorials' module names (`conv1`, `conv2`, `fc1`–`fc3`) are the
 * layer names, so their state dicts load with it too.
 */
import type { WeightMapping } from '@tfzoo/core';

/** LeNet's weight mappings by source: none (core's `default` loads every LeNet file). */
export const LENET_MAPPINGS: Readonly<Record<string, WeightMapping>> = Object.freeze({});
