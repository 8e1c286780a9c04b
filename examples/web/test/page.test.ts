/**
 * The page in a real browser: Debian's Chromium driven by playwright-core against the built page
 * (`vite build`) served from 127.0.0.1. On wasm and on WebGPU (Chromium's SwiftShader adapter):
 * no console error; the shipped LeNet-5 classifies the 1,000-image Fashion-MNIST sample exactly
 * as Node does (same predictions, same accuracy); a fine-tune of a few steps lowers the loss; the
 * weights cache survives a reload (no second download); the downloaded safetensors loads into a
 * tfzoo model in Node. Screenshots go to `examples/web/test-results/` (not committed).
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { loadWeights, readRawWeights } from '@tfzoo/core';
import { loadFashionMnistSample } from '@tfzoo/datasets';
import { lenet5 } from '@tfzoo/lenet';
import { createModel, getPretrainedConfig } from '@tfzoo/models';
import { runPython } from '@tfzoo/test-harness';
import { type Browser, chromium, type Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StaticServer, serveDirectory } from './serve.js';

const PAGE_ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST = join(PAGE_ROOT, 'dist');
const ARTIFACTS = join(PAGE_ROOT, 'test-results');
const CHROMIUM = '/usr/bin/chromium';

const BASE_ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
const WEBGPU_ARGS = [
  '--enable-unsafe-webgpu',
  '--use-webgpu-adapter=swiftshader',
  '--use-vulkan=swiftshader',
];

let server: StaticServer;
let nodePredictions: number[];
let nodeCorrect: number;
const started = Date.now();
let sampleImages: Uint8Array;

/** LeNet-5 as PyTorch writes it (28×28 input, 2 pixels of padding), loading the page's file strictly. */
const TORCH_LENET = `
import json, struct, sys
import torch
from torch import nn
directory = sys.argv[1]
raw = open(directory + '/weights.safetensors', 'rb').read()
(length,) = struct.unpack('<Q', raw[:8])
header = json.loads(raw[8:8 + length])
data = raw[8 + length:]
state = {}
for name, info in header.items():
    if name == '__metadata__':
        continue
    begin, end = info['data_offsets']
    dtype = {'F32': torch.float32, 'I64': torch.int64}[info['dtype']]
    state[name] = torch.frombuffer(bytearray(data[begin:end]), dtype=dtype).reshape(info['shape'])
model = nn.Module()
model.conv1 = nn.Conv2d(1, 6, 5, padding=2)
model.conv2 = nn.Conv2d(6, 16, 5)
model.fc1 = nn.Linear(400, 120)
model.fc2 = nn.Linear(120, 84)
model.fc3 = nn.Linear(84, 3)
model.load_state_dict(state, strict=True)
pixels = json.load(sys.stdin)
x = (torch.tensor(pixels, dtype=torch.float32).reshape(-1, 1, 28, 28) / 255 - 0.286) / 0.353
with torch.no_grad():
    x = torch.max_pool2d(torch.relu(model.conv1(x)), 2)
    x = torch.max_pool2d(torch.relu(model.conv2(x)), 2).flatten(1)
    x = model.fc3(torch.relu(model.fc2(torch.relu(model.fc1(x)))))
print(json.dumps(x.flatten().tolist()))
`;

/** What a page printed to its console as errors, and its uncaught exceptions. */
function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(String(error)));
  return errors;
}

/** Waits for `selector`, or fails at once with the page's status line when the page reports an error. */
async function waitFor(page: Page, selector: string, timeout: number): Promise<void> {
  await page.waitForSelector(`${selector}, body[data-error="true"]`, { timeout, state: 'attached' });
  if ((await page.getAttribute('body', 'data-error')) === 'true') {
    throw new Error(`the page reports: ${await page.textContent('#status')}`);
  }
}

async function openPage(browser: Browser, query: string): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({
    acceptDownloads: true,
    viewport: { width: 1000, height: 1200 },
  });
  const page = await context.newPage();
  const errors = watchErrors(page);
  await page.goto(`${server.url}/${query}`);
  await waitFor(page, 'body[data-ready="true"]', 60_000);
  return { page, errors };
}

