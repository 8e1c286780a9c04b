/**
 * Small CNNs built with plain tfjs-layers that cover the layer kinds of the zoo's families:
 * strided and explicitly padded convolutions (ResNet stem, ShuffleNet/MobileNet downsampling),
 * depthwise and separable convolutions with depth multipliers (MobileNet, Xception), batch norm,
 * ReLU/ReLU6, max/average/global pooling, residual additions, concatenation, dense heads.
 */
import * as tfl from '@tensorflow/tfjs-layers';
import type { TrainStepCase } from './train-step.js';

type T = tfl.SymbolicTensor;
const apply = (layer: tfl.layers.Layer, x: T | T[]): T => layer.apply(x) as T;

function convBn(x: T, filters: number, kernelSize: number, strides = 1, pad: 'same' | number = 'same'): T {
  if (typeof pad === 'number') x = apply(tfl.layers.zeroPadding2d({ padding: pad }), x);
  x = apply(
    tfl.layers.conv2d({
      filters,
      kernelSize,
      strides,
      padding: pad === 'same' ? 'same' : 'valid',
      useBias: false,
    }),
    x,
  );
  return apply(tfl.layers.batchNormalization({ epsilon: 1e-5 }), x);
}

/** ResNet-style: 7×7/2 stem with explicit padding, 3×3/2 max pool, a basic block with a 1×1/2 shortcut. */
export function miniResNet(): tfl.LayersModel {
  const input = tfl.input({ shape: [19, 19, 3] });
  let x = apply(tfl.layers.reLU(), convBn(input, 8, 7, 2, 3));
  x = apply(tfl.layers.zeroPadding2d({ padding: 1 }), x);
  x = apply(tfl.layers.maxPooling2d({ poolSize: 3, strides: 2 }), x);
  const shortcut = convBn(x, 16, 1, 2, 0);
  let y = apply(tfl.layers.reLU(), convBn(x, 16, 3, 2, 1));
  y = convBn(y, 16, 3, 1, 1);
  x = apply(tfl.layers.reLU(), apply(tfl.layers.add(), [y, shortcut]));
  x = apply(tfl.layers.globalAveragePooling2d({}), x);
  const output = apply(tfl.layers.dense({ units: 10, activation: 'softmax' }), x);
  return tfl.model({ inputs: input, outputs: output });
}

function invertedResidual(x: T, expand: number, out: number, stride: number): T {
  const channels = x.shape[3] as number;
  let y = apply(tfl.layers.reLU({ maxValue: 6 }), convBn(x, channels * expand, 1));
  if (stride === 2) y = apply(tfl.layers.zeroPadding2d({ padding: 1 }), y);
  y = apply(
    tfl.layers.depthwiseConv2d({
      kernelSize: 3,
      strides: stride,
      padding: stride === 2 ? 'valid' : 'same',
      useBias: false,
    }),
    y,
  );
  y = apply(tfl.layers.reLU({ maxValue: 6 }), apply(tfl.layers.batchNormalization({ epsilon: 1e-5 }), y));
  y = convBn(y, out, 1);
  return stride === 1 && channels === out ? apply(tfl.layers.add(), [x, y]) : y;
}

/** MobileNetV2-style: inverted residuals (1×1 expand, 3×3 depthwise stride 2 and 1, 1×1 project), ReLU6. */
export function miniMobileNetV2(): tfl.LayersModel {
  const input = tfl.input({ shape: [16, 16, 3] });
  let x = apply(tfl.layers.reLU({ maxValue: 6 }), convBn(input, 8, 3, 2, 1));
  x = invertedResidual(x, 4, 12, 2);
  x = invertedResidual(x, 4, 12, 1);
  x = apply(tfl.layers.globalAveragePooling2d({}), x);
  const output = apply(tfl.layers.dense({ units: 10, activation: 'softmax' }), x);
  return tfl.model({ inputs: input, outputs: output });
}

/** Xception-style: separable convolutions (depth multiplier 2), 3×3/2 'same' max pool, residual 1×1/2. */
export function miniXception(): tfl.LayersModel {
  const input = tfl.input({ shape: [15, 15, 4] });
  let x = apply(tfl.layers.reLU(), convBn(input, 8, 3, 2, 'same'));
  const residual = convBn(x, 16, 1, 2, 'same');
  let y = apply(
    tfl.layers.separableConv2d({ filters: 16, kernelSize: 3, padding: 'same', depthMultiplier: 2 }),
    x,
  );
  y = apply(tfl.layers.batchNormalization({ epsilon: 1e-3 }), y);
  y = apply(tfl.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' }), y);
  x = apply(tfl.layers.add(), [y, residual]);
  x = apply(tfl.layers.globalMaxPooling2d({}), x);
  const output = apply(tfl.layers.dense({ units: 5, activation: 'softmax' }), x);
  return tfl.model({ inputs: input, outputs: output });
}

/** LeNet-5 / AlexNet / GoogLeNet-style: 5×5 valid, 11×11/4, average pooling, concatenated branches, dense. */
export function miniClassic(): tfl.LayersModel {
  const input = tfl.input({ shape: [27, 27, 1] });
  const a = apply(tfl.layers.conv2d({ filters: 4, kernelSize: 5, activation: 'tanh' }), input); // 23
  const b = apply(
    tfl.layers.conv2d({ filters: 4, kernelSize: 11, strides: 4, activation: 'relu', padding: 'same' }),
    input,
  ); // 7
  let x = apply(tfl.layers.averagePooling2d({ poolSize: 3, strides: 3 }), a); // 7
  x = apply(tfl.layers.concatenate(), [x, b]);
  x = apply(tfl.layers.conv2d({ filters: 6, kernelSize: 3, dilationRate: 1, activation: 'relu' }), x);
  x = apply(tfl.layers.flatten(), x);
  x = apply(tfl.layers.dense({ units: 12, activation: 'relu' }), x);
  const output = apply(tfl.layers.dense({ units: 10, activation: 'softmax' }), x);
  return tfl.model({ inputs: input, outputs: output });
}

/** The models the wasm training-step test runs. */
export const SMALL_CNNS: TrainStepCase[] = [
  { name: 'mini ResNet (7×7/2 stem, basic block, 1×1/2 shortcut)', build: miniResNet, batchSize: 8 },
  { name: 'mini MobileNetV2 (inverted residuals, depthwise /2 and /1, ReLU6)', build: miniMobileNetV2 },
  { name: 'mini Xception (separable conv, depth multiplier 2)', build: miniXception },
  { name: 'mini LeNet/AlexNet/GoogLeNet (5×5, 11×11/4, avg pool, concat)', build: miniClassic, batchSize: 1 },
];
