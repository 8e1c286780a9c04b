import { describeWasmTrainingGroup } from './test/wasm-training-step.js';

describeWasmTrainingGroup('resnet, resnext, wide resnet');
