/**
 * The WebGPU backend in Node, for real: Dawn (the `webgpu` package) on SwiftShader's Vulkan driver
 * from Debian's `chromium` (installed by `.ci/setup`), the same code path an NVIDIA Vulkan driver
 * takes on a GPU machine.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, isSoftwareAdapter, releaseBackend, webGpuAdapter } from './backend.js';
import { checkTrainable } from './check-trainable.js';

const SWIFTSHADER = '/usr/lib/chromium/vk_swiftshader_icd.json';
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

beforeAll(() => {
  if (!existsSync(SWIFTSHADER)) {
    throw new Error(
      `${SWIFTSHADER} is missing: run .ci/setup (it installs Debian's chromium for SwiftShader)`,
    );
  }
  process.env.VK_ICD_FILENAMES ??= SWIFTSHADER;
});

afterEach(async () => {
  releaseBackend();
  await tf.setBackend('cpu');
});

afterAll(() => {
  releaseBackend();
});

/** A small CNN with the layer kinds of the zoo. */
function smallCnn(): tfl.LayersModel {
  const input = tfl.input({ shape: [12, 12, 3] });
  let x = tfl.layers
    .conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same' })
    .apply(input) as tfl.SymbolicTensor;
  x = tfl.layers.batchNormalization().apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.reLU().apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same' }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.globalAveragePooling2d({}).apply(x) as tfl.SymbolicTensor;
  const output = tfl.layers.dense({ units: 5 }).apply(x) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: output });
}

