/** Test helper: a small functional model that uses every layer of the package once. */
import * as tfl from '@tensorflow/tfjs-layers';
import * as layers from '../index.js';

/** Builds the model on a `[height, width, 8]` input. */
export function everyLayerModel(height = 12, width = 11): tfl.LayersModel {
  const input = tfl.input({ shape: [height, width, 8] });
  const apply = (layer: tfl.layers.Layer, x: tfl.SymbolicTensor) => layer.apply(x) as tfl.SymbolicTensor;
  let x = apply(
    layers.groupConv2d({ filters: 16, kernelSize: 3, padding: 1, groups: 2, name: 'conv_g2' }),
    input,
  );
  x = apply(
    layers.groupConv2d({
      filters: 16,
      kernelSize: 3,
      strides: 2,
      padding: [1, 1, 0, 1],
      groups: 16,
      name: 'conv_dw',
    }),
    x,
  );
  x = apply(layers.groupConv2d({ filters: 8, kernelSize: 1, groups: 1, useBias: false, name: 'conv_pw' }), x);
  x = apply(layers.channelShuffle({ groups: 2 }), x);
  x = apply(layers.localResponseNormalization({ size: 3, alpha: 0.1, beta: 0.75, k: 2 }), x);
  x = apply(layers.squeezeExcite({ reducedChannels: 4, gate: 'hardSigmoid' }), x);
  x = apply(layers.relu6(), x);
  x = apply(layers.hardSwish(), x);
  x = apply(layers.hardSigmoid(), x);
  x = apply(layers.silu(), x);
  x = apply(layers.mish(), x);
  x = apply(layers.gelu({ approximate: 'tanh' }), x);
  x = apply(layers.dropPath({ rate: 0.2 }), x);
  x = apply(layers.paddedMaxPooling2d({ poolSize: 3, strides: 2, padding: 1, ceilMode: true }), x);
  const a = apply(layers.adaptiveAveragePooling2d({ outputSize: [2, 3] }), x);
  const m = apply(layers.adaptiveMaxPooling2d({ outputSize: 2 }), x);
  const p = apply(layers.paddedAveragePooling2d({ poolSize: 2, ceilMode: true, countIncludePad: false }), x);
  const flat = tfl.layers
    .concatenate()
    .apply([
      tfl.layers.flatten().apply(a) as tfl.SymbolicTensor,
      tfl.layers.flatten().apply(m) as tfl.SymbolicTensor,
      tfl.layers.flatten().apply(p) as tfl.SymbolicTensor,
    ]) as tfl.SymbolicTensor;
  const out = apply(layers.maxout({ numPieces: 2 }), flat);
  return tfl.model({ inputs: input, outputs: out, name: 'every_layer' });
}
