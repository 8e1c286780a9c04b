import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-layers'; // registers tfjs-core's gradient functions
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WASM_KERNEL_REPLACEMENTS, WASM_TRAINING_KERNELS } from '../index.js';
import { randomValues, relativeError } from '../test/random.js';
import { type TorchConvCase, torchConvGrads } from '../test/torch-reference.js';
import { swapsOperands } from './batch-mat-mul.js';
import { MAX_COLUMN_VALUES } from './columns.js';
import {
  chooseFilterGradientImages,
  chooseFilterGradientMethod,
  conv2dFilterGradient,
  type FilterGradientMethod,
} from './conv2d-backprop-filter.js';
import {
  chooseInputGradientMethod,
  conv2dInputGradient,
  type InputGradientMethod,
} from './conv2d-backprop-input.js';
import { composed } from './kernel-scope.js';

type Shape4 = [number, number, number, number];
type Pad = tf.Conv2DBackpropFilterAttrs['pad'];

interface ConvCase {
  name: string;
  x: Shape4;
  filter: Shape4;
  strides: number | [number, number];
  pad: Pad;
  dilations?: number | [number, number];
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  dataFormat?: 'NHWC' | 'NCHW';
}

const TOLERANCE = 1e-4;

/** Runs one kernel on the active backend with fresh tensors and returns its output values. */
function runKernel(
  kernel: string,
  inputs: Record<string, { shape: number[]; values: Float32Array }>,
  attrs: object,
): Float32Array {
  const tensors: tf.NamedTensorMap = {};
  for (const [key, value] of Object.entries(inputs)) tensors[key] = tf.tensor(value.values, value.shape);
  const out = tf.engine().runKernel(kernel, tensors, attrs as tf.NamedAttrMap) as tf.Tensor;
  const values = out.dataSync() as Float32Array;
  tf.dispose([out, ...Object.values(tensors)]);
  return Float32Array.from(values);
}

function convInfo(c: ConvCase, depthwise: boolean): tf.backend_util.Conv2DInfo {
  const format = tf.backend_util.convertConv2DDataFormat(c.dataFormat ?? 'NHWC');
  return tf.backend_util.computeConv2DInfo(
    c.x,
    c.filter,
    c.strides,
    c.dilations ?? 1,
    c.pad,
    c.dimRoundingMode,
    depthwise,
    format,
  );
}

/** Runs `kernel` on wasm and on cpu with the same data; both outputs. */
async function onBothBackends(kernel: string, inputs: Parameters<typeof runKernel>[1], attrs: object) {
  await tf.setBackend('wasm');
  const before = tf.engine().backend.numDataIds();
  const wasm = runKernel(kernel, inputs, attrs);
  const leaked = tf.engine().backend.numDataIds() - before;
  await tf.setBackend('cpu');
  const cpu = runKernel(kernel, inputs, attrs);
  return { wasm, cpu, leaked };
}

const convCases: ConvCase[] = [
  { name: '3x3 s1 same, batch 1', x: [1, 7, 7, 3], filter: [3, 3, 3, 4], strides: 1, pad: 'same' },
  {
    name: '3x3 s2 same (asymmetric), batch 8',
    x: [8, 9, 9, 4],
    filter: [3, 3, 4, 5],
    strides: 2,
    pad: 'same',
  },
  { name: '3x3 s2 same, even size', x: [2, 8, 8, 3], filter: [3, 3, 3, 4], strides: 2, pad: 'same' },
  { name: '3x3 s2 valid, batch 8', x: [8, 8, 8, 3], filter: [3, 3, 3, 6], strides: 2, pad: 'valid' },
  {
    name: '7x7 s2 explicit 3 (ResNet stem), odd size',
    x: [2, 15, 15, 3],
    filter: [7, 7, 3, 4],
    strides: 2,
    pad: [
      [0, 0],
      [3, 3],
      [3, 3],
      [0, 0],
    ],
  },
  {
    name: '5x5 s2 explicit asymmetric',
    x: [1, 11, 10, 2],
    filter: [5, 5, 2, 3],
    strides: 2,
    pad: [
      [0, 0],
      [2, 1],
      [1, 2],
      [0, 0],
    ],
  },
  {
    name: '1x1 s1 valid (pointwise), batch 8',
    x: [8, 6, 6, 4],
    filter: [1, 1, 4, 8],
    strides: 1,
    pad: 'valid',
  },
  {
    name: '1x1 s2 valid (downsample shortcut)',
    x: [8, 7, 7, 4],
    filter: [1, 1, 4, 6],
    strides: 2,
    pad: 'valid',
  },
  {
    name: '11x11 s4 valid (AlexNet stem)',
    x: [1, 23, 23, 3],
    filter: [11, 11, 3, 4],
    strides: 4,
    pad: 'valid',
  },
  {
    name: '2x2 s3 valid (taps fewer than the stride)',
    x: [2, 10, 8, 3],
    filter: [2, 2, 3, 4],
    strides: 3,
    pad: 'valid',
  },
  {
    name: '1x3 mixed strides [1, 2] same',
    x: [2, 6, 9, 3],
    filter: [1, 3, 3, 2],
    strides: [1, 2],
    pad: 'same',
  },
  {
    name: 'numeric pad 1 with ceil rounding',
    x: [2, 8, 8, 3],
    filter: [3, 3, 3, 2],
    strides: 2,
    pad: 1,
    dimRoundingMode: 'ceil',
  },
  {
    name: 'NCHW data format',
    x: [2, 3, 7, 7],
    filter: [3, 3, 3, 4],
    strides: 2,
    pad: 'same',
    dataFormat: 'NCHW',
  },
];

