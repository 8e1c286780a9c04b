/**
 * SqueezeNet 1.0 and 1.1.
 *
 * Paper: F. N. Iandola, S. Han, M. W. Moskewicz, K. Ashraf, W. J. Dally, K. Keutzer, "SqueezeNet:
 * AlexNet-level accuracy with 50x fewer parameters and <0.5MB model size", 2016.
 * https://arxiv.org/abs/1602.07360 — version 1.1 is from the authors' repository
 * (https://github.com/forresti/SqueezeNet/tree/master/SqueezeNet_v1.1): a 3×3 stem with 64 filters
 * and earlier pooling, 2.4× less computation for the same accuracy.
 *
 * Reference implementation: torchvision `models/squeezenet.py`. Layers are named after its modules
 * (`features.3.squeeze` → `features_3_squeeze`, `classifier.1` → `classifier_1`), max pools use
 * `ceil_mode=True` (PyTorch's output size, not TF's), and the classifier is a 1×1 convolution
 * followed by ReLU and global average pooling. Initialization follows torchvision: Kaiming-uniform
 * convolutions (gain √2, fan-in), the final convolution `N(0, 0.01)`, zero biases.
 */
import * as tfl from '@tensorflow/tfjs-layers';
import {
  type BuildOptions,
  buildFeatures,
  classifierOutput,
  globalPool,
  invalidArgument,
  maybeDropout,
  normalInit,
  resolveBuildOptions,
} from '@tfzoo/core';
import { PaddedMaxPooling2D } from '@tfzoo/layers';
import { type FireConfig, fireModule } from './blocks.js';

/** One entry of `features` after the stem: a Fire module or a ceil-mode 3×3/2 max pool. */
export type SqueezeNetFeature = FireConfig | 'pool';

/** The architecture of a SqueezeNet version, as data. */
export interface SqueezeNetConfig {
  /** Registry id, e.g. `squeezenet1_1`. */
  name: string;
  /** Output channels of the stem convolution (`features.0`). */
  stemFilters: number;
  /** Kernel size of the stem convolution (stride 2, no padding). */
  stemKernel: number;
  /**
   * `features.3…` in order (the stem is `features.0` conv, `features.1` ReLU, `features.2` pool).
   */
  features: readonly SqueezeNetFeature[];
  /**
   * Smallest input height and width the model accepts: torchvision's `min_size` (21 for 1.0, 17 for
   * 1.1), where the last ceil-mode pool's window runs past a 2-pixel map.
   */
  minInputSize: number;
}

const fire = (squeeze: number, expand: number): FireConfig => ({
  squeeze,
  expand1x1: expand,
  expand3x3: expand,
});

/** SqueezeNet 1.0 (torchvision `SqueezeNet(version="1_0")`). */
export const SQUEEZENET1_0: SqueezeNetConfig = Object.freeze<SqueezeNetConfig>({
  name: 'squeezenet1_0',
  stemFilters: 96,
  stemKernel: 7,
  features: [
    fire(16, 64),
    fire(16, 64),
    fire(32, 128),
    'pool',
    fire(32, 128),
    fire(48, 192),
    fire(48, 192),
    fire(64, 256),
    'pool',
    fire(64, 256),
  ],
  minInputSize: 21,
});

/** SqueezeNet 1.1 (torchvision `SqueezeNet(version="1_1")`). */
export const SQUEEZENET1_1: SqueezeNetConfig = Object.freeze<SqueezeNetConfig>({
  name: 'squeezenet1_1',
  stemFilters: 64,
  stemKernel: 3,
  features: [
    fire(16, 64),
    fire(16, 64),
    'pool',
    fire(32, 128),
    fire(32, 128),
    'pool',
    fire(48, 192),
    fire(48, 192),
    fire(64, 256),
    fire(64, 256),
  ],
  minInputSize: 17,
});

/** The configurations by registry id. */
export const SQUEEZENET_CONFIGS: Readonly<Record<'squeezenet1_0' | 'squeezenet1_1', SqueezeNetConfig>> =
  Object.freeze({ squeezenet1_0: SQUEEZENET1_0, squeezenet1_1: SQUEEZENET1_1 });