async function loadModel(page: Page): Promise<string> {
  await page.click('#load');
  await waitFor(page, 'body[data-model="lenet5.fmnist"][data-busy="false"]', 60_000);
  return (await page.getAttribute('body', 'data-weights')) ?? '';
}

async function evaluate(page: Page): Promise<number[]> {
  await page.click('#evaluate');
  await waitFor(page, '#evaluation[data-correct]', 480_000); // SwiftShader: ~9 s per 100 images alone
  const predictions = (await page.getAttribute('#evaluation', 'data-predictions')) ?? '';
  return predictions.split(',').map(Number);
}

async function fineTune(page: Page, steps: number): Promise<number[]> {
  await page.click('#use-sample');
  await page.fill('#steps', String(steps));
  await page.click('#train');
  await waitFor(page, '#train-log[data-done="true"]', 180_000);
  return JSON.parse((await page.getAttribute('#train-log', 'data-losses')) ?? '[]') as number[];
}

function weightRequests(): number {
  let count = 0;
  for (const [path, n] of server.requests) if (/lenet5-fmnist.*\.safetensors$/.test(path)) count += n;
  return count;
}

beforeAll(async () => {
  rmSync(DIST, { recursive: true, force: true });
  mkdirSync(ARTIFACTS, { recursive: true });
  await build({ root: PAGE_ROOT, logLevel: 'warn', configFile: join(PAGE_ROOT, 'vite.config.ts') });
  server = await serveDirectory(DIST);

  // Node's answer on the same 1,000 images: the shipped weights on the cpu backend.
  const sample = await loadFashionMnistSample();
  const config = getPretrainedConfig('lenet5.fmnist');
  const model = await createModel('lenet5.fmnist', { pretrained: true });
  const { mean, std } = config.preprocessing;
  const predicted = tf.tidy(() => {
    const x = tf.tensor4d(sample.images, [sample.labels.length, 28, 28, 1], 'float32');
    const normalized = tf.div(tf.sub(tf.div(x, 255), mean[0]!), std[0]!);
    return tf.argMax(model.predict(normalized) as tf.Tensor, -1);
  });
  nodePredictions = [...(await predicted.data())];
  predicted.dispose();
  model.dispose();
  nodeCorrect = nodePredictions.filter((p, i) => p === sample.labels[i]).length;
  sampleImages = sample.images;
}, 300_000);

afterAll(async () => {
  await server?.close();
  // The suite's wall time, from the page build to the last browser closing.
  console.info(`browser suite: ${((Date.now() - started) / 1000).toFixed(1)} s`);
});

