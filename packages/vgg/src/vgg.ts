/**
 * VGG-11/13/16/19, with and without batch-norm.
 *
 * Paper: K. Simonyan, A. Zisserman, "Very Deep Convolutional Networks for Large-Scale Image
 * Recognition", ICLR 2015. https://arxiv.org/abs/1409.1556
 *
 * Reference implementation: torchvision `torchvision/models/vgg.py` (layout, names, init), whose
 * adaptive average pool to 7×7 before the classifier lets the network take any input of at least
 * 32×32. timm's VGG (`timm/models/vgg.py`) stores the same classifier as convolutions; its files load
 * through the `timm` mapping (see `mapping.ts`).
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
import { adaptiveAveragePooling2d } from '@tfzoo/layers';
import {
  REFERENCE_INITIALIZERS,
  type VggLayerSpec,
  vggClassifier,
  vggFeatures,
  ZERO_INITIALIZERS,
} from './blocks.js';

/** The architecture of one VGG variant: data, not code (torchvision's `cfgs`). */
export interface VggConfig {
  /** Architecture id, used as the default model name (e.g. `vgg16_bn`). */
  name: string;
  /** Widths of the 3×3 convolutions, `'M'` for each 2×2 max pool (torchvision's `cfgs[...]`). */
  layers: readonly VggLayerSpec[];
  /** Batch-norm after every convolution (the `_bn` variants). */
  batchNorm: boolean;
  /** Width of the two hidden classifier layers (default 4096). */
  classifierWidth?: number;
  /** Output size of the adaptive average pool before the classifier (default 7). */
  poolSize?: number;
}

/** Options of the VGG builders beyond the common {@link BuildOptions}. */
export interface VggBuildOptions {
  /**
   * Initialize weights as torchvision does (default true; false when `skipInit` is set). `false` builds all-zero kernels, which
   * is much faster for the 100M-parameter classifier when a checkpoint is loaded right after
   * (torchvision passes `init_weights=False` for the same reason).
   */
  initWeights?: boolean;
}

/** Build options of the VGG builders: the common contract plus {@link VggBuildOptions}. */
export type VggOptions = BuildOptions & VggBuildOptions;

/** The VGG builders' option keys beyond `BuildOptions`: every other key is refused. */
export const VGG_OPTION_KEYS = Object.freeze([
  'initWeights',
] as const satisfies readonly (keyof VggOptions)[]);

/** torchvision's feature configurations: `A` (VGG-11), `B` (13), `D` (16), `E` (19). */
export const VGG_LAYERS = {
  A: [64, 'M', 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512, 'M'],
  B: [64, 64, 'M', 128, 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512, 'M'],
  D: [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M', 512, 512, 512, 'M', 512, 512, 512, 'M'],
  E: [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 256, 'M', 512, 512, 512, 512, 'M', 512, 512, 512, 512, 'M'],
} as const satisfies Record<string, readonly VggLayerSpec[]>;

function checkConfig(config: VggConfig): void {
  if (!Array.isArray(config.layers) || config.layers.length === 0) {
    throw invalidArgument('config.layers', config.layers, "a non-empty array of widths and 'M'");
  }
  for (const spec of config.layers) {
    if (spec !== 'M' && !(Number.isInteger(spec) && spec > 0)) {
      throw invalidArgument('config.layers', config.layers, "positive integer widths and 'M' only");
    }
  }
  for (const [what, value] of [
    ['config.classifierWidth', config.classifierWidth],
    ['config.poolSize', config.poolSize],
  ] as const) {
    if (value !== undefined && !(Number.isInteger(value) && value > 0)) {
      throw invalidArgument(what, value, 'a positive integer');
    }
  }
}

/**
 * Builds a VGG network (Simonyan & Zisserman, "Very Deep Convolutional Networks for Large-Scale
 * Image Recognition", ICLR 2015, https://arxiv.org/abs/1409.1556) from a {@link VggConfig}, laid
 * out as torchvision's `VGG`: the convolutional `features`, an adaptive average pool to
 * `poolSize`×`poolSize` (`avgpool`), and three dense layers with ReLU and dropout (default rate
 * 0.5, torchvision's). With `includeTop: false` the model ends at the last max pool, followed by
 * the optional global `pooling`.
 *
 * @example
 * ```ts
 * const model = buildVgg({ name: 'vgg_tiny', layers: [32, 'M', 64, 'M'], batchNorm: true, classifierWidth: 256 },
 *   { inputShape: [32, 32, 3], numClasses: 10 });
 * ```
 */
export function buildVgg(config: VggConfig, options: VggOptions = {}): tfl.LayersModel {
  const features = buildFeatures(options, (rest) => buildVgg(config, rest));
  if (features) return features;
  checkConfig(config);
  const pools = config.layers.filter((spec) => spec === 'M').length;
  const resolved = resolveBuildOptions(options, {
    name: config.name,
    dropRate: 0.5,
    minInputSize: 2 ** pools,
    options: VGG_OPTION_KEYS,
  });
  const initWeights = options.initWeights ?? !(options.skipInit ?? false);
  if (typeof initWeights !== 'boolean') throw invalidArgument('initWeights', initWeights, 'a boolean');
  const init = initWeights ? REFERENCE_INITIALIZERS : ZERO_INITIALIZERS;

  const input = tfl.input({ shape: resolved.inputShape, name: 'input' });
  let x = vggFeatures(input, config.layers, config.batchNorm, init);
  if (resolved.includeTop) {
    x = adaptiveAveragePooling2d({ outputSize: config.poolSize ?? 7, name: 'avgpool' }).apply(
      x,
    ) as tfl.SymbolicTensor;
    x = tfl.layers.flatten({ name: 'flatten' }).apply(x) as tfl.SymbolicTensor;
    x = vggClassifier(x, config.classifierWidth ?? 4096, resolved.numClasses, resolved.dropRate, init);
    x = classifierOutput(x, resolved);
  } else {
    x = globalPool(x, resolved.pooling);
  }
  return tfl.model({ inputs: input, outputs: x, name: resolved.name });
}

/**
 * The VGG builder under its earlier name.
 *
 * @deprecated Use {@link buildVgg} (every family's builder is `build<Family>`).
 */
export const vgg: (config: VggConfig, options?: VggOptions) => tfl.LayersModel = buildVgg;