const depthwiseCases: ConvCase[] = [
  { name: '3x3 s1 same, batch 1', x: [1, 7, 7, 3], filter: [3, 3, 3, 1], strides: 1, pad: 'same' },
  { name: '3x3 s2 same, batch 8, odd size', x: [8, 9, 9, 4], filter: [3, 3, 4, 1], strides: 2, pad: 'same' },
  { name: '3x3 s2 same, even size', x: [2, 10, 10, 3], filter: [3, 3, 3, 1], strides: 2, pad: 'same' },
  {
    name: 'multiplier 2, s2 valid, batch 8',
    x: [8, 10, 10, 4],
    filter: [3, 3, 4, 2],
    strides: 2,
    pad: 'valid',
  },
  {
    name: '5x5 s2 explicit 2 (MobileNetV3)',
    x: [1, 11, 11, 3],
    filter: [5, 5, 3, 1],
    strides: 2,
    pad: [
      [0, 0],
      [2, 2],
      [2, 2],
      [0, 0],
    ],
  },
  { name: 'multiplier 3, numeric pad 1', x: [2, 8, 7, 4], filter: [3, 3, 4, 3], strides: 1, pad: 1 },
  {
    name: '3x3 mixed strides [2, 1] same',
    x: [2, 9, 6, 2],
    filter: [3, 3, 2, 1],
    strides: [2, 1],
    pad: 'same',
  },
];

/** Dilated cases: tfjs-backend-cpu's depthwise gradient kernels ignore dilation, so PyTorch is the reference. */
const dilatedCases: (ConvCase & { kind: 'conv' | 'depthwise' })[] = [
  {
    kind: 'depthwise',
    name: 'depthwise d2 same',
    x: [2, 9, 9, 3],
    filter: [3, 3, 3, 1],
    strides: 1,
    pad: 'same',
    dilations: 2,
  },
  {
    kind: 'depthwise',
    name: 'depthwise d2 valid m2',
    x: [8, 10, 9, 2],
    filter: [3, 3, 2, 2],
    strides: 1,
    pad: 'valid',
    dilations: 2,
  },
  {
    kind: 'depthwise',
    name: 'depthwise d[2,1] explicit',
    x: [1, 9, 8, 3],
    filter: [3, 3, 3, 1],
    strides: 1,
    pad: [
      [0, 0],
      [2, 2],
      [1, 1],
      [0, 0],
    ],
    dilations: [2, 1],
  },
  {
    kind: 'conv',
    name: 'conv d2 same',
    x: [2, 9, 9, 3],
    filter: [3, 3, 3, 4],
    strides: 1,
    pad: 'same',
    dilations: 2,
  },
  {
    kind: 'conv',
    name: 'conv d2 s2 valid',
    x: [8, 11, 11, 2],
    filter: [3, 3, 2, 3],
    strides: 2,
    pad: 'valid',
    dilations: 2,
  },
];

let seed = 1;
function data(shape: number[]) {
  return {
    shape,
    values: randomValues(
      shape.reduce((a, b) => a * b, 1),
      seed++,
    ),
  };
}

beforeAll(async () => {
  await tf.setBackend('wasm');
});

afterAll(async () => {
  await tf.setBackend('cpu');
});

describe('the registered kernels', () => {
  it('are the three gradient kernels tfjs-backend-wasm 4.22 lacks, now in its registry', () => {
    expect(WASM_TRAINING_KERNELS.map((k) => k.kernelName).sort()).toEqual([
      'Conv2DBackpropFilter',
      'DepthwiseConv2dNativeBackpropFilter',
      'DepthwiseConv2dNativeBackpropInput',
    ]);
    for (const k of WASM_TRAINING_KERNELS) expect(tf.getKernel(k.kernelName, 'wasm')).toBe(k);
  });

  it('replace the slow Conv2DBackpropInput, Reverse, Tile, BatchMatMul, Sum, Mean, FusedBatchNorm, Identity, Cast, MaxPoolGrad, AvgPoolGrad, Tanh and Slice of tfjs-backend-wasm, and FusedConv2D and Conv2D by the Winograd path', () => {
    expect(WASM_KERNEL_REPLACEMENTS.map((k) => k.kernelName)).toEqual([
      'Conv2DBackpropInput',
      'Reverse',
      'Tile',
      'BatchMatMul',
      'Sum',
      'Mean',
      'FusedBatchNorm',
      'Identity',
      'Cast',
      'MaxPoolGrad',
      'AvgPoolGrad',
      'Tanh',
      'Slice',
      'FusedConv2D',
      'Conv2D',
    ]);
    for (const k of WASM_KERNEL_REPLACEMENTS) expect(tf.getKernel(k.kernelName, 'wasm')).toBe(k);
  });
});

