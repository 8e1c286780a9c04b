/**
 * Issue 29 on WebGPU (Dawn on SwiftShader, in CI): the inference form gives the
 * training form's logits on the webgpu backend (max |Δ| ≤ 1e-5 · max |logit|) and leaks nothing,
 * for one architecture of each fused path: fused conv2d with ReLU and explicit padding (ResNet-18),
 * fused depthwise with ReLU6 (MobileNetV2), hard swish and the squeeze-excite gate (MobileNetV3),
 * grouped convolution (ShuffleNet V1, 3 groups), channel split and shuffle (ShuffleNetV2), concat
 * branches (GoogLeNet). Every architecture is checked on wasm (inference-form-{1,2}.test.ts); on
 * SwiftShader that would take minutes.
 */
import { useWebGpu } from '@tfzoo/test-harness';
import { describe, it } from 'vitest';
import { checkInferenceForm } from './test/inference-parity.js';

describe('inference form equals the training form on WebGPU', () => {
  useWebGpu();
  for (const id of [
    'resnet18',
    'mobilenet_v2',
    'mobilenet_v3_small',
    'shufflenet_v1_g3_x0_5',
    'shufflenet_v2_x0_5',
    'googlenet',
  ]) {
    it(id, () => checkInferenceForm(id));
  }
});
