import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { formatSummary, summarize } from './summary.js';

// Published reference figures: torchvision's model tables (params, GFLOPS as multiply-accumulates).
const VGG16 = { params: 138.36e6, macs: 15.47e9 };
const RESNET50 = { params: 25.56e6, macs: 4.09e9 };

const fast = { kernelInitializer: 'zeros', biasInitializer: 'zeros' } as const;

function vgg16(): tfl.LayersModel {
  const input = tfl.input({ shape: [224, 224, 3] });
  let x: tfl.SymbolicTensor = input;
  for (const stage of [
    [64, 64],
    [128, 128],
    [256, 256, 256],
    [512, 512, 512],
    [512, 512, 512],
  ]) {
    for (const filters of stage) {
      x = tfl.layers
        .conv2d({ filters, kernelSize: 3, padding: 'same', activation: 'relu', ...fast })
        .apply(x) as tfl.SymbolicTensor;
    }
    x = tfl.layers.maxPooling2d({ poolSize: 2 }).apply(x) as tfl.SymbolicTensor;
  }
  x = tfl.layers.flatten().apply(x) as tfl.SymbolicTensor;
  for (const units of [4096, 4096]) {
    x = tfl.layers.dense({ units, activation: 'relu', ...fast }).apply(x) as tfl.SymbolicTensor;
  }
  x = tfl.layers.dense({ units: 1000, ...fast }).apply(x) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: x, name: 'vgg16' });
}

function resnet50(): tfl.LayersModel {
  const conv = (x: tfl.SymbolicTensor, filters: number, kernelSize: number, strides = 1) => {
    let y = x;
    if (kernelSize > 1)
      y = tfl.layers.zeroPadding2d({ padding: Math.floor(kernelSize / 2) }).apply(y) as tfl.SymbolicTensor;
    y = tfl.layers
      .conv2d({ filters, kernelSize, strides, useBias: false, ...fast })
      .apply(y) as tfl.SymbolicTensor;
    return tfl.layers.batchNormalization({ epsilon: 1e-5 }).apply(y) as tfl.SymbolicTensor;
  };
  const relu = (x: tfl.SymbolicTensor) =>
    tfl.layers.activation({ activation: 'relu' }).apply(x) as tfl.SymbolicTensor;
  const input = tfl.input({ shape: [224, 224, 3] });
  let x = relu(conv(input, 64, 7, 2));
  x = tfl.layers.zeroPadding2d({ padding: 1 }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.maxPooling2d({ poolSize: 3, strides: 2 }).apply(x) as tfl.SymbolicTensor;
  let inChannels = 64;
  [3, 4, 6, 3].forEach((blocks, stage) => {
    const width = 64 * 2 ** stage;
    for (let block = 0; block < blocks; block++) {
      const strides = block === 0 && stage > 0 ? 2 : 1;
      let y = relu(conv(x, width, 1));
      y = relu(conv(y, width, 3, strides));
      y = conv(y, width * 4, 1);
      const shortcut = block === 0 || inChannels !== width * 4 ? conv(x, width * 4, 1, strides) : x;
      x = relu(tfl.layers.add().apply([y, shortcut]) as tfl.SymbolicTensor);
      inChannels = width * 4;
    }
  });
  x = tfl.layers.globalAveragePooling2d({}).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.dense({ units: 1000, ...fast }).apply(x) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: x, name: 'resnet50' });
}

describe('summarize', () => {
  it("matches torchvision's published VGG-16 figures within 1 %", () => {
    const model = vgg16();
    const summary = summarize(model);
    expect(Math.abs(summary.trainableParams / VGG16.params - 1)).toBeLessThan(0.01);
    expect(Math.abs(summary.macs / VGG16.macs - 1)).toBeLessThan(0.01);
    expect(summary.nonTrainableParams).toBe(0);
    expect(summary.flops).toBe(2 * summary.macs);
    model.dispose();
  });

  it("matches torchvision's published ResNet-50 figures within 1 %", () => {
    const model = resnet50();
    const summary = summarize(model);
    expect(Math.abs(summary.trainableParams / RESNET50.params - 1)).toBeLessThan(0.01);
    expect(Math.abs(summary.macs / RESNET50.macs - 1)).toBeLessThan(0.01);
    // Batch-norm moving mean and variance: 2 × the channels of every BN layer.
    const bnChannels = model.layers
      .filter((layer) => layer.getClassName() === 'BatchNormalization')
      .reduce((sum, layer) => sum + (layer.getWeights()[0]?.shape[0] ?? 0), 0);
    expect(summary.nonTrainableParams).toBe(2 * bnChannels);
    model.dispose();
  });

  it('counts a small model by hand', () => {
    const input = tfl.input({ shape: [8, 8, 3] });
    const conv = tfl.layers
      .conv2d({ filters: 4, kernelSize: 3, padding: 'valid' })
      .apply(input) as tfl.SymbolicTensor;
    const dw = tfl.layers
      .depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: 'same' })
      .apply(conv) as tfl.SymbolicTensor;
    const flat = tfl.layers.flatten().apply(dw) as tfl.SymbolicTensor;
    const out = tfl.layers.dense({ units: 5 }).apply(flat) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: out });
    const summary = summarize(model);
    // conv: 6×6 outputs × 4 filters × 3×3×3 taps; depthwise: 6×6 × 8 channels × 3×3; dense: 288 × 5.
    expect(summary.macs).toBe(36 * 4 * 27 + 36 * 8 * 9 + 288 * 5);
    expect(summary.trainableParams).toBe(3 * 3 * 3 * 4 + 4 + 3 * 3 * 4 * 2 + 8 + 288 * 5 + 5);
    // Outputs at batch 1: conv 144, depthwise 288, flatten 288, dense 5 floats.
    expect(summary.activationBytes).toBe(4 * (144 + 288 + 288 + 5));
    expect(summary.layers.map((row) => row.outputShape)).toEqual([[6, 6, 4], [6, 6, 8], [288], [5]]);
    const table = formatSummary(summary);
    expect(table).toContain('Trainable params:');
    expect(table.split('\n').filter((line) => /conv2d|dense|flatten/.test(line))).toHaveLength(4);
    model.dispose();
  });

  it('counts a shared layer once for params and once per call for MACs', () => {
    const input = tfl.input({ shape: [4] });
    const shared = tfl.layers.dense({ units: 4 });
    const twice = shared.apply(shared.apply(input)) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: twice });
    const summary = summarize(model);
    expect(summary.trainableParams).toBe(20);
    expect(summary.macs).toBe(32);
    model.dispose();
  });

  it('rejects something that is not a model', () => {
    expect(() => summarize({} as never)).toThrow(
      /model must be a built tfjs-layers LayersModel; received \{\}/,
    );
  });
});