/** Attributes a dense convolution gradient kernel shares with the forward convolution. */
function denseAttrs(c: ConvCase) {
  return {
    strides: c.strides,
    pad: c.pad,
    dataFormat: c.dataFormat ?? 'NHWC',
    dimRoundingMode: c.dimRoundingMode,
  };
}

/** Shape of the output gradient of a dense convolution case, in its data format. */
function outputGradientShape(c: ConvCase): number[] {
  const info = convInfo(c, false);
  return c.dataFormat === 'NCHW'
    ? [info.batchSize, info.outChannels, info.outHeight, info.outWidth]
    : info.outShape;
}

/**
 * Runs `op` on a tensor of `values` on wasm and on cpu; expects equal shapes and values, and no
 * wasm buffer left behind.
 */
async function expectSameAsCpu(
  values: number[],
  shape: number[],
  dtype: 'float32' | 'int32' | 'bool',
  op: (x: tf.Tensor) => tf.Tensor,
): Promise<void> {
  const run = () => {
    const x = tf.tensor(values, shape, dtype);
    const out = op(x);
    const result = { shape: out.shape, values: Array.from(out.dataSync()) };
    tf.dispose([x, out]);
    return result;
  };
  await tf.setBackend('wasm');
  const before = tf.engine().backend.numDataIds();
  const wasm = run();
  expect(tf.engine().backend.numDataIds()).toBe(before);
  await tf.setBackend('cpu');
  expect(wasm).toEqual(run());
}

describe('Conv2DBackpropFilter on wasm equals the cpu backend', () => {
  for (const c of convCases) {
    it(c.name, async () => {
      const attrs = { ...denseAttrs(c), filterShape: c.filter };
      const dyShape = outputGradientShape(c);
      const { wasm, cpu, leaked } = await onBothBackends(
        tf.Conv2DBackpropFilter,
        { x: data(c.x), dy: data(dyShape) },
        attrs,
      );
      expect(wasm.length).toBe(c.filter.reduce((a, b) => a * b, 1));
      expect(relativeError(wasm, cpu)).toBeLessThan(TOLERANCE);
      expect(leaked).toBe(0);
    });
  }
});

describe('Conv2DBackpropInput on wasm (sub-pixel form for strides above 1) equals the cpu backend', () => {
  for (const c of convCases) {
    if ((c.dilations ?? 1) !== 1) continue;
    it(c.name, async () => {
      const attrs = { ...denseAttrs(c), inputShape: c.x };
      const dyShape = outputGradientShape(c);
      const { wasm, cpu, leaked } = await onBothBackends(
        tf.Conv2DBackpropInput,
        { dy: data(dyShape), filter: data(c.filter) },
        attrs,
      );
      expect(wasm.length).toBe(c.x.reduce((a, b) => a * b, 1));
      expect(relativeError(wasm, cpu)).toBeLessThan(TOLERANCE);
      expect(leaked).toBe(0);
    });
  }
});

const INPUT_METHODS: InputGradientMethod[] = ['transposed-conv', 'columns', 'columns-transposed'];
const FILTER_METHODS: FilterGradientMethod[] = ['conv', 'columns-transposed'];

/** Runs `body` in a kernel scope on wasm with tensors of `inputs`; its values, and wasm buffers leaked. */
function composedOnWasm(
  inputs: { shape: number[]; values: Float32Array }[],
  body: (scope: Parameters<Parameters<typeof composed>[2]>[0], ...xs: tf.TensorInfo[]) => tf.TensorInfo,
): { values: Float32Array; leaked: number } {
  const backend = tf.engine().backend;
  const before = backend.numDataIds();
  const tensors = inputs.map((d) => tf.tensor(d.values, d.shape));
  const out = tf
    .engine()
    .makeTensorFromTensorInfo(composed(backend, 'wasm', (scope) => body(scope, ...tensors)));
  const values = Float32Array.from(out.dataSync());
  tf.dispose([out, ...tensors]);
  return { values, leaked: backend.numDataIds() - before };
}

describe('every input-gradient method on wasm equals the cpu backend', () => {
  for (const c of convCases) {
    if (c.dataFormat === 'NCHW') continue; // the kernel transposes NCHW to NHWC around these
    it(c.name, async () => {
      const info = convInfo(c, false);
      const dy = data(info.outShape);
      const filter = data(c.filter);
      await tf.setBackend('cpu');
      const cpu = runKernel(tf.Conv2DBackpropInput, { dy, filter }, { ...denseAttrs(c), inputShape: c.x });
      await tf.setBackend('wasm');
      for (const method of INPUT_METHODS) {
        const wasm = composedOnWasm([dy, filter], (scope, d, f) =>
          conv2dInputGradient(scope, d!, f!, info, method),
        );
        expect(relativeError(wasm.values, cpu), method).toBeLessThan(TOLERANCE);
        expect(wasm.leaked, method).toBe(0);
      }
    });
  }
});

