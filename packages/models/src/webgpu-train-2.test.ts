/**
 * Issue 24: one training step of one model per family on WebGPU (Dawn on SwiftShader in CI), half of
 * the families (the other half in webgpu-train-1.test.ts, so CI's two cores share them).
 */
import { describeTraining, oneModelPerFamily, share } from './test/webgpu-suite.js';

describeTraining('one model per family (2 of 2)', share(oneModelPerFamily(), 1, 2));
