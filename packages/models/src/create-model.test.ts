import { createHash } from 'node:crypto';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import {
  defineModel,
  imagenetPreprocessing,
  type PretrainedConfig,
  registerModel,
  tfjsFileHandler,
  unregisterModel,
  ZooError,
} from '@tfzoo/core';
import { lenet5 } from '@tfzoo/lenet';
import { maxAbs, maxAbsDiff, runPython, startTestServer, type TestServer } from '@tfzoo/test-harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createModel, listModels } from './index.js';

// A PyTorch LeNet-5 with the layer names our builder mirrors, random weights from a fixed seed.
const TORCH_LENET = `
import json, sys, torch
from torch import nn
torch.manual_seed(0)
class LeNet(nn.Module):
    def __init__(s):
        super().__init__()
        s.conv1 = nn.Conv2d(1, 6, 5); s.conv2 = nn.Conv2d(6, 16, 5)
        s.fc1 = nn.Linear(400, 120); s.fc2 = nn.Linear(120, 84); s.fc3 = nn.Linear(84, 10)
    def forward(s, x):
        x = nn.functional.avg_pool2d(torch.tanh(s.conv1(x)), 2)
        x = nn.functional.avg_pool2d(torch.tanh(s.conv2(x)), 2)
        x = torch.flatten(x, 1)
        return s.fc3(torch.tanh(s.fc2(torch.tanh(s.fc1(x)))))
net = LeNet().eval()
torch.save(net.state_dict(), 'lenet.pth')
x = torch.randn(3, 1, 32, 32)
with torch.no_grad(): y = net(x)
print(json.dumps({'x': x.permute(0, 2, 3, 1).flatten().tolist(), 'y': y.flatten().tolist()}))
`;

let torch: ReturnType<typeof runPython<{ x: number[]; y: number[] }>>;
let server: TestServer;
let cacheDir: string;
let fileSha256: string;

function logits(model: tfl.LayersModel, x: number[]): Float32Array {
  return tf.tidy(
    () => (model.predict(tf.tensor4d(x, [3, 32, 32, 1])) as tf.Tensor).dataSync() as Float32Array,
  );
}

function hostedConfig(url: string, sha256: string): PretrainedConfig {
  return {
    id: 'hostednet.torch_in1k',
    arch: 'hostednet',
    tag: 'torch_in1k',
    source: { url, format: 'pth', sha256 },
    mapping: 'default',
    numClasses: 10,
    classifier: 'fc3',
    numParams: 61_706,
    preprocessing: {
      ...imagenetPreprocessing({ inputSize: 32 }),
      inputSize: [32, 32, 1],
      mean: [0.5],
      std: [0.5],
    },
    license: 'Apache-2.0',
    sourceUrl: url,
  };
}

beforeAll(async () => {
  torch = runPython(TORCH_LENET);
  const bytes = torch.readFile('lenet.pth');
  fileSha256 = createHash('sha256').update(bytes).digest('hex');
  server = await startTestServer();
  server.serve('/lenet.pth', bytes);
  cacheDir = await mkdtemp(join(tmpdir(), 'tfzoo-models-'));
  process.env.TFZOO_HOME = cacheDir;
  registerModel(
    defineModel({
      name: 'hostednet',
      family: 'test',
      build: (options) => lenet5(options),
      pretrained: [hostedConfig(`${server.url}/lenet.pth`, fileSha256)],
    }),
  );
});

afterAll(async () => {
  unregisterModel('hostednet');
  delete process.env.TFZOO_HOME;
  torch.cleanup();
  await server.close();
  await rm(cacheDir, { recursive: true, force: true });
});