describe('every filter-gradient method on wasm equals the cpu backend', () => {
  for (const c of convCases) {
    if (c.dataFormat === 'NCHW') continue;
    it(c.name, async () => {
      const info = convInfo(c, false);
      const x = data(c.x);
      const dy = data(info.outShape);
      await tf.setBackend('cpu');
      const cpu = runKernel(tf.Conv2DBackpropFilter, { x, dy }, { ...denseAttrs(c), filterShape: c.filter });
      await tf.setBackend('wasm');
      // The whole batch at once, then summed over ranges of 1 and of 3 images (uneven when the
      // batch is not a multiple of 3).
      for (const method of FILTER_METHODS) {
        for (const images of [info.batchSize, 1, 3]) {
          const label = `${method}, ${images} image(s) per range`;
          const wasm = composedOnWasm([x, dy], (scope, xi, d) =>
            conv2dFilterGradient(scope, xi!, d!, info, method, images),
          );
          expect(relativeError(wasm.values, cpu), label).toBeLessThan(TOLERANCE);
          expect(wasm.leaked, label).toBe(0);
        }
      }
    });
  }
});

describe('convolution gradients of empty tensors on wasm', () => {
  const cases: { name: string; x: Shape4; filter: Shape4; pad: 'same' | 'valid' }[] = [
    { name: 'batch 0, deep layer', x: [0, 2, 2, 64], filter: [3, 3, 64, 64], pad: 'same' },
    { name: 'batch 0, stem', x: [0, 9, 9, 3], filter: [7, 7, 3, 64], pad: 'same' },
    {
      name: 'no output pixels (input smaller than the filter)',
      x: [2, 2, 2, 8],
      filter: [3, 3, 8, 16],
      pad: 'valid',
    },
  ];
  for (const c of cases) {
    it(`${c.name}: zeros of the right shape, as on cpu`, async () => {
      const info = tf.backend_util.computeConv2DInfo(c.x, c.filter, 1, 1, c.pad);
      const dy = data(info.outShape);
      const attrs = { strides: 1, pad: c.pad, dataFormat: 'NHWC' };
      const weights = await onBothBackends(
        tf.Conv2DBackpropFilter,
        { x: data(c.x), dy },
        { ...attrs, filterShape: c.filter },
      );
      expect(Array.from(weights.wasm)).toEqual(Array.from(weights.cpu));
      expect(weights.wasm.length).toBe(c.filter.reduce((a, b) => a * b, 1));
      expect(weights.wasm.every((v) => v === 0)).toBe(true);
      const input = await onBothBackends(
        tf.Conv2DBackpropInput,
        { dy, filter: data(c.filter) },
        { ...attrs, inputShape: c.x },
      );
      expect(Array.from(input.wasm)).toEqual(Array.from(input.cpu));
      expect(input.wasm.every((v) => v === 0)).toBe(true);
      expect(weights.leaked + input.leaked).toBe(0);
    });
  }
});

describe('the choice of gradient method', () => {
  const geometry = (x: Shape4, filter: Shape4, strides: number, pad: 'same' | 'valid') =>
    tf.backend_util.computeConv2DInfo(x, filter, strides, 1, pad);

  it("reads a deep layer's filter in place and packs its small output gradient", () => {
    const deep = geometry([16, 2, 2, 512], [3, 3, 512, 512], 1, 'same'); // ResNet-18 layer4, 64×64
    expect(chooseInputGradientMethod(deep)).toBe('columns-transposed');
    expect(chooseFilterGradientMethod(deep)).toBe('columns-transposed');
  });

  it('keeps convolutions for wide layers and narrow filters, uses columns for a three-channel stem', () => {
    const wide = geometry([16, 16, 16, 64], [3, 3, 64, 64], 1, 'same'); // ResNet-18 layer1, 64×64
    expect(chooseInputGradientMethod(wide)).toBe('transposed-conv');
    expect(chooseFilterGradientMethod(wide)).toBe('conv');
    const stem = geometry([16, 70, 70, 3], [7, 7, 3, 64], 2, 'valid'); // ResNet-18 stem, padded
    expect(chooseInputGradientMethod(stem)).toBe('columns');
    expect(chooseFilterGradientMethod(stem)).toBe('columns-transposed');
    const lenet = geometry([64, 28, 28, 1], [5, 5, 1, 6], 1, 'same'); // LeNet-5 C1: six filters
    expect(chooseInputGradientMethod(lenet)).toBe('transposed-conv');
    expect(chooseFilterGradientMethod(lenet)).toBe('conv');
  });

  it('uses columns for 1×1 and strided filters at 224×224, convolutions for wide 3×3 layers', () => {
    const pointwise = geometry([16, 56, 56, 64], [1, 1, 64, 256], 1, 'valid'); // ResNet-50 layer1
    expect(chooseFilterGradientMethod(pointwise)).toBe('columns-transposed');
    const strided = geometry([16, 58, 58, 64], [3, 3, 64, 128], 2, 'valid'); // ResNet-18 layer2
    expect(chooseFilterGradientMethod(strided)).toBe('columns-transposed');
    const wide = geometry([16, 56, 56, 64], [3, 3, 64, 64], 1, 'same'); // ResNet-18 layer1
    expect(chooseFilterGradientMethod(wide)).toBe('conv');
    const stem = geometry([16, 230, 230, 3], [7, 7, 3, 64], 2, 'valid'); // columns over the bound
    expect(chooseFilterGradientMethod(stem)).toBe('conv');
  });

  it('sums the filter gradient over image ranges that keep the operands cache-sized', () => {
    const wide = geometry([16, 56, 56, 64], [3, 3, 64, 64], 1, 'same');
    // 2¹⁵ output pixels per range: 10 images of 56×56.
    expect(chooseFilterGradientImages(wide, 'conv')).toBe(Math.floor(2 ** 15 / (56 * 56)));
    const pointwise = geometry([16, 56, 56, 64], [1, 1, 64, 256], 1, 'valid');
    // 2²⁰ values per operand: the packed output gradient, 56·56·256 per image, gives 1 image.
    expect(chooseFilterGradientImages(pointwise, 'columns-transposed')).toBe(1);
    const deep = geometry([16, 2, 2, 512], [3, 3, 512, 512], 1, 'same');
    // 4 pixels × 4608 taps per image: the whole batch fits one range.
    expect(chooseFilterGradientImages(deep, 'columns-transposed')).toBe(16);
    const huge = geometry([2, 512, 512, 64], [3, 3, 64, 64], 1, 'same');
    expect(chooseFilterGradientImages(huge, 'conv')).toBe(1); // never below one image
  });

  it(`never builds a column matrix above ${MAX_COLUMN_VALUES} values`, () => {
    const stem = geometry([256, 230, 230, 3], [7, 7, 3, 64], 2, 'valid'); // batch 256 at 224×224
    const pixels = stem.batchSize * stem.outHeight * stem.outWidth;
    expect(pixels * 7 * 7 * 3).toBeGreaterThan(MAX_COLUMN_VALUES);
    expect(chooseInputGradientMethod(stem)).toBe('transposed-conv');
    const deep = geometry([4096, 2, 2, 512], [3, 3, 512, 512], 1, 'same');
    expect(chooseInputGradientMethod(deep)).toBe('transposed-conv');
    expect(chooseFilterGradientMethod(deep)).toBe('conv');
  });
});