describe.each([
  { backend: 'wasm', args: BASE_ARGS },
  { backend: 'webgpu', args: [...BASE_ARGS, ...WEBGPU_ARGS] },
])('the page on $backend', ({ backend, args }) => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('classifies the sample as Node does, fine-tunes, downloads, and keeps the weights over a reload', async () => {
    const before = weightRequests();
    const { page, errors } = await openPage(browser, `?backend=${backend}`);
    expect(await page.getAttribute('body', 'data-backend')).toBe(backend);

    expect(await loadModel(page)).toBe('network');
    expect(weightRequests()).toBe(before + 1);

    const predictions = await evaluate(page);
    const correct = Number(await page.getAttribute('#evaluation', 'data-correct'));
    expect(predictions).toHaveLength(1000);
    expect(correct).toBe(nodeCorrect);
    const agreement = predictions.filter((p, i) => p === nodePredictions[i]).length;
    expect(agreement).toBeGreaterThanOrEqual(998); // float order may flip a near-tie

    await page.click('#samples canvas[data-index="0"]');
    await waitFor(page, '#top5 li:nth-child(5)', 30_000);
    const losses = await fineTune(page, 12);
    expect(losses.length).toBe(12);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses.at(-1)!).toBeLessThan(losses[0]! * 0.8);
    await page.screenshot({ path: join(ARTIFACTS, `page-${backend}.png`), fullPage: true });

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
    const file = join(ARTIFACTS, `lenet5-fmnist-finetuned-${backend}.safetensors`);
    await download.saveAs(file);
    // The file loads strictly into tfzoo's LeNet-5 and into PyTorch's, which agree on eight images.
    const bytes = new Uint8Array(await readFile(file));
    const raw = await readRawWeights(bytes);
    expect(raw.get('fc3.weight')?.shape).toEqual([3, 84]);
    const tuned = lenet5({ numClasses: 3, inputShape: [28, 28, 1], activation: 'relu', subsampling: 'max' });
    await loadWeights(tuned, bytes);
    const { mean, std } = getPretrainedConfig('lenet5.fmnist').preprocessing;
    const pixels = sampleImages.subarray(0, 8 * 784);
    const ours = tf.tidy(() => {
      const x = tf.tensor4d(pixels, [8, 28, 28, 1], 'float32');
      return tuned.predict(tf.div(tf.sub(tf.div(x, 255), mean[0]!), std[0]!)) as tf.Tensor;
    });
    const logits = [...(await ours.data())];
    ours.dispose();
    tuned.dispose();
    const torch = runPython<number[]>(TORCH_LENET, [...pixels], { 'weights.safetensors': bytes });
    torch.cleanup();
    expect(torch.result).toHaveLength(24);
    const worst = Math.max(...logits.map((value, i) => Math.abs(value - torch.result[i]!)));
    expect(worst).toBeLessThan(1e-4 * Math.max(1, ...logits.map(Math.abs)));

    await page.reload();
    await waitFor(page, 'body[data-ready="true"]', 60_000);
    expect(await loadModel(page)).toBe('cache');
    expect(weightRequests()).toBe(before + 1); // served by the Cache API, not the server
    expect(errors).toEqual([]);
    await page.context().close();
  }, 900_000);

  it('picks the first backend that works, switches with a model loaded, and classifies a picked picture', async () => {
    const { page, errors } = await openPage(browser, '');
    const chosen = await page.getAttribute('body', 'data-backend');
    if (backend === 'webgpu') expect(chosen).toBe('webgpu');
    else expect(['webgl', 'wasm']).toContain(chosen);
    // A model loaded on the chosen backend keeps working after a switch (TF.js moves its weights).
    await loadModel(page);
    await page.click('#samples canvas[data-index="1"]');
    await waitFor(page, '#top5 li:nth-child(5)', 30_000);
    // The ranking of the classes; the printed probabilities may differ in the last digit across backends.
    const ranking = () =>
      page.$$eval('#top5 li span:first-child', (names) => names.map((n) => n.textContent));
    const before = await ranking();
    expect(before).toHaveLength(5);
    await page.selectOption('#backend', 'cpu');
    await waitFor(page, 'body[data-backend="cpu"][data-busy="false"]', 30_000);
    await page.evaluate(() => {
      document.getElementById('top5')!.replaceChildren();
    });
    await page.click('#samples canvas[data-index="1"]');
    await waitFor(page, '#top5 li:nth-child(5)', 30_000);
    expect(await ranking()).toEqual(before);

    // A picked picture goes through decoding, resizing and gray conversion: the thumbnail of the same
    // sample (drawn 2× larger) as a PNG file gets the same top class.
    const picture = await page.locator('#samples canvas[data-index="1"]').screenshot();
    await page.evaluate(() => {
      document.getElementById('top5')!.replaceChildren();
    });
    await page.setInputFiles('#file', { name: 'sample-1.png', mimeType: 'image/png', buffer: picture });
    await waitFor(page, '#top5 li:nth-child(5)', 30_000);
    expect((await ranking())[0]).toBe(before[0]);
    expect(errors).toEqual([]);
    await page.context().close();
  }, 120_000);
});

it('writes screenshots where CI keeps them', () => {
  expect(existsSync(join(ARTIFACTS, 'page-wasm.png'))).toBe(true);
  expect(existsSync(join(ARTIFACTS, 'page-webgpu.png'))).toBe(true);
});