describe('initBackend("webgpu") in Node', () => {
  it('brings up Dawn on a Vulkan adapter and reports it', async () => {
    const info = await initBackend('webgpu', { webgpu: { powerPreference: 'low-power' } });
    expect(info.backend).toBe('webgpu');
    expect(tf.getBackend()).toBe('webgpu');
    expect(info.adapter).toMatchObject({
      source: 'dawn',
      vendor: 'google',
      architecture: 'swiftshader',
      powerPreference: 'low-power',
    });
    expect(info.adapter?.description).toMatch(/SwiftShader/);
    expect(info.adapter?.limits.maxStorageBufferBindingSize).toBeGreaterThanOrEqual(128 * 2 ** 20);
    expect(webGpuAdapter()).toEqual(info.adapter);
  });

  it('is passed over by initBackend() with no preference, being a software rasterizer', async () => {
    const info = await initBackend();
    expect(info.backend).not.toBe('webgpu');
    const attempt = info.attempts.find((a) => a.backend === 'webgpu');
    expect(attempt?.ok).toBe(false);
    expect(attempt?.reason).toMatch(/software rasterizer \(SwiftShader driver .*ask for 'webgpu' by name/);
    expect(webGpuAdapter()).toBeNull();
    expect((globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu).toBeUndefined();
  });

  it('computes a conv gradient as the cpu backend does, without leaking tensors', async () => {
    const x = [...Array(2 * 9 * 9 * 3).keys()].map((i) => Math.sin(i));
    const w = [...Array(3 * 3 * 3 * 4).keys()].map((i) => Math.cos(i));
    const gradient = (): tf.Tensor =>
      tf.tidy(() => {
        const input = tf.tensor4d(x, [2, 9, 9, 3]);
        const filter = tf.tensor4d(w, [3, 3, 3, 4]);
        return tf.grad((f: tf.Tensor) =>
          tf.mean(tf.square(tf.conv2d(input as tf.Tensor4D, f as tf.Tensor4D, 2, 'same'))),
        )(filter);
      });
    const onCpu = gradient();
    const expected = await onCpu.data();
    onCpu.dispose();
    await initBackend('webgpu');
    const before = tf.memory().numTensors;
    const onGpu = gradient();
    const actual = await onGpu.data();
    onGpu.dispose();
    expect(tf.memory().numTensors).toBe(before);
    const scale = Math.max(...expected.map(Math.abs));
    const error = Math.max(...actual.map((v, i) => Math.abs(v - expected[i]!)));
    expect(error / scale).toBeLessThan(1e-5);
  });

  it('checkTrainable finds every kernel of a training step on webgpu, weights untouched', async () => {
    await initBackend('webgpu');
    const model = smallCnn();
    const before = await Promise.all(model.weights.map((w) => w.read().data()));
    const numTensors = tf.memory().numTensors;
    const report = await checkTrainable(model);
    expect(report).toMatchObject({ ok: true, backend: 'webgpu', missing: [] });
    expect(report.used).toContain('Conv2DBackpropFilter');
    expect(report.used).toContain('DepthwiseConv2dNativeBackpropFilter');
    expect(tf.getBackend()).toBe('webgpu');
    expect(tf.memory().numTensors).toBe(numTensors);
    const after = await Promise.all(model.weights.map((w) => w.read().data()));
    expect(after).toEqual(before);
    model.dispose();
  });

  it('releases the device and what it installed for Dawn', async () => {
    await initBackend('webgpu');
    expect((globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu).toBeDefined();
    releaseBackend();
    expect(webGpuAdapter()).toBeNull();
    expect(tf.findBackendFactory('webgpu')).toBeNull();
    expect((globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu).toBeUndefined();
    expect('GPUBufferUsage' in globalThis).toBe(false);
    // A second bring-up after a release works.
    const info = await initBackend('webgpu');
    expect(info.adapter?.architecture).toBe('swiftshader');
  });

  it('lets a Node process exit after releaseBackend (built package)', () => {
    const script = `
      import * as tf from '@tensorflow/tfjs-core';
      import { initBackend, releaseBackend } from '@tfzoo/core';
      const info = await initBackend('webgpu');
      const y = tf.relu(tf.tensor1d([1, -2, 3]));
      console.log(info.adapter.description, Array.from(await y.data()).join(','));
      y.dispose();
      releaseBackend();`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: ROOT,
      env: { ...process.env, VK_ICD_FILENAMES: SWIFTSHADER },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.error).toBeUndefined();
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/SwiftShader.*1,0,3/);
  });
});

describe('initBackend("webgpu") errors name what was tried', () => {
  it('names a Vulkan driver file that does not exist', async () => {
    const saved = process.env.VK_ICD_FILENAMES;
    process.env.VK_ICD_FILENAMES = '/nonexistent/vk_icd.json';
    try {
      await expect(initBackend('webgpu')).rejects.toThrow(
        /webgpu: no WebGPU adapter \(powerPreference high-performance\): the Vulkan driver file\(s\) named by VK_ICD_FILENAMES do not exist: \/nonexistent\/vk_icd\.json/,
      );
    } finally {
      process.env.VK_ICD_FILENAMES = saved;
    }
    expect((globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu).toBeUndefined();
  });

  it('lists the adapters Dawn found when the named one is not among them', async () => {
    await expect(initBackend('webgpu', { webgpu: { adapter: 'NoSuchGPU' } })).rejects.toThrow(
      /requestAdapter failed: .*\n.*Available adapters:\n.*SwiftShader/,
    );
  });

  it('refuses unknown and bad options, naming them', async () => {
    await expect(initBackend('webgpu', { webgpu: { power: 'low' } as never })).rejects.toThrow(
      'webgpu options must be one of powerPreference, adapter, dawnOptions; received "power"',
    );
    await expect(initBackend('webgpu', { webgpu: { powerPreference: 'fast' as never } })).rejects.toThrow(
      `webgpu.powerPreference must be 'high-performance' or 'low-power'; received "fast"`,
    );
    await expect(initBackend('cpu', { gpu: true } as never)).rejects.toThrow(/initBackend option .*"gpu"/);
  });
});

describe('isSoftwareAdapter', () => {
  const report = {
    source: 'navigator.gpu' as const,
    vendor: '',
    architecture: '',
    device: '',
    description: '',
    powerPreference: 'high-performance' as const,
    features: [],
    limits: {},
  };
  it('believes isFallbackAdapter, else reads the architecture and description', () => {
    expect(isSoftwareAdapter({ ...report, isFallbackAdapter: true, vendor: 'nvidia' })).toBe(true);
    expect(isSoftwareAdapter({ ...report, architecture: 'swiftshader' })).toBe(true);
    expect(isSoftwareAdapter({ ...report, description: 'llvmpipe (LLVM 15.0.6, 256 bits)' })).toBe(true);
    expect(isSoftwareAdapter({ ...report, description: 'Microsoft Basic Render Driver' })).toBe(true);
    expect(
      isSoftwareAdapter({
        ...report,
        vendor: 'nvidia',
        architecture: 'hopper',
        description: 'NVIDIA H100 80GB HBM3',
      }),
    ).toBe(false);
    expect(isSoftwareAdapter({ ...report, vendor: 'nvidia', isFallbackAdapter: false })).toBe(false);
  });
});
