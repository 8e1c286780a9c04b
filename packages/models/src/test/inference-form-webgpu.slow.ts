/**
 * Issue 29 on WebGPU (Dawn on SwiftShader; `npm run test:slow`): the inference form gives the
 * training form's logits on the webgpu backend (max |Δ| ≤ 1e-5 · max |logit|) and leaks nothing,
 * for one architecture of each fused path: fused conv2d with ReLU and explicit padding (ResNet-18),
 * fused depthwise with ReLU6 (MobileNetV2), hard swish and the squeeze-excite gate (MobileNetV3),
 * grouped convolution and SE (SE-ResNeXt), channel split and shuffle (ShuffleNetV2), concat
 * branches (GoogLeNet). Every architecture on SwiftShader takes longer than a test should.
 */
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, releaseBackend } from '@tfzoo/core';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { checkInferenceForm } from './inference-parity.js';

describe('inference form equals the training form on WebGPU', () => {
  beforeAll(async () => {
    process.env.VK_ICD_FILENAMES ??= '/usr/lib/chromium/vk_swiftshader_icd.json';
    await initBackend('webgpu');
  });
  afterAll(async () => {
    releaseBackend();
    await tf.setBackend('cpu');
  });
  for (const id of [
    'resnet18',
    'mobilenet_v2',
    'mobilenet_v3_small',
    'legacy_seresnext50_32x4d',
    'shufflenet_v2_x0_5',
    'googlenet',
  ]) {
    it(id, () => checkInferenceForm(id));
  }
});
