/** Issue 24: a third of the WebGPU logits checks (see webgpu-logits-1.test.ts). */
import { describeLogits, oneVariantPerArchitecture, share } from './test/webgpu-suite.js';

describeLogits('one variant per architecture (3 of 3)', share(oneVariantPerArchitecture(), 2, 3));
