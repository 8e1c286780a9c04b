import { describeWasmTrainingGroup } from './test/wasm-training-step.js';

describeWasmTrainingGroup('senet, se-resnet, xception');
