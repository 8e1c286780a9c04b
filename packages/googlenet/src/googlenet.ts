/**
 * GoogLeNet (Inception v1).
 *
 * Paper: C. Szegedy, W. Liu, Y. Jia, P. Sermanet, S. Reed, D. Anguelov, D. Erhan, V. Vanhoucke,
 * A. Rabinovich, "Going Deeper with Convolutions", CVPR 2015. https://arxiv.org/abs/1409.4842
 *
 * Reference implementation: torchvision `torchvision/models/googlenet.py`, whose ImageNet weights
 * (ported from the original) this layout loads: batch-norm after every convolution, a 3×3 kernel
 * in the "5×5" branch, ceil-mode max pools, the optional `transform_input` affine map the weights
 * expect, and the two auxiliary classifiers for training.
 */
import * as tfl from '@tensorflow/tfjs-layers';
import {
  type BuildOptions,
  buildFeatures,
  classifierOutput,
  globalPool,
  IMAGENET_MEAN,
  IMAGENET_STD,
  invalidArgument,
  maybeDropout,
  resolveBuildOptions,
} from '@tfzoo/core';
import {
  type AuxSpec,
  basicConv2d,
  ceilMaxPool,
  type InceptionSpec,
  inception,
  inceptionAux,
  REFERENCE_INIT,
  transformInput,
  ZERO_INIT,
} from './blocks.js';

/** Names of the nine Inception modules, in order. */
export type InceptionName = '3a' | '3b' | '4a' | '4b' | '4c' | '4d' | '4e' | '5a' | '5b';

/** Widths of the GoogLeNet stem. */
export interface GoogLeNetStem {
  /** `conv1`: 7×7/2 convolution. */
  conv1: number;
  /** `conv2`: 1×1 convolution. */
  conv2: number;
  /** `conv3`: 3×3 convolution. */
  conv3: number;
}

/** The architecture of a GoogLeNet: data, not code. */
export interface GoogLeNetConfig {
  /** Architecture id, used as the default model name. */
  name: string;
  /** Widths of the stem: `conv1` (7×7/2), `conv2` (1×1), `conv3` (3×3). */
  stem: GoogLeNetStem;
  /** The nine Inception modules. */
  inception: Readonly<Record<InceptionName, InceptionSpec>>;
  /** The auxiliary classifiers' widths. */
  aux: AuxSpec;
  /** Kernel of the "5×5" branch: 3 in torchvision (its weights need it), 5 in the paper. */
  branch3KernelSize: 3 | 5;
}

/** torchvision's GoogLeNet (the widths of the paper's Table 1). */
export const GOOGLENET_CONFIG: GoogLeNetConfig = Object.freeze({
  name: 'googlenet',
  stem: { conv1: 64, conv2: 64, conv3: 192 },
  inception: {
    '3a': { ch1x1: 64, ch3x3red: 96, ch3x3: 128, ch5x5red: 16, ch5x5: 32, poolProj: 32 },
    '3b': { ch1x1: 128, ch3x3red: 128, ch3x3: 192, ch5x5red: 32, ch5x5: 96, poolProj: 64 },
    '4a': { ch1x1: 192, ch3x3red: 96, ch3x3: 208, ch5x5red: 16, ch5x5: 48, poolProj: 64 },
    '4b': { ch1x1: 160, ch3x3red: 112, ch3x3: 224, ch5x5red: 24, ch5x5: 64, poolProj: 64 },
    '4c': { ch1x1: 128, ch3x3red: 128, ch3x3: 256, ch5x5red: 24, ch5x5: 64, poolProj: 64 },
    '4d': { ch1x1: 112, ch3x3red: 144, ch3x3: 288, ch5x5red: 32, ch5x5: 64, poolProj: 64 },
    '4e': { ch1x1: 256, ch3x3red: 160, ch3x3: 320, ch5x5red: 32, ch5x5: 128, poolProj: 128 },
    '5a': { ch1x1: 256, ch3x3red: 160, ch3x3: 320, ch5x5red: 32, ch5x5: 128, poolProj: 128 },
    '5b': { ch1x1: 384, ch3x3red: 192, ch3x3: 384, ch5x5red: 48, ch5x5: 128, poolProj: 128 },
  },
  aux: { conv: 128, fc: 1024 },
  branch3KernelSize: 3,
});

