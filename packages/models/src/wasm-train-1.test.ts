import { describeWasmTrainingGroup } from './test/wasm-training-step.js';

describeWasmTrainingGroup('vgg, alexnet, lenet, googlenet');
