/**
 * A VGG network (Simonyan & Zisserman, "Very Deep Convolutional Networks for Large-Scale Image
 * Recognition", 2014) written with plain tfjs-layers, as the example model the summary prints.
 */
import * as tfl from '@tensorflow/tfjs-layers';

/** Stage widths of VGG-11 ("A") and VGG-16 ("D"); each stage ends with a 2×2 max pool. */
export const VGG_STAGES = {
  vgg11: [[64], [128], [256, 256], [512, 512], [512, 512]],
  vgg16: [
    [64, 64],
    [128, 128],
    [256, 256, 256],
    [512, 512, 512],
    [512, 512, 512],
  ],
} as const;

/** Builds a VGG with the torchvision classifier (two 4096-unit layers) for a given input size. */
export function buildVgg(
  variant: keyof typeof VGG_STAGES,
  inputSize = 224,
  numClasses = 1000,
): tfl.LayersModel {
  const input = tfl.input({ shape: [inputSize, inputSize, 3] });
  let x: tfl.SymbolicTensor = input;
  VGG_STAGES[variant].forEach((stage, stageIndex) => {
    stage.forEach((filters, index) => {
      x = tfl.layers
        .conv2d({
          filters,
          kernelSize: 3,
          padding: 'same',
          activation: 'relu',
          name: `conv${stageIndex + 1}_${index + 1}`,
        })
        .apply(x) as tfl.SymbolicTensor;
    });
    x = tfl.layers
      .maxPooling2d({ poolSize: 2, name: `pool${stageIndex + 1}` })
      .apply(x) as tfl.SymbolicTensor;
  });
  x = tfl.layers.flatten({ name: 'flatten' }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.dense({ units: 4096, activation: 'relu', name: 'fc6' }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.dense({ units: 4096, activation: 'relu', name: 'fc7' }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.dense({ units: numClasses, name: 'fc8' }).apply(x) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: x, name: variant });
}
