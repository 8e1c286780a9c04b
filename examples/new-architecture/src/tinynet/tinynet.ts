/**
 * TinyNet: the smallest family that follows the family convention of docs/guides/new-architecture.md
 * to the letter (the same files and export names as every `packages/<family>`). This file holds the
 * config type, the build options and the one builder. The layout mirrors this PyTorch module, so its
 * weight mapping (`features.0.weight` → layer `features_0`, kernel transposed) is mechanical:
 *
 * ```python
 * nn.Sequential(OrderedDict(features=nn.Sequential(
 *     nn.Conv2d(3, w, 3, padding=1, bias=False), nn.BatchNorm2d(w), nn.ReLU(), nn.MaxPool2d(2),
 *     nn.Conv2d(w, 2 * w, 3, padding=1, bias=False), nn.BatchNorm2d(2 * w), nn.ReLU()),
 *   pool=nn.AdaptiveAvgPool2d(1), flatten=nn.Flatten(), fc=nn.Linear(2 * w, num_classes)))
 * ```
 */
import * as tfl from '@tensorflow/tfjs-layers';
import {
  type BuildOptions,
  buildFeatures,
  classifierOutput,
  globalPool,
  invalidArgument,
  resolveBuildOptions,
} from '@tfzoo/core';
import { convBnRelu } from './blocks.js';

/** A TinyNet variant: data, not code (habit 2). */
export interface TinyNetConfig {
  /** Architecture id. */
  name: string;
  /** Channels of the first convolution; the second has twice as many. */
  width: number;
}

/** Build options of TinyNet: the common contract (with `skipInit`, `featuresOnly`, …); no keys of its own. */
export type TinyNetOptions = BuildOptions;

/** TinyNet's option keys beyond `BuildOptions`: none, so every other key is refused. */
export const TINYNET_OPTION_KEYS: readonly string[] = Object.freeze([]);

/** The one configurable builder. Layer names mirror the PyTorch module names with `.` → `_`. */
export function buildTinyNet(config: TinyNetConfig, options: TinyNetOptions = {}): tfl.LayersModel {
  const features = buildFeatures(options, (rest) => buildTinyNet(config, rest));
  if (features) return features;
  if (!Number.isInteger(config.width) || config.width < 1) {
    throw invalidArgument('width', config.width, 'a positive integer');
  }
  const resolved = resolveBuildOptions(options, {
    name: config.name,
    inputShape: [64, 64, 3],
    minInputSize: 2,
    options: TINYNET_OPTION_KEYS,
  });
  const init = options.skipInit ? 'zeros' : 'heNormal';
  const input = tfl.input({ shape: resolved.inputShape, name: 'input' });
  let x = convBnRelu(input, config.width, 0, init);
  x = tfl.layers.maxPooling2d({ poolSize: 2, name: 'features_3' }).apply(x) as tfl.SymbolicTensor;
  x = convBnRelu(x, 2 * config.width, 4, init);
  if (resolved.includeTop) {
    x = tfl.layers.globalAveragePooling2d({ name: 'pool' }).apply(x) as tfl.SymbolicTensor;
    const fc = tfl.layers.dense({ units: resolved.numClasses, kernelInitializer: init, name: 'fc' }).apply(x);
    x = classifierOutput(fc as tfl.SymbolicTensor, resolved);
  } else {
    x = globalPool(x, resolved.pooling);
  }
  return tfl.model({ inputs: input, outputs: x, name: resolved.name });
}
