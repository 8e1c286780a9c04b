import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {
  exportStateDict,
  loadWeights,
  rawToFloat32,
  readSafetensors,
  readTfjsModelFile,
  tfjsFileHandler,
  writeSafetensors,
} from '@tfzoo/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quantizationMetadata, quantizedHandler, quantizeStateDict } from './quantize.js';
import { smallLenet } from './test-data.js';

let dir: string;
let server: Server;
let base: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tfzoo-quantize-'));
  // a plain static file server: what a browser's tf.loadLayersModel(url) talks to
  server = createServer(async (request, response) => {
    try {
      const body = await readFile(join(dir, decodeURIComponent(new URL(request.url!, 'http://x').pathname)));
      response.writeHead(200, { 'content-type': 'application/octet-stream' }).end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

async function shardBytes(path: string): Promise<number> {
  const json = JSON.parse(await readFile(join(path, 'model.json'), 'utf8')) as tf.io.ModelJSON;
  let total = 0;
  for (const group of json.weightsManifest)
    for (const p of group.paths) total += (await stat(join(path, p))).size;
  return total;
}

describe('TF.js artifacts with tfjs quantization', () => {
  for (const dtype of ['int8', 'float16'] as const) {
    it(`${dtype}: plain tfjs-layers loads them over HTTP within the quantization error bound`, async () => {
      const model = smallLenet();
      await model.save(tfjsFileHandler(join(dir, 'f32')));
      await model.save(quantizedHandler(tfjsFileHandler(join(dir, dtype)), { dtype }));
      const manifest = (JSON.parse(await readFile(join(dir, dtype, 'model.json'), 'utf8')) as tf.io.ModelJSON)
        .weightsManifest[0]!.weights;
      const loaded = await tfl.loadLayersModel(`${base}/${dtype}/model.json`);
      const ours = await readTfjsModelFile(join(dir, dtype, 'model.json'));
      let kernels = 0;
      for (const [i, weight] of model.weights.entries()) {
        const original = weight.read().dataSync();
        const back = loaded.weights[i]!.read().dataSync();
        const spec = manifest.find((s) => s.name === weight.originalName || s.name === weight.name)!;
        expect(spec).toBeDefined();
        const mine = rawToFloat32(ours.get(spec.name)!);
        for (let j = 0; j < original.length; j++) {
          const x = original[j]!;
          const bound =
            spec.quantization?.dtype === 'uint8'
              ? spec.quantization.scale! / 2 + 1e-7
              : spec.quantization?.dtype === 'float16'
                ? Math.abs(x) * 2 ** -11 + 2 ** -25
                : 0;
          expect(Math.abs(back[j]! - x)).toBeLessThanOrEqual(bound);
          expect(Math.abs(mine[j]! - back[j]!)).toBeLessThanOrEqual(1e-6 * Math.abs(x) + 1e-9);
          if (x === 0) expect(back[j]).toBe(0);
        }
        if (weight.shape.length >= 2) {
          kernels++;
          expect(spec.quantization?.dtype).toBe(dtype === 'int8' ? 'uint8' : 'float16');
        } else if (dtype === 'int8') expect(spec.quantization).toBeUndefined();
      }
      expect(kernels).toBe(5);
      const ratio = (await shardBytes(join(dir, dtype))) / (await shardBytes(join(dir, 'f32')));
      if (dtype === 'int8') expect(ratio).toBeLessThan(0.3);
      else expect(ratio).toBeCloseTo(0.5, 5);
      const x = tf.randomNormal([4, 28, 28, 1], 0, 1, 'float32', 3);
      const diff = tf.tidy(
        () =>
          tf
            .max(tf.abs(tf.sub(model.predict(x) as tf.Tensor, loaded.predict(x) as tf.Tensor)))
            .dataSync()[0]!,
      );
      expect(diff).toBeLessThan(dtype === 'int8' ? 0.05 : 2e-3);
      tf.dispose(x);
      model.dispose();
      loaded.dispose();
    });
  }

  it('refuses an unknown dtype', () => {
    expect(() => quantizedHandler(tfjsFileHandler(dir), { dtype: 'int4' as 'int8' })).toThrow(
      /'float16' or 'int8'/,
    );
  });
});

describe('safetensors', () => {
  it('int8 per-channel: the reader dequantizes within half a scale step, and the model loads', async () => {
    const model = smallLenet();
    const state = exportStateDict(model);
    const quantized = quantizeStateDict(state, { dtype: 'int8' });
    expect(quantized.get('conv1.weight')!.dtype).toBe('I8');
    expect(quantized.get('conv1.weight_scale')!.shape).toEqual([6, 1, 1, 1]);
    const bytes = writeSafetensors(quantized, quantizationMetadata({ dtype: 'int8' }));
    const back = readSafetensors(bytes).tensors;
    expect([...back.keys()]).toEqual([...state.keys()]);
    for (const [name, tensor] of state) {
      const x = rawToFloat32(tensor);
      const y = rawToFloat32(back.get(name)!);
      const scales = quantized.get(`${name}_scale`)?.data as Float32Array | undefined;
      const per = scales ? x.length / scales.length : 1;
      for (let i = 0; i < x.length; i++) {
        const bound = scales ? scales[Math.floor(i / per)]! / 2 + 1e-7 : 0;
        expect(Math.abs(y[i]! - x[i]!)).toBeLessThanOrEqual(bound);
      }
    }
    const fresh = smallLenet(2);
    await loadWeights(fresh, bytes);
    const input = tf.randomNormal([4, 28, 28, 1], 0, 1, 'float32', 5);
    const diff = tf.tidy(
      () =>
        tf
          .max(tf.abs(tf.sub(model.predict(input) as tf.Tensor, fresh.predict(input) as tf.Tensor)))
          .dataSync()[0]!,
    );
    expect(diff).toBeLessThan(0.05);
    expect(bytes.length / writeSafetensors(state).length).toBeLessThan(0.3);
    tf.dispose(input);
    model.dispose();
    fresh.dispose();
  });

  it('float16: F16 tensors within half an ulp of float16', async () => {
    const model = smallLenet();
    const state = exportStateDict(model);
    const bytes = writeSafetensors(quantizeStateDict(state, { dtype: 'float16' }));
    const back = readSafetensors(bytes).tensors;
    for (const [name, tensor] of state) {
      expect(back.get(name)!.dtype).toBe('F16');
      const x = rawToFloat32(tensor);
      const y = rawToFloat32(back.get(name)!);
      for (let i = 0; i < x.length; i++) {
        expect(Math.abs(y[i]! - x[i]!)).toBeLessThanOrEqual(Math.abs(x[i]!) * 2 ** -11 + 2 ** -25);
      }
    }
    const fresh = smallLenet(2);
    await loadWeights(fresh, bytes);
    model.dispose();
    fresh.dispose();
  });
});