describe('MaxPoolGrad on wasm (one scan per window) equals the cpu backend', () => {
  type PoolCase = { name: string; x: Shape4; size: number; strides: number; pad: 'same' | 'valid' | number };
  const cases: (PoolCase & { values?: (i: number) => number })[] = [
    { name: '3x3 s2 same (ResNet stem pool)', x: [2, 9, 9, 5], size: 3, strides: 2, pad: 'same' },
    // Few distinct values: the first maximum of a window in row-major order gets the gradient.
    {
      name: '2x2 s2 valid, ties',
      x: [3, 8, 6, 4],
      size: 2,
      strides: 2,
      pad: 'valid',
      values: (i) => (i * 7) % 3,
    },
    {
      name: '3x3 s1 same, ties',
      x: [1, 5, 7, 3],
      size: 3,
      strides: 1,
      pad: 'same',
      values: (i) => (i * 5) % 2,
    },
    { name: '3x3 s2 numeric pad 1', x: [2, 8, 8, 2], size: 3, strides: 2, pad: 1 },
    {
      name: 'windows of −∞ pass no gradient',
      x: [1, 6, 6, 2],
      size: 2,
      strides: 2,
      pad: 'valid',
      values: (i) => (i < 36 ? Number.NEGATIVE_INFINITY : i),
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const x = c.values
        ? {
            shape: c.x,
            values: Float32Array.from({ length: c.x.reduce((a, b) => a * b, 1) }, (_, i) => c.values!(i)),
          }
        : data(c.x);
      const info = tf.backend_util.computePool2DInfo(c.x, c.size, c.strides, 1, c.pad);
      const dy = data(info.outShape);
      const run = () => {
        const input = tf.tensor(x.values, x.shape);
        const output = tf.maxPool(input as tf.Tensor4D, c.size, c.strides, c.pad);
        const grad = tf.tensor(dy.values, dy.shape);
        const attrs = { filterSize: c.size, strides: c.strides, pad: c.pad };
        const dx = tf.engine().runKernel(tf.MaxPoolGrad, { dy: grad, input, output }, attrs) as tf.Tensor;
        const values = Float32Array.from(dx.dataSync());
        tf.dispose([input, output, grad, dx]);
        return values;
      };
      await tf.setBackend('wasm');
      const before = tf.engine().backend.numDataIds();
      const wasm = run();
      expect(tf.engine().backend.numDataIds()).toBe(before);
      await tf.setBackend('cpu');
      const cpu = run();
      expect(wasm.length).toBe(x.values.length);
      expect(relativeError(wasm, cpu)).toBeLessThan(1e-6);
      if (c.values?.(0) === Number.NEGATIVE_INFINITY)
        expect(Array.from(wasm.slice(0, 36))).toEqual(new Array(36).fill(0));
    });
  }
});

describe('AvgPoolGrad on wasm (one pass per window) equals the cpu backend', () => {
  const cases: {
    name: string;
    x: Shape4;
    size: number | [number, number];
    strides: number;
    pad: 'same' | 'valid' | number;
  }[] = [
    { name: '2x2 s2 valid (LeNet-5 pools)', x: [4, 28, 28, 6], size: 2, strides: 2, pad: 'valid' },
    { name: '3x3 s2 same (padding counts in the area)', x: [2, 9, 9, 5], size: 3, strides: 2, pad: 'same' },
    { name: '3x3 s1 numeric pad 1, overlapping windows', x: [2, 7, 6, 3], size: 3, strides: 1, pad: 1 },
    { name: '2x3 s[1] same, odd size', x: [1, 5, 7, 4], size: [2, 3], strides: 1, pad: 'same' },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const info = tf.backend_util.computePool2DInfo(c.x, c.size, c.strides, 1, c.pad);
      const attrs = { filterSize: c.size, strides: c.strides, pad: c.pad };
      const { wasm, cpu, leaked } = await onBothBackends(
        tf.AvgPoolGrad,
        { dy: data(info.outShape), input: data(c.x) },
        attrs,
      );
      expect(wasm.length).toBe(c.x.reduce((a, b) => a * b, 1));
      expect(relativeError(wasm, cpu)).toBeLessThan(1e-6);
      expect(leaked).toBe(0);
    });
  }
});