/** Options of the GoogLeNet builders beyond the common {@link BuildOptions}. */
export interface GoogLeNetBuildOptions {
  /**
   * Apply torchvision's `transform_input` first (default false): the input is ImageNet-normalized
   * and is mapped to the `(x − 0.5) / 0.5` range the ported weights expect. The pretrained config
   * sets it. Needs 3 channels.
   */
  transformInput?: boolean;
  /**
   * Add the two auxiliary classifiers (default false). The model then has three outputs in
   * torchvision's order `[logits, aux2, aux1]` (`GoogLeNetOutputs(logits, aux_logits2,
   * aux_logits1)`); train with a loss on each (the paper weights them 0.3). Needs `includeTop`.
   */
  auxLogits?: boolean;
  /** Dropout rate of the auxiliary classifiers (default 0.7, torchvision's `dropout_aux`). */
  auxDropRate?: number;
  /**
   * Initialize weights as torchvision does (default true; false when `skipInit` is set). `false` builds zeros, faster when a
   * checkpoint is loaded right after.
   */
  initWeights?: boolean;
}

/** Build options of the GoogLeNet builders: the common contract plus {@link GoogLeNetBuildOptions}. */
export type GoogLeNetOptions = BuildOptions & GoogLeNetBuildOptions;

/** The GoogLeNet builders' option keys beyond `BuildOptions`: every other key is refused. */
export const GOOGLENET_OPTION_KEYS = Object.freeze([
  'transformInput',
  'auxLogits',
  'auxDropRate',
  'initWeights',
] as const satisfies readonly (keyof GoogLeNetOptions)[]);

function checkBoolean(what: string, value: unknown, fallback: boolean): boolean {
  const resolved = value ?? fallback;
  if (typeof resolved !== 'boolean') throw invalidArgument(what, value, 'a boolean');
  return resolved;
}

/**
 * Builds a GoogLeNet (Szegedy et al., "Going Deeper with Convolutions", CVPR 2015,
 * https://arxiv.org/abs/1409.4842) from a {@link GoogLeNetConfig}, laid out as torchvision's
 * `GoogLeNet`: stem (`conv1` 7×7/2, `maxpool1`, `conv2`, `conv3`, `maxpool2`), Inception modules
 * 3a–3b, `maxpool3`, 4a–4e, `maxpool4`, 5a–5b (all pools 3×3/2 or 2×2/2 in ceil mode), global
 * average pool (`avgpool`), dropout (default 0.2) and `fc`. With `includeTop: false` the model ends
 * after `inception5b`, followed by the optional global `pooling`.
 */
