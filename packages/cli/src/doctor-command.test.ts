import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BackendCheck, doctorCommand } from './doctor-command.js';

const SWIFTSHADER = '/usr/lib/chromium/vk_swiftshader_icd.json';

function capture(): {
  io: { stdout: { write(t: string): boolean }; stderr: { write(t: string): boolean } };
  out: () => string;
} {
  let text = '';
  const sink = {
    write(t: string): boolean {
      text += t;
      return true;
    },
  };
  return { io: { stdout: sink, stderr: { write: () => true } }, out: () => text };
}

beforeAll(() => {
  if (!existsSync(SWIFTSHADER)) throw new Error(`${SWIFTSHADER} is missing: run .ci/setup`);
  process.env.VK_ICD_FILENAMES ??= SWIFTSHADER;
});

afterAll(async () => {
  await tf.setBackend('cpu');
});

describe('tfzoo doctor', () => {
  it('reports every backend, the WebGPU adapter and a training step on each that loads', async () => {
    const { io, out } = capture();
    const code = await doctorCommand(['--json'], io);
    expect(code, out()).toBe(0);
    const report = JSON.parse(out()) as { backends: BackendCheck[] };
    const by = Object.fromEntries(report.backends.map((b) => [b.backend, b]));
    // tfjs-node cannot be installed here: reported with the reason, not a failure.
    expect(by['tensorflow-gpu']).toMatchObject({ ok: false });
    expect(by['tensorflow-gpu']?.reason).toMatch(/libtensorflow 2\.9\.1.*CUDA 11\.2 and cuDNN 8\.1/);
    expect(by.tensorflow?.reason).toMatch(/@tensorflow\/tfjs-node .*libtensorflow 2\.9\.1/);
    expect(by.webgpu).toMatchObject({ ok: true, adapter: { source: 'dawn', architecture: 'swiftshader' } });
    expect(by.webgpu?.adapter?.limits.maxBufferSize).toBeGreaterThan(0);
    for (const name of ['webgpu', 'wasm', 'cpu']) {
      expect(by[name]?.trainingStep, name).toMatchObject({ ok: true });
      expect(Number.isFinite(by[name]?.trainingStep?.loss)).toBe(true);
    }
  });

  it('prints the same as text, naming the adapter and the backend auto picks', async () => {
    const { io, out } = capture();
    expect(await doctorCommand(['--no-train'], io)).toBe(0);
    expect(out()).toMatch(/ok {3}webgpu +Dawn: google swiftshader "SwiftShader driver [\d.]+"/);
    expect(out()).toMatch(/no {3}tensorflow-gpu +could not import @tensorflow\/tfjs-node-gpu/);
    expect(out()).toMatch(/--backend auto uses: wasm/);
    expect(out()).not.toMatch(/training step/);
  });
});

describe('tfzoo --backend webgpu', () => {
  it('predicts with the built CLI on WebGPU and exits (the device is released)', () => {
    const root = fileURLToPath(new URL('../../../', import.meta.url));
    const run = spawnSync(
      process.execPath,
      [
        'packages/cli/dist/bin.js',
        'eval',
        'lenet5.fmnist',
        '--data',
        'fashion-mnist-sample',
        '--limit',
        '64',
        '--backend',
        'webgpu',
        '--json',
      ],
      {
        cwd: root,
        env: { ...process.env, VK_ICD_FILENAMES: SWIFTSHADER },
        encoding: 'utf8',
        timeout: 300_000,
      },
    );
    expect(run.error).toBeUndefined();
    expect(run.status, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout.trim().split('\n').pop() as string) as {
      accuracy: number;
      samples: number;
    };
    expect(result.samples).toBe(64);
    expect(result.accuracy).toBeGreaterThan(0.6);
  });
});
