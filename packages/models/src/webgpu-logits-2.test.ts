/** Issue 24: the other half of the WebGPU logits checks (see webgpu-logits-1.test.ts). */
import { describeLogits, oneVariantPerArchitecture, share } from './test/webgpu-suite.js';

describeLogits('one variant per architecture (2 of 2)', share(oneVariantPerArchitecture(), 1, 2));
