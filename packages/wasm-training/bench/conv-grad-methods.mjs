// Times every method of the dense convolution gradients on each ResNet-18 layer at 64×64, batch 16,
// at 224×224 (with ResNet-50's and MobileNetV2's 1×1 layers), or each LeNet-5 layer at 28×28,
// batch 64 (diagnostic; node bench/conv-grad-methods.mjs [threads] [resnet18|at-224|lenet5]).
// Filter-gradient methods run over the image ranges `chooseFilterGradientImages` picks. The rules
// `chooseInputGradientMethod` and `chooseFilterGradientMethod` pick from these timings. Each call gets a fresh filter/input, as
// in training, where SGD gives every weight a new tensor each step.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { initBackend } from '@tfzoo/core';
import '@tfzoo/wasm-training';
import { chooseFilterGradientMethod, conv2dFilterGradient } from '../dist/kernels/conv2d-backprop-filter.js';
import { chooseInputGradientMethod, conv2dInputGradient } from '../dist/kernels/conv2d-backprop-input.js';
import { composed } from '../dist/kernels/kernel-scope.js';

const threads = Number(process.argv[2] ?? 1);
await initBackend('wasm', { threads });
// [input, filter, stride, padding] of the bench models' convolutions (ResNet-18 pads its stride-2
// ones explicitly).
const RESNET18 = [
  [[16, 70, 70, 3], [7, 7, 3, 64], 2, 'valid'],
  [[16, 16, 16, 64], [3, 3, 64, 64], 1, 'same'],
  [[16, 18, 18, 64], [3, 3, 64, 128], 2, 'valid'],
  [[16, 16, 16, 64], [1, 1, 64, 128], 2, 'valid'],
  [[16, 8, 8, 128], [3, 3, 128, 128], 1, 'same'],
  [[16, 10, 10, 128], [3, 3, 128, 256], 2, 'valid'],
  [[16, 4, 4, 256], [3, 3, 256, 256], 1, 'same'],
  [[16, 6, 6, 256], [3, 3, 256, 512], 2, 'valid'],
  [[16, 2, 2, 512], [3, 3, 512, 512], 1, 'same'],
  [[16, 4, 4, 256], [1, 1, 256, 512], 2, 'valid'],
];
// ResNet-18's layers at 224×224, batch 16, and the 1×1 layers of ResNet-50 and MobileNetV2.
const AT224 = [
  [[16, 230, 230, 3], [7, 7, 3, 64], 2, 'valid'],
  [[16, 56, 56, 64], [3, 3, 64, 64], 1, 'same'],
  [[16, 58, 58, 64], [3, 3, 64, 128], 2, 'valid'],
  [[16, 56, 56, 64], [1, 1, 64, 128], 2, 'valid'],
  [[16, 28, 28, 128], [3, 3, 128, 128], 1, 'same'],
  [[16, 30, 30, 128], [3, 3, 128, 256], 2, 'valid'],
  [[16, 14, 14, 256], [3, 3, 256, 256], 1, 'same'],
  [[16, 16, 16, 256], [3, 3, 256, 512], 2, 'valid'],
  [[16, 7, 7, 512], [3, 3, 512, 512], 1, 'same'],
  [[16, 56, 56, 64], [1, 1, 64, 256], 1, 'valid'],
  [[16, 56, 56, 256], [1, 1, 256, 64], 1, 'valid'],
  [[16, 112, 112, 32], [1, 1, 32, 16], 1, 'valid'],
  [[16, 56, 56, 24], [1, 1, 24, 144], 1, 'valid'],
  [[16, 7, 7, 960], [1, 1, 960, 320], 1, 'valid'],
];
const LENET5 = [
  [[64, 28, 28, 1], [5, 5, 1, 6], 1, 'same'],
  [[64, 14, 14, 6], [5, 5, 6, 16], 1, 'valid'],
];
const SETS = { resnet18: RESNET18, 'at-224': AT224, lenet5: LENET5 };
const model = process.argv[3] ?? 'resnet18';
if (!(model in SETS)) {
  throw new Error(
    `unknown layer set ${JSON.stringify(model)}; expected one of ${Object.keys(SETS).join(', ')}`,
  );
}
const LAYERS = SETS[model];
const INPUT_METHODS = ['transposed-conv', 'columns', 'columns-transposed'];
const FILTER_METHODS = ['conv', 'columns-transposed'];
const REPS = 5;
const backend = tf.engine().backend;

/** Mean ms of `REPS` calls of `body(r)` (after one warm-up), each on fresh operands. */
function time(body) {
  tf.dispose(body(0));
  const start = performance.now();
  for (let r = 1; r <= REPS; r++) {
    const out = body(r);
    out.dataSync();
    out.dispose();
  }
  return (performance.now() - start) / REPS;
}

const run = (fn) => tf.engine().makeTensorFromTensorInfo(composed(backend, 'wasm', fn));
console.log(`ms per call on ${threads} thread(s); * marks the method the rule picks`);
console.log(
  `layer (input, filter, stride)            | ${INPUT_METHODS.join(' | ')} || ${FILTER_METHODS.join(' | ')}`,
);
for (const [xShape, filterShape, stride, pad] of LAYERS) {
  const info = tf.backend_util.computeConv2DInfo(xShape, filterShape, stride, 1, pad);
  const xs = Array.from({ length: REPS + 1 }, () => tf.randomNormal(xShape));
  const filters = Array.from({ length: REPS + 1 }, () => tf.randomNormal(filterShape));
  const dy = tf.randomNormal(info.outShape);
  const cell = (ms, picked) => `${ms.toFixed(1)}${picked ? '*' : ' '}`.padStart(8);
  const inputCells = INPUT_METHODS.map((m) =>
    cell(
      time((r) => run((scope) => conv2dInputGradient(scope, dy, filters[r], info, m))),
      m === chooseInputGradientMethod(info),
    ),
  );
  const filterCells = FILTER_METHODS.map((m) =>
    cell(
      time((r) => run((scope) => conv2dFilterGradient(scope, xs[r], dy, info, m))),
      m === chooseFilterGradientMethod(info),
    ),
  );
  const label = `${JSON.stringify(xShape)} ${JSON.stringify(filterShape)} s${stride}`;
  console.log(`${label.padEnd(40)} | ${inputCells.join(' | ')} || ${filterCells.join(' | ')}`);
  tf.dispose([...xs, ...filters, dy]);
}
