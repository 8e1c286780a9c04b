/**
 * TinyNet's block: a 3×3 convolution, batch norm and ReLU, named after the PyTorch module's
 * `features.<index>`, `features.<index + 1>`, `features.<index + 2>`.
 */
import * as tfl from '@tensorflow/tfjs-layers';

/** `Conv2d(3×3, no bias) → BatchNorm2d → ReLU` as layers `features_<index>` … `features_<index + 2>`. */
export function convBnRelu(
  x: tfl.SymbolicTensor,
  filters: number,
  index: number,
  init: 'zeros' | 'heNormal',
): tfl.SymbolicTensor {
  let y = tfl.layers
    .conv2d({
      filters,
      kernelSize: 3,
      padding: 'same',
      useBias: false,
      kernelInitializer: init,
      name: `features_${index}`,
    })
    .apply(x) as tfl.SymbolicTensor;
  y = tfl.layers
    .batchNormalization({ epsilon: 1e-5, momentum: 0.9, name: `features_${index + 1}` })
    .apply(y) as tfl.SymbolicTensor;
  return tfl.layers.reLU({ name: `features_${index + 2}` }).apply(y) as tfl.SymbolicTensor;
}
