/**
 * WebGPU in Node for tests, with no GPU: Dawn (the `webgpu` package) on SwiftShader's Vulkan driver
 * from Debian's `chromium` (installed by `.ci/setup`) — the code path an NVIDIA Vulkan driver takes on
 * a GPU machine. Another driver can be named with `VK_ICD_FILENAMES`.
 */
import { existsSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, releaseBackend } from '@tfzoo/core';
import { afterAll, beforeAll } from 'vitest';

/** SwiftShader's Vulkan driver, as Debian's `chromium` installs it. */
export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

/** Options of {@link useWebGpu}. */
export interface UseWebGpuOptions {
  /**
   * Turn off tfjs's test-mode kernel bookkeeping check (default false): it counts intermediates
   * tfjs-backend-webgpu 4.22 keeps for later disposal (fusedMatMul) as leaks; tests that turn it off
   * assert `tf.memory().numTensors` themselves.
   */
  relaxLeakCheck?: boolean;
}

/**
 * In the calling `describe` (or file): brings WebGPU up before the tests, failing with what to
 * install when SwiftShader is missing, and releases the device after them (a Node process holding
 * one does not exit), leaving the cpu backend active.
 */
export function useWebGpu(options: UseWebGpuOptions = {}): void {
  beforeAll(async () => {
    if (!existsSync(SWIFTSHADER_ICD) && process.env.VK_ICD_FILENAMES === undefined) {
      throw new Error(`${SWIFTSHADER_ICD} is missing: run .ci/setup (it installs Debian's chromium)`);
    }
    process.env.VK_ICD_FILENAMES ??= SWIFTSHADER_ICD;
    if (options.relaxLeakCheck) tf.env().set('IS_TEST', false);
    await import('@tensorflow/tfjs-backend-cpu');
    await initBackend('webgpu');
  });
  afterAll(async () => {
    releaseBackend();
    await tf.setBackend('cpu');
  });
}