describe('createModel', () => {
  it('registers every family on import', () => {
    expect(listModels('lenet*')).toEqual(['lenet5']);
    for (const id of [
      'alexnet',
      'vgg16_bn',
      'googlenet',
      'resnet50',
      'seresnet50',
      'legacy_senet154',
      'shufflenet_v2_x1_0',
      'legacy_xception',
    ]) {
      expect(listModels()).toContain(id);
    }
  });

  it('loads a torch.save file given by path and reproduces PyTorch logits', async () => {
    const model = await createModel('lenet5', { weights: join(torch.dir, 'lenet.pth') });
    const y = logits(model, torch.result.x);
    expect(maxAbsDiff(y, torch.result.y)).toBeLessThanOrEqual(1e-4 * maxAbs(torch.result.y));
    model.dispose();
  });

  it('downloads pretrained weights once, verifies them, and loads them', async () => {
    const events: number[] = [];
    const model = await createModel('hostednet', {
      pretrained: true,
      onProgress: (p) => events.push(p.loaded),
    });
    expect(maxAbsDiff(logits(model, torch.result.x), torch.result.y)).toBeLessThanOrEqual(
      1e-4 * maxAbs(torch.result.y),
    );
    expect(events.length).toBeGreaterThan(0);
    expect(Math.max(...events)).toBe((await stat(join(torch.dir, 'lenet.pth'))).size);
    const again = await createModel('hostednet.torch_in1k', { pretrained: true });
    expect(server.stats('/lenet.pth').requests).toBe(1);
    model.dispose();
    again.dispose();
  });

  it('gives a fresh classifier when numClasses differs, keeping the backbone', async () => {
    const full = await createModel('hostednet', { pretrained: true });
    const five = await createModel('hostednet', { pretrained: true, numClasses: 5 });
    expect(five.getLayer('fc3').getWeights()[0]?.shape).toEqual([84, 5]);
    for (const name of ['conv1', 'conv2', 'fc1', 'fc2']) {
      const a = full.getLayer(name).getWeights();
      const b = five.getLayer(name).getWeights();
      for (let i = 0; i < a.length; i++) expect(maxAbsDiff(a[i]!.dataSync(), b[i]!.dataSync())).toBe(0);
    }
    full.dispose();
    five.dispose();
  });

  it('loads TF.js artifacts by our own names', async () => {
    const source = await createModel('lenet5', { weights: join(torch.dir, 'lenet.pth') });
    const dir = join(cacheDir, 'artifacts');
    await source.save(tfjsFileHandler(dir));
    const model = await createModel('lenet5', { weights: join(dir, 'model.json') });
    expect(maxAbsDiff(logits(model, torch.result.x), logits(source, torch.result.x))).toBe(0);
    source.dispose();
    model.dispose();
  });

  it('says which file is missing offline and how to fetch it', async () => {
    // The file is in this suite's cache by now; an empty cache must not reach the network.
    process.env.TFZOO_HOME = join(cacheDir, 'empty');
    const error = await createModel('hostednet', { pretrained: true, offline: true }).catch(
      (e: unknown) => e,
    );
    process.env.TFZOO_HOME = cacheDir;
    expect(error).toBeInstanceOf(ZooError);
    expect((error as ZooError).code).toBe('OFFLINE');
    expect((error as ZooError).message).toContain(`${server.url}/lenet.pth`);
    expect((error as ZooError).message).toContain('tfzoo download hostednet.torch_in1k');
  });

  it('fails offline for vgg16 without a cached file, naming the file and how to fetch it', async () => {
    process.env.TFZOO_HOME = join(cacheDir, 'empty');
    const error = await createModel('vgg16', { numClasses: 5, pretrained: true, offline: true }).catch(
      (e: unknown) => e,
    );
    process.env.TFZOO_HOME = cacheDir;
    expect(error).toBeInstanceOf(ZooError);
    expect((error as ZooError).code).toBe('OFFLINE');
    expect((error as ZooError).message).toMatch(/vgg16.*\.(safetensors|pth)/);
    expect((error as ZooError).message).toContain('tfzoo download vgg16.');
  });

  it('rejects bad ids and options, naming them', async () => {
    await expect(createModel('nosuchnet')).rejects.toThrow('unknown model id "nosuchnet"');
    await expect(createModel('lenet5.nosuchtag')).rejects.toThrow(
      'unknown pretrained tag "nosuchtag" for lenet5',
    );
    await expect(createModel('Le-Net')).rejects.toThrow('received "Le-Net"');
    await expect(createModel('lenet5', { numClasses: -1 })).rejects.toThrow(
      'numClasses must be a positive integer; received -1',
    );
    await expect(createModel('shufflenet_v1_g3_x1_0', { pretrained: true })).rejects.toThrow(
      'shufflenet_v1_g3_x1_0 has no pretrained weights',
    );
    await expect(createModel('hostednet', { pretrained: true, weights: 'x.pth' })).rejects.toThrow(
      'either pretrained or weights, not both',
    );
    const garbage = join(cacheDir, 'garbage.pth');
    await writeFile(garbage, 'not a weight file');
    await expect(createModel('lenet5', { weights: garbage })).rejects.toBeInstanceOf(ZooError);
  });
});