describe('Tanh on wasm (rational function) equals Math.tanh', () => {
  it('within one float32 unit on a dense grid, with exact ends, zeros and NaN', async () => {
    const grid = Array.from({ length: 40001 }, (_, i) => -10 + i * 5e-4);
    const special = [
      0,
      -0,
      1e-30,
      -1e-12,
      3e-8,
      8.999,
      9.001,
      -9.001,
      20,
      -1e30,
      Infinity,
      -Infinity,
      Number.NaN,
    ];
    const values = Float32Array.from([...grid, ...special]);
    await tf.setBackend('wasm');
    const before = tf.engine().backend.numDataIds();
    const x = tf.tensor1d(values);
    const y = tf.tanh(x);
    const got = y.dataSync() as Float32Array;
    const bits = new Int32Array(got.buffer, got.byteOffset, got.length);
    const expected = values.map((v) => Math.tanh(v));
    const expectedBits = new Int32Array(expected.buffer);
    for (let i = 0; i < values.length; i++) {
      if (Number.isNaN(expected[i]!)) {
        expect(got[i], `tanh(${values[i]})`).toBeNaN();
        continue;
      }
      // Same sign, and at most one unit in the last place apart (the bit patterns are adjacent).
      expect(
        Math.abs(bits[i]! - expectedBits[i]!),
        `tanh(${values[i]}) = ${got[i]}, expected ${expected[i]}`,
      ).toBeLessThanOrEqual(1);
    }
    expect(Object.is(got[grid.length + 1], -0), 'tanh(−0) is −0').toBe(true);
    tf.dispose([x, y]);
    expect(tf.engine().backend.numDataIds()).toBe(before);
  });
});

describe('Tile on wasm (block copies) equals the cpu backend', () => {
  const cases: { shape: number[]; reps: number[]; dtype: 'float32' | 'int32' | 'bool' }[] = [
    { shape: [1, 1, 1, 5], reps: [3, 4, 2, 1], dtype: 'float32' }, // the batch-norm gradient's tile
    { shape: [2, 3], reps: [2, 3], dtype: 'float32' },
    { shape: [4], reps: [3], dtype: 'int32' },
    { shape: [2, 1, 3, 2, 2], reps: [1, 2, 1, 3, 2], dtype: 'float32' },
    { shape: [3, 2], reps: [1, 1], dtype: 'bool' },
    { shape: [2, 2], reps: [0, 2], dtype: 'float32' },
    { shape: [], reps: [], dtype: 'float32' },
  ];
  for (const c of cases) {
    it(`${JSON.stringify(c.shape)} × ${JSON.stringify(c.reps)} ${c.dtype}`, async () => {
      const size = c.shape.reduce((a, b) => a * b, 1);
      const values = Array.from({ length: size }, (_, i) => (c.dtype === 'bool' ? i % 2 : i * 3 - 7));
      await expectSameAsCpu(values, c.shape, c.dtype, (x) => tf.tile(x, c.reps));
    });
  }
});

describe('Slice on wasm (run copies) equals the cpu backend', () => {
  const cases: { shape: number[]; begin: number[]; size: number[]; dtype: 'float32' | 'int32' | 'bool' }[] = [
    { shape: [2, 6, 6, 3], begin: [0, 1, 1, 0], size: [2, 4, 4, 3], dtype: 'float32' }, // a padding's gradient
    { shape: [2, 5, 5, 3], begin: [0, 0, 0, 0], size: [2, 4, 4, 3], dtype: 'float32' },
    { shape: [3, 4, 5], begin: [1, 0, 2], size: [2, 4, 2], dtype: 'int32' }, // last axis cut
    { shape: [4, 3, 2], begin: [1, 0, 0], size: [2, 3, 2], dtype: 'float32' }, // contiguous: one run
    { shape: [2, 3, 2, 2, 3], begin: [1, 1, 0, 1, 0], size: [1, 2, 2, 1, 3], dtype: 'float32' },
    { shape: [7], begin: [2], size: [4], dtype: 'bool' },
    { shape: [3, 4], begin: [1, 1], size: [-1, 2], dtype: 'float32' }, // -1: to the end
    { shape: [3, 4], begin: [1, 1], size: [0, 2], dtype: 'float32' },
  ];
  for (const c of cases) {
    it(`${JSON.stringify(c.shape)} from ${JSON.stringify(c.begin)} size ${JSON.stringify(c.size)} ${c.dtype}`, async () => {
      const count = c.shape.reduce((a, b) => a * b, 1);
      const values = Array.from({ length: count }, (_, i) =>
        c.dtype === 'bool' ? Number(i % 3 === 0) : i * 3 - 7,
      );
      await expectSameAsCpu(values, c.shape, c.dtype, (x) => tf.slice(x, c.begin, c.size));
    });
  }

  it("keeps tfjs-backend-wasm's kernel for strings", async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor2d([
      ['a', 'b', 'c'],
      ['d', 'e', 'f'],
    ]);
    const y = tf.slice(x, [0, 1], [2, 2]);
    expect(y.arraySync()).toEqual([
      ['b', 'c'],
      ['e', 'f'],
    ]);
    tf.dispose([x, y]);
  });
});

