/**
 * TinyNet: the smallest family that follows every habit of a tfzoo architecture (STYLE.md habit 1,
 * `packages/lenet` is the real small example). The layout mirrors this PyTorch module, so the
 * default weight mapping (`features.0.weight` → layer `features_0`, kernel transposed) is mechanical:
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
  classifierOutput,
  defineModel,
  globalPool,
  invalidArgument,
  type ModelDefinition,
  registerModel,
  resolveBuildOptions,
} from '@tfzoo/core';

/** A TinyNet variant: data, not code (habit 2). */
export interface TinyNetConfig {
  /** Architecture id. */
  name: string;
  /** Channels of the first convolution; the second has twice as many. */
  width: number;
}

/** Build options of TinyNet: the common contract plus the option every family offers to skip init. */
export interface TinyNetOptions extends BuildOptions {
  /** Zero weights instead of random ones (every weight is about to be loaded). */
  skipInit?: boolean;
}

/** The variants. */
export const TINYNET_CONFIGS = {
  tinynet_s: { name: 'tinynet_s', width: 8 },
  tinynet_m: { name: 'tinynet_m', width: 16 },
} as const satisfies Record<string, TinyNetConfig>;

/** The one configurable builder. Layer names mirror the PyTorch module names with `.` → `_`. */
export function buildTinyNet(config: TinyNetConfig, options: TinyNetOptions = {}): tfl.LayersModel {
  if (!Number.isInteger(config.width) || config.width < 1) {
    throw invalidArgument('width', config.width, 'a positive integer');
  }
  const resolved = resolveBuildOptions(options, {
    name: config.name,
    inputShape: [64, 64, 3],
    minInputSize: 2,
  });
  const init = options.skipInit ? 'zeros' : 'heNormal';
  const input = tfl.input({ shape: resolved.inputShape, name: 'input' });
  let x = input;
  const convBnRelu = (filters: number, index: number) => {
    x = tfl.layers
      .conv2d({
        filters,
        kernelSize: 3,
        padding: 'same',
        useBias: false,
        kernelInitializer: init,
        name: `features_${index}`,
      })
      .apply(x) as tfl.SymbolicTensor;
    x = tfl.layers
      .batchNormalization({ epsilon: 1e-5, momentum: 0.9, name: `features_${index + 1}` })
      .apply(x) as tfl.SymbolicTensor;
    x = tfl.layers.reLU({ name: `features_${index + 2}` }).apply(x) as tfl.SymbolicTensor;
  };
  convBnRelu(config.width, 0);
  x = tfl.layers.maxPooling2d({ poolSize: 2, name: 'features_3' }).apply(x) as tfl.SymbolicTensor;
  convBnRelu(2 * config.width, 4);
  if (resolved.includeTop) {
    x = tfl.layers.globalAveragePooling2d({ name: 'pool' }).apply(x) as tfl.SymbolicTensor;
    const fc = tfl.layers.dense({ units: resolved.numClasses, kernelInitializer: init, name: 'fc' }).apply(x);
    x = classifierOutput(fc as tfl.SymbolicTensor, resolved);
  } else {
    x = globalPool(x, resolved.pooling);
  }
  return tfl.model({ inputs: input, outputs: x, name: resolved.name });
}

/** Registry entries (registered on import, like every family package). */
export const TINYNET_DEFINITIONS: readonly ModelDefinition[] = Object.values(TINYNET_CONFIGS).map((config) =>
  defineModel({
    name: config.name,
    family: 'tinynet',
    build: (options) => buildTinyNet(config, options as TinyNetOptions),
    description: `TinyNet, width ${config.width}: two conv-bn-relu stages and a linear classifier`,
    reference: 'the PyTorch module in this file’s header',
    defaultMapping: 'default',
  }),
);

registerModel(...TINYNET_DEFINITIONS);
