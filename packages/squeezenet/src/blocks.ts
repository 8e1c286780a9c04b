/**
 * The Fire module of SqueezeNet (Iandola et al., "SqueezeNet: AlexNet-level accuracy with 50x fewer
 * parameters and <0.5MB model size", 2016, https://arxiv.org/abs/1602.07360): a 1×1 "squeeze"
 * convolution followed by parallel 1×1 and 3×3 "expand" convolutions whose outputs are concatenated.
 *
 * Reference: torchvision `models/squeezenet.py` (`Fire`: `squeeze`, `expand1x1`, `expand3x3`, each
 * followed by an in-place ReLU; the 3×3 expand pads by 1).
 */
import * as tfl from '@tensorflow/tfjs-layers';

/** Channel widths of one Fire module. */
export interface FireConfig {
  /** Output channels of the 1×1 squeeze convolution. */
  squeeze: number;
  /** Output channels of the 1×1 expand convolution. */
  expand1x1: number;
  /** Output channels of the 3×3 expand convolution. */
  expand3x3: number;
}

/** Initializers a {@link fireModule} gives its convolutions. */
export interface FireInitializers {
  /** Kernel initializer of the three convolutions. */
  kernel: () => ReturnType<typeof tfl.initializers.zeros>;
  /** Bias initializer of the three convolutions. */
  bias: () => ReturnType<typeof tfl.initializers.zeros>;
}

/**
 * Applies a Fire module to `x`. Layers are named after torchvision's modules:
 * `<name>_squeeze`, `<name>_expand1x1`, `<name>_expand3x3` (ReLU fused into each convolution), and
 * the concatenation `<name>` (expand1x1 channels first, as `torch.cat([...], 1)`).
 */
export function fireModule(
  x: tfl.SymbolicTensor,
  config: FireConfig,
  name: string,
  init: FireInitializers,
): tfl.SymbolicTensor {
  const conv = (filters: number, kernelSize: number, suffix: string) =>
    tfl.layers.conv2d({
      filters,
      kernelSize,
      padding: kernelSize === 1 ? 'valid' : 'same',
      activation: 'relu',
      kernelInitializer: init.kernel(),
      biasInitializer: init.bias(),
      name: `${name}_${suffix}`,
    });
  const squeezed = conv(config.squeeze, 1, 'squeeze').apply(x) as tfl.SymbolicTensor;
  const left = conv(config.expand1x1, 1, 'expand1x1').apply(squeezed) as tfl.SymbolicTensor;
  const right = conv(config.expand3x3, 3, 'expand3x3').apply(squeezed) as tfl.SymbolicTensor;
  return tfl.layers.concatenate({ axis: -1, name }).apply([left, right]) as tfl.SymbolicTensor;
}