describe('Reverse on wasm (block copies) equals the cpu backend', () => {
  const cases: { shape: number[]; dims: number[]; dtype: 'float32' | 'int32' | 'bool' }[] = [
    { shape: [3, 3, 4, 5], dims: [0, 1], dtype: 'float32' }, // a filter's spatial flip
    { shape: [2, 3, 4], dims: [2], dtype: 'float32' },
    { shape: [2, 3, 4], dims: [0, 2], dtype: 'int32' },
    { shape: [5], dims: [0], dtype: 'bool' },
    { shape: [2, 3, 2, 2, 3], dims: [1, 3], dtype: 'float32' },
    { shape: [3, 4], dims: [], dtype: 'float32' },
    { shape: [0, 4], dims: [1], dtype: 'float32' },
  ];
  for (const c of cases) {
    it(`${JSON.stringify(c.shape)} along ${JSON.stringify(c.dims)} ${c.dtype}`, async () => {
      const size = c.shape.reduce((a, b) => a * b, 1);
      const values = Array.from({ length: size }, (_, i) =>
        c.dtype === 'bool' ? Number(i % 3 === 0) : i * 3 - 7,
      );
      await expectSameAsCpu(values, c.shape, c.dtype, (x) => tf.reverse(x, c.dims));
    });
  }
});

describe('BatchMatMul on wasm (transposed operands made contiguous) equals the cpu backend', () => {
  const cases: { a: number[]; b: number[]; transposeA: boolean; transposeB: boolean }[] = [
    { a: [64, 40], b: [40, 12], transposeA: false, transposeB: false },
    { a: [40, 64], b: [40, 12], transposeA: true, transposeB: false }, // xᵀ · dy of a dense layer
    { a: [64, 12], b: [40, 12], transposeA: false, transposeB: true }, // dy · Wᵀ
    { a: [40, 64], b: [12, 40], transposeA: true, transposeB: true },
    { a: [3, 7, 5], b: [3, 6, 7], transposeA: true, transposeB: true },
    { a: [3, 5, 7], b: [1, 6, 7], transposeA: false, transposeB: true }, // broadcast batch
    { a: [2, 1, 4, 5], b: [3, 4, 6], transposeA: true, transposeB: false },
    // The right operand is the large one: computed as the transposed swapped product.
    { a: [2, 40], b: [300, 40], transposeA: false, transposeB: true }, // dy · Wᵀ at batch 2
    { a: [40, 2], b: [300, 40], transposeA: true, transposeB: true },
    { a: [2, 3, 40], b: [1, 300, 40], transposeA: false, transposeB: true }, // broadcast batch
    { a: [1, 40, 3], b: [2, 300, 40], transposeA: true, transposeB: true },
  ];
  it('swaps the operands exactly when the right one is the large one (values moved, counted by hand)', () => {
    // dy · Wᵀ, 2×40 by 300×40: swapped moves 2·80 + 600 = 760 values, plain 2·12000 = 24000.
    expect(swapsOperands(80, 12000, 600, false, true)).toBe(true);
    // 64×12 by 40×12: swapped 2·768 + 2560 = 4096, plain 2·480 = 960.
    expect(swapsOperands(768, 480, 2560, false, true)).toBe(false);
    // aᵀ · bᵀ, 40×64 by 12×40: swapped 2560 + 768 = 3328, plain 2560 + 960 = 3520.
    expect(swapsOperands(2560, 480, 768, true, true)).toBe(true);
    // Only a transposed: never swapped.
    expect(swapsOperands(80, 12000, 600, true, false)).toBe(false);
  });
  for (const c of cases) {
    it(`${JSON.stringify(c.a)}${c.transposeA ? 'ᵀ' : ''} · ${JSON.stringify(c.b)}${c.transposeB ? 'ᵀ' : ''}`, async () => {
      const attrs = { transposeA: c.transposeA, transposeB: c.transposeB };
      const { wasm, cpu, leaked } = await onBothBackends(
        tf.BatchMatMul,
        { a: data(c.a), b: data(c.b) },
        attrs,
      );
      expect(wasm.length).toBe(cpu.length);
      expect(relativeError(wasm, cpu)).toBeLessThan(TOLERANCE);
      expect(leaked).toBe(0);
    });
  }
});

