import { describeWasmTrainingGroup } from './test/wasm-training-step.js';

describeWasmTrainingGroup('rest');