export function buildGoogLeNet(config: GoogLeNetConfig, options: GoogLeNetOptions = {}): tfl.LayersModel {
  const extractor = buildFeatures(options, (rest) => buildGoogLeNet(config, rest));
  if (extractor) return extractor;
  const transform = checkBoolean('transformInput', options.transformInput, false);
  const auxLogits = checkBoolean('auxLogits', options.auxLogits, false);
  const initWeights = checkBoolean('initWeights', options.initWeights, !(options.skipInit ?? false));
  const resolved = resolveBuildOptions(options, {
    name: config.name,
    dropRate: 0.2,
    minInputSize: 15,
    ...(transform ? { channels: 3 } : {}),
    options: GOOGLENET_OPTION_KEYS,
  });
  const auxDropRate = options.auxDropRate ?? 0.7;
  if (typeof auxDropRate !== 'number' || !(auxDropRate >= 0 && auxDropRate < 1)) {
    throw invalidArgument('auxDropRate', auxDropRate, 'a number in [0, 1)');
  }
  if (auxLogits && !resolved.includeTop) {
    throw invalidArgument(
      'auxLogits',
      auxLogits,
      'false when includeTop is false (the auxiliary heads are classifiers)',
    );
  }
  if (config.branch3KernelSize !== 3 && config.branch3KernelSize !== 5) {
    throw invalidArgument('config.branch3KernelSize', config.branch3KernelSize, '3 or 5');
  }
  const init = initWeights ? REFERENCE_INIT : ZERO_INIT;
  const block = (x: tfl.SymbolicTensor, name: InceptionName) =>
    inception(x, config.inception[name], `inception${name}`, config.branch3KernelSize, init);
  const aux = (x: tfl.SymbolicTensor, name: string) =>
    classifierOutput(
      inceptionAux(x, config.aux, resolved.numClasses, auxDropRate, name, init),
      resolved,
      `${name}_probabilities`,
    );

  const input = tfl.input({ shape: resolved.inputShape, name: 'input' });
  let x = transform ? transformInput(input, IMAGENET_MEAN, IMAGENET_STD) : input;
  x = basicConv2d(x, config.stem.conv1, 'conv1', { kernelSize: 7, stride: 2, padding: 3 }, init);
  x = ceilMaxPool(x, 3, 2, 'maxpool1');
  x = basicConv2d(x, config.stem.conv2, 'conv2', { kernelSize: 1 }, init);
  x = basicConv2d(x, config.stem.conv3, 'conv3', { kernelSize: 3, padding: 1 }, init);
  x = ceilMaxPool(x, 3, 2, 'maxpool2');
  x = block(block(x, '3a'), '3b');
  x = ceilMaxPool(x, 3, 2, 'maxpool3');
  x = block(x, '4a');
  const aux1 = auxLogits ? aux(x, 'aux1') : null;
  x = block(block(block(x, '4b'), '4c'), '4d');
  const aux2 = auxLogits ? aux(x, 'aux2') : null;
  x = block(x, '4e');
  x = ceilMaxPool(x, 2, 2, 'maxpool4');
  x = block(block(x, '5a'), '5b');
  if (!resolved.includeTop) {
    return tfl.model({ inputs: input, outputs: globalPool(x, resolved.pooling), name: resolved.name });
  }
  x = tfl.layers.globalAveragePooling2d({ name: 'avgpool' }).apply(x) as tfl.SymbolicTensor;
  x = maybeDropout(x, resolved.dropRate, 'dropout');
  const features = x.shape[1] as number;
  x = tfl.layers
    .dense({
      units: resolved.numClasses,
      name: 'fc',
      kernelInitializer: init.kernel(),
      biasInitializer: init.denseBias(features),
    })
    .apply(x) as tfl.SymbolicTensor;
  const logits = classifierOutput(x, resolved);
  const outputs = aux1 && aux2 ? [logits, aux2, aux1] : logits;
  return tfl.model({ inputs: input, outputs, name: resolved.name });
}

/**
 * Builds GoogLeNet (Szegedy et al., "Going Deeper with Convolutions", CVPR 2015,
 * https://arxiv.org/abs/1409.4842) as torchvision does: 6.6M parameters, 13.0M with the auxiliary
 * classifiers. Pass `transformInput: true` with torchvision's pretrained weights (the pretrained
 * config does). Any input of at least 15×15 works.
 *
 * @example
 * ```ts
 * const model = googlenet({ numClasses: 10, auxLogits: true }); // outputs [logits, aux2, aux1]
 * ```
 */
export function googlenet(options?: GoogLeNetOptions): tfl.LayersModel {
  return buildGoogLeNet(GOOGLENET_CONFIG, options);
}

/**
 * The GoogLeNet builder under its earlier name.
 *
 * @deprecated Use {@link buildGoogLeNet} (every family's builder is `build<Family>`).
 */
export const googlenetFromConfig: (config: GoogLeNetConfig, options?: GoogLeNetOptions) => tfl.LayersModel =
  buildGoogLeNet;