describe('DepthwiseConv2dNative gradients on wasm equal the cpu backend', () => {
  for (const c of depthwiseCases) {
    it(c.name, async () => {
      const info = convInfo(c, true);
      const base = {
        strides: c.strides,
        pad: c.pad,
        dilations: c.dilations ?? 1,
        dimRoundingMode: c.dimRoundingMode,
      };
      const x = data(c.x);
      const filter = data(c.filter);
      const dy = data(info.outShape);
      const input = await onBothBackends(
        tf.DepthwiseConv2dNativeBackpropInput,
        { dy, filter },
        { ...base, inputShape: c.x },
      );
      expect(input.wasm.length).toBe(x.values.length);
      expect(relativeError(input.wasm, input.cpu)).toBeLessThan(TOLERANCE);
      expect(input.leaked).toBe(0);
      const weights = await onBothBackends(
        tf.DepthwiseConv2dNativeBackpropFilter,
        { x, dy },
        { ...base, filterShape: c.filter },
      );
      expect(weights.wasm.length).toBe(filter.values.length);
      expect(relativeError(weights.wasm, weights.cpu)).toBeLessThan(TOLERANCE);
      expect(weights.leaked).toBe(0);
    });
  }
});

describe('dilated gradients on wasm equal PyTorch autograd', () => {
  it('covers depthwise input/filter and dense filter gradients with dilation 2', async () => {
    await tf.setBackend('wasm');
    const torchCases: TorchConvCase[] = [];
    const ours: { case: number; dx?: Float32Array; dw?: Float32Array; method?: string }[] = [];
    for (const c of dilatedCases) {
      const info = convInfo(c, c.kind === 'depthwise');
      const x = data(c.x);
      const filter = data(c.filter);
      const dy = data(info.outShape);
      const base = {
        strides: c.strides,
        pad: c.pad,
        dilations: c.dilations,
        dimRoundingMode: c.dimRoundingMode,
      };
      if (c.kind === 'depthwise') {
        ours.push({
          case: torchCases.length,
          dx: runKernel(tf.DepthwiseConv2dNativeBackpropInput, { dy, filter }, { ...base, inputShape: c.x }),
          dw: runKernel(
            tf.DepthwiseConv2dNativeBackpropFilter,
            { x, dy },
            { ...base, filterShape: c.filter },
          ),
        });
      } else {
        // The dense gradient kernels have no dilation attribute; exercise every method directly.
        for (const method of FILTER_METHODS) {
          const dw = composedOnWasm([x, dy], (scope, xi, d) =>
            conv2dFilterGradient(scope, xi!, d!, info, method),
          );
          ours.push({ case: torchCases.length, dw: dw.values, method });
        }
        for (const method of INPUT_METHODS) {
          const dx = composedOnWasm([dy, filter], (scope, d, f) =>
            conv2dInputGradient(scope, d!, f!, info, method),
          );
          ours.push({ case: torchCases.length, dx: dx.values, method });
        }
      }
      const p = info.padInfo;
      torchCases.push({
        kind: c.kind,
        x: Array.from(x.values),
        xShape: c.x,
        w: Array.from(filter.values),
        wShape: c.filter,
        dy: Array.from(dy.values),
        dyShape: info.outShape,
        stride: [info.strideHeight, info.strideWidth],
        dilation: [info.dilationHeight, info.dilationWidth],
        pads: [p.top, p.bottom, p.left, p.right],
      });
    }
    const reference = torchConvGrads(torchCases);
    expect(ours.filter((o) => o.method !== undefined)).toHaveLength(
      dilatedCases.filter((c) => c.kind === 'conv').length * (FILTER_METHODS.length + INPUT_METHODS.length),
    );
    for (const mine of ours) {
      const ref = reference[mine.case]!;
      const name = `${dilatedCases[mine.case]!.name}${mine.method ? ` (${mine.method})` : ''}`;
      if (mine.dw) expect(relativeError(mine.dw, ref.dw), `${name}: filter gradient`).toBeLessThan(TOLERANCE);
      if (mine.dx) expect(relativeError(mine.dx, ref.dx), `${name}: input gradient`).toBeLessThan(TOLERANCE);
    }
  });
});

describe('end to end through tfjs-core gradients', () => {
  it('tf.grads of conv2d, depthwiseConv2d and separableConv2d agree on wasm and cpu', async () => {
    const x = data([8, 9, 9, 4]);
    const f = data([3, 3, 4, 6]);
    const dwf = data([3, 3, 6, 2]);
    const pwf = data([1, 1, 12, 5]);
    const run = () => {
      const numTensors = tf.memory().numTensors;
      const grads = tf.tidy(() => {
        const loss = (xi: tf.Tensor, fi: tf.Tensor, di: tf.Tensor, pi: tf.Tensor) => {
          const y = tf.relu(tf.conv2d(xi as tf.Tensor4D, fi as tf.Tensor4D, 2, 'same'));
          const z = tf.separableConv2d(y as tf.Tensor4D, di as tf.Tensor4D, pi as tf.Tensor4D, 1, 'same');
          return tf.sum(tf.mul(z, z));
        };
        return tf.grads(loss)([x, f, dwf, pwf].map((d) => tf.tensor(d.values, d.shape)));
      });
      const values = grads.map((g) => Float32Array.from(g.dataSync()));
      tf.dispose(grads);
      expect(tf.memory().numTensors).toBe(numTensors);
      return values;
    };
    await tf.setBackend('wasm');
    const onWasm = run();
    await tf.setBackend('cpu');
    const onCpu = run();
    for (const [i, g] of onWasm.entries()) {
      expect(relativeError(g, onCpu[i]!)).toBeLessThan(TOLERANCE);
    }
  });
});
