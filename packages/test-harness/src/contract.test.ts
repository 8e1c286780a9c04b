import * as tfl from '@tensorflow/tfjs-layers';
import { describeModelContract } from './index.js';

// The harness itself, run on a small plain tfjs-layers CNN (conv, batch-norm, pooling, dense).
function smallCnn(): tfl.LayersModel {
  const input = tfl.input({ shape: [16, 16, 3] });
  let x = tfl.layers
    .conv2d({ filters: 4, kernelSize: 3, padding: 'same', name: 'conv1' })
    .apply(input) as tfl.SymbolicTensor;
  x = tfl.layers.batchNormalization({ name: 'bn1' }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.activation({ activation: 'relu' }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.globalAveragePooling2d({}).apply(x) as tfl.SymbolicTensor;
  const out = tfl.layers.dense({ units: 3, name: 'fc' }).apply(x) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: out });
}

describeModelContract([{ name: 'small-cnn', build: smallCnn, outputShape: [3] }]);