/** Build options of the SqueezeNet builders: the common {@link BuildOptions} (dropout default 0.5). */
export type SqueezeNetOptions = BuildOptions;

/** SqueezeNet's option keys beyond `BuildOptions`: none, every other key is refused. */
export const SQUEEZENET_OPTION_KEYS: readonly string[] = Object.freeze([]);

/** `nn.init.kaiming_uniform_(w)` (gain √2, fan-in): `U(−√(6/fan_in), √(6/fan_in))`. */
function kaimingUniform() {
  return tfl.initializers.varianceScaling({ scale: 2, mode: 'fanIn', distribution: 'uniform' });
}

function maxPool(name: string): tfl.layers.Layer {
  return new PaddedMaxPooling2D({ poolSize: 3, strides: 2, ceilMode: true, name });
}

/**
 * Builds a SqueezeNet from its configuration: the one configurable builder behind
 * {@link squeezenet1_0} and {@link squeezenet1_1}.
 *
 * @throws {@link @tfzoo/core!ZooError} naming the value when an option is malformed or the input is smaller than
 * the architecture accepts.
 */
export function buildSqueezeNet(config: SqueezeNetConfig, options: SqueezeNetOptions = {}): tfl.LayersModel {
  const features = buildFeatures(options, (rest) => buildSqueezeNet(config, rest));
  if (features) return features;
  if (!config || !Array.isArray(config.features)) {
    throw invalidArgument('config', config, 'a SqueezeNetConfig such as SQUEEZENET1_1');
  }
  const resolved = resolveBuildOptions(options, {
    name: config.name,
    dropRate: 0.5,
    minInputSize: config.minInputSize,
  });
  const zeros = () => tfl.initializers.zeros();
  const input = tfl.input({ shape: resolved.inputShape, name: 'input' });
  let x = tfl.layers
    .conv2d({
      filters: config.stemFilters,
      kernelSize: config.stemKernel,
      strides: 2,
      padding: 'valid',
      activation: 'relu',
      kernelInitializer: kaimingUniform(),
      biasInitializer: zeros(),
      name: 'features_0',
    })
    .apply(input) as tfl.SymbolicTensor;
  x = maxPool('features_2').apply(x) as tfl.SymbolicTensor;
  config.features.forEach((feature, i) => {
    const name = `features_${i + 3}`;
    x =
      feature === 'pool'
        ? (maxPool(name).apply(x) as tfl.SymbolicTensor)
        : fireModule(x, feature, name, { kernel: kaimingUniform, bias: zeros });
  });
  if (resolved.includeTop) {
    x = maybeDropout(x, resolved.dropRate, 'classifier_0');
    x = tfl.layers
      .conv2d({
        filters: resolved.numClasses,
        kernelSize: 1,
        activation: 'relu',
        kernelInitializer: normalInit(0.01),
        biasInitializer: zeros(),
        name: 'classifier_1',
      })
      .apply(x) as tfl.SymbolicTensor;
    x = tfl.layers.globalAveragePooling2d({ name: 'classifier_3' }).apply(x) as tfl.SymbolicTensor;
    x = classifierOutput(x, resolved);
  } else {
    x = globalPool(x, resolved.pooling);
  }
  return tfl.model({ inputs: input, outputs: x, name: resolved.name });
}

/**
 * SqueezeNet 1.0 (Iandola et al., 2016): 1.25M parameters at 1000 classes, 7×7/2 stem with 96
 * filters. Defaults: 1000 classes, `[224, 224, 3]`, dropout 0.5 before the classifier, logits out.
 */
export function squeezenet1_0(options: SqueezeNetOptions = {}): tfl.LayersModel {
  return buildSqueezeNet(SQUEEZENET1_0, options);
}

/**
 * SqueezeNet 1.1: 1.24M parameters at 1000 classes, 3×3/2 stem with 64 filters and earlier pooling
 * (2.4× fewer MACs than 1.0). Defaults as {@link squeezenet1_0}.
 *
 * @example
 * ```ts
 * const model = squeezenet1_1({ numClasses: 10, inputShape: [96, 96, 3] });
 * ```
 */
export function squeezenet1_1(options: SqueezeNetOptions = {}): tfl.LayersModel {
  return buildSqueezeNet(SQUEEZENET1_1, options);
}
