/** Issue 24: one training step of one model per family on WebGPU (Dawn on SwiftShader in CI). */
import { describeTraining, oneModelPerFamily } from './webgpu-suite.js';

describeTraining('one model per family', oneModelPerFamily());
