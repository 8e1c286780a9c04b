import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZooError } from '../errors.js';
import { convertValues, type RawTensorMap, rawBytes, rawToFloat32 } from './raw.js';
import { detectWeightFormat, readRawWeights, readWeightFile } from './read.js';
import { readSafetensors, writeSafetensors } from './safetensors.js';
import { readTfjsModelFile, tfjsFileHandler } from './tfjs.js';

const SCRIPT = new URL('./test/torch_fixtures.py', import.meta.url).pathname;
let dir: string;

interface Expected {
  dtype: string;
  shape: number[];
  hex: string;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tfzoo-readers-'));
  // Fails (never skips) when /usr/bin/python3 or torch is missing.
  execFileSync('/usr/bin/python3', [SCRIPT, 'files', dir], { stdio: 'pipe' });
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function expectBitExact(tensors: RawTensorMap, expected: Record<string, Expected>): void {
  expect([...tensors.keys()].sort()).toEqual(Object.keys(expected).sort());
  for (const [name, want] of Object.entries(expected)) {
    const got = tensors.get(name)!;
    expect({ name, dtype: got.dtype, shape: got.shape }).toEqual({
      name,
      dtype: want.dtype,
      shape: want.shape,
    });
    expect(Buffer.from(rawBytes(got.data)).toString('hex'), name).toBe(want.hex);
  }
}

async function expectZooError(promise: Promise<unknown>, code: string, text?: RegExp): Promise<ZooError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ZooError);
  expect((error as ZooError).code).toBe(code);
  if (text) expect((error as ZooError).message).toMatch(text);
  return error as ZooError;
}

describe('files written by PyTorch read back bit-exactly', () => {
  const cases = [
    ['torch.save zip', 'dtypes.zip.pth', 'pth-zip'],
    ['torch.save legacy stream', 'dtypes.legacy.pth', 'pth-legacy'],
    ['safetensors', 'dtypes.safetensors', 'safetensors'],
  ] as const;
  for (const [label, file, format] of cases) {
    it(`${label}: every dtype, a transpose, strided and shared-storage views`, async () => {
      const bytes = readFileSync(join(dir, file));
      expect(detectWeightFormat(bytes)).toBe(format);
      const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Record<
        string,
        Expected
      >;
      expect(new Set(Object.values(expected).map((e) => e.dtype))).toEqual(
        new Set(['F32', 'F16', 'BF16', 'F64', 'I64', 'I32', 'U8', 'BOOL']),
      );
      expectBitExact(await readRawWeights(join(dir, file)), expected);
    });
  }

  it('the pre-1.0 tar layout (constructed per torch/serialization.py, accepted by torch.load)', async () => {
    const bytes = readFileSync(join(dir, 'old.tar.pth'));
    expect(detectWeightFormat(bytes)).toBe('pth-tar');
    const expected = JSON.parse(readFileSync(join(dir, 'tar_expected.json'), 'utf8')) as Record<
      string,
      Expected
    >;
    expectBitExact(await readRawWeights(bytes), expected);
  });

  it('readWeightFile makes TF.js tensors with the PyTorch values and leaks nothing on failure', async () => {
    const before = tf.memory().numTensors;
    const map = await readWeightFile(join(dir, 'dtypes.zip.pth'), { include: (n) => n !== 'i64' });
    expect(map.i64).toBeUndefined();
    expect(map.f16!.dtype).toBe('float32');
    expect(map.bool!.dtype).toBe('bool');
    expect(Array.from(map.u8!.dataSync())).toEqual([0, 1, 127, 128, 255]);
    expect(Array.from(map.i32!.dataSync())).toEqual([-(2 ** 31), 2 ** 31 - 1, 3, -4]);
    expect(Array.from(map.shared_a!.dataSync())).toEqual(Array.from({ length: 12 }, (_, i) => i));
    expect(Array.from(map.shared_b!.dataSync())).toEqual(Array.from({ length: 18 }, (_, i) => i + 10));
    tf.dispose(Object.values(map));
    // i64 holds 2^40 and -2^62, outside int32: an error, and no tensor stays behind.
    await expectZooError(readWeightFile(join(dir, 'dtypes.zip.pth')), 'UNSUPPORTED', /i64/);
    const floats = await readWeightFile(join(dir, 'dtypes.zip.pth'), { dtype: 'float32' });
    expect(Array.from(floats.i64!.dataSync())).toEqual([0, -1, 2 ** 40, -(2 ** 62), 7]);
    tf.dispose(Object.values(floats));
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('float16 / bfloat16 conversion', () => {
  it('rounds float32 to float16 and bfloat16 exactly like PyTorch, and decodes them back', () => {
    const read = (file: string) => readFileSync(join(dir, file));
    const f32 = read('round_f32.f32');
    const values = new Float32Array(f32.buffer, f32.byteOffset, f32.byteLength / 4);
    for (const [dtype, file] of [
      ['F16', 'round_f16.u16'],
      ['BF16', 'round_bf16.u16'],
    ] as const) {
      const bytes = read(file);
      const expected = new Uint16Array(
        bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
      );
      const bits = convertValues(values, dtype) as Uint16Array;
      const differing = [...bits.keys()].filter((i) => bits[i] !== expected[i]);
      expect(differing.map((i) => [values[i], bits[i], expected[i]])).toEqual([]);
      // Decoding the bit patterns gives the values torch gives (torch: .float() of the rounded tensor).
      const decoded = rawToFloat32({ dtype, shape: [expected.length], data: expected });
      const again = convertValues(decoded, dtype) as Uint16Array;
      expect(Array.from(again)).toEqual(Array.from(expected));
    }
  });
});

describe('hostile, truncated and garbage inputs raise ZooError and run nothing', () => {
  it('refuses pickles naming os.system or builtins.eval, in zip and legacy checkpoints', async () => {
    const marker = join(dir, 'pwned');
    for (const name of ['os_system', 'builtins_eval']) {
      for (const suffix of ['.pth', '.legacy.pth']) {
        const error = await expectZooError(readRawWeights(join(dir, `${name}${suffix}`)), 'UNSAFE_FILE');
        expect(error.message).toMatch(
          name === 'os_system' ? /posix\.system|os\.system/ : /(__builtin__|builtins)\.eval/,
        );
      }
    }
    expect(existsSync(marker)).toBe(false);
    // Control: the payloads are live — Python's own unpickler does run them.
    execFileSync('/usr/bin/python3', [
      '-c',
      `import pickle,sys; pickle.loads(open(sys.argv[1],'rb').read())`,
      join(dir, 'os_system.pkl'),
    ]);
    expect(existsSync(marker)).toBe(true);
  });

  it('refuses a safetensors header longer than the file, overlapping offsets, and holes', () => {
    const good = writeSafetensors(
      new Map([
        ['a', { dtype: 'F32', shape: [2], data: new Float32Array([1, 2]) }],
        ['b', { dtype: 'F32', shape: [2], data: new Float32Array([3, 4]) }],
      ]),
    );
    expect(readSafetensors(good).tensors.get('b')!.data).toEqual(new Float32Array([3, 4]));
    const long = good.slice();
    new DataView(long.buffer).setBigUint64(0, BigInt(long.length), true);
    expect(() => readSafetensors(long)).toThrow(/header/);
    const header = (spec: object) => {
      const json = Buffer.from(JSON.stringify(spec));
      const out = new Uint8Array(8 + json.length + 16);
      new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
      out.set(json, 8);
      return out;
    };
    const overlapping = header({
      a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
      b: { dtype: 'F32', shape: [4], data_offsets: [0, 16] },
    });
    expect(() => readSafetensors(overlapping)).toThrow(/overlaps/);
    const wrongSize = header({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 16] } });
    expect(() => readSafetensors(wrongSize)).toThrow(/needs 12/);
    const past = header({ a: { dtype: 'F32', shape: [8], data_offsets: [0, 32] } });
    expect(() => readSafetensors(past)).toThrow(/past/);
    const hugeShape = header({ a: { dtype: 'F32', shape: [2 ** 40, 2 ** 40], data_offsets: [0, 16] } });
    for (const bad of [long, overlapping, wrongSize, past, hugeShape]) {
      expect(() => readSafetensors(bad)).toThrow(ZooError);
    }
  });

  it('reports truncated checkpoints of every format as CORRUPT_FILE', async () => {
    for (const file of ['dtypes.zip.pth', 'dtypes.legacy.pth', 'dtypes.safetensors', 'old.tar.pth']) {
      const bytes = readFileSync(join(dir, file));
      // A tar ends in zero padding; cut inside the meaningful bytes.
      let length = bytes.length;
      while (length > 0 && bytes[length - 1] === 0) length--;
      for (const fraction of [0.2, 0.5, 0.9, 0.99]) {
        const cut = bytes.subarray(0, Math.floor(length * fraction));
        const error = await readRawWeights(cut, { fileName: file }).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error, `${file} cut at ${fraction}`).toBeInstanceOf(ZooError);
        expect(['CORRUPT_FILE', 'UNSUPPORTED']).toContain((error as ZooError).code);
      }
    }
  });

  it('survives random garbage and random corruption without hanging or throwing non-ZooErrors', async () => {
    let seed = 12345;
    const random = () => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    const sources = ['dtypes.zip.pth', 'dtypes.legacy.pth', 'dtypes.safetensors', 'old.tar.pth'].map((f) =>
      readFileSync(join(dir, f)),
    );
    for (let trial = 0; trial < 200; trial++) {
      let bytes: Uint8Array;
      if (trial % 5 === 0)
        bytes = Uint8Array.from({ length: Math.floor(random() * 300) }, () => Math.floor(random() * 256));
      else {
        bytes = Uint8Array.from(sources[trial % sources.length]!);
        for (let k = 0; k < 4; k++) bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
      }
      try {
        await readRawWeights(bytes, { fileName: `trial${trial}` });
      } catch (error) {
        expect(error, `trial ${trial}: ${String(error)}`).toBeInstanceOf(ZooError);
      }
    }
  });
});

describe('TF.js artifacts', () => {
  it('writes model.json + shards that tfjs-layers loads back, and readWeightFile reads them', async () => {
    const model = tfl.sequential({
      layers: [
        tfl.layers.dense({ inputShape: [3], units: 4, name: 'd1' }),
        tfl.layers.dense({ units: 2, name: 'd2' }),
      ],
    });
    const out = join(dir, 'tfjs-model');
    await model.save(tfjsFileHandler(out, { shardSizeBytes: 40 }));
    const json = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8')) as {
      weightsManifest: { paths: string[] }[];
    };
    expect(json.weightsManifest[0]!.paths.length).toBeGreaterThan(1);
    const loaded = await tfl.loadLayersModel(tfjsFileHandler(join(out, 'model.json')));
    const x = tf.tensor2d([[1, 2, 3]]);
    const a = model.predict(x) as tf.Tensor;
    const b = loaded.predict(x) as tf.Tensor;
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    const raw = await readTfjsModelFile(join(out, 'model.json'));
    expect(Array.from(raw.get('d1/kernel')!.data as Float32Array)).toEqual(
      Array.from(model.getLayer('d1').getWeights()[0]!.dataSync()),
    );
    expect([...(await readRawWeights(out)).keys()]).toEqual(['d1/kernel', 'd1/bias', 'd2/kernel', 'd2/bias']);
    tf.dispose([x, a, b]);
    model.dispose();
    loaded.dispose();
  });

  it('refuses shard paths that leave the model directory', async () => {
    const out = join(dir, 'evil-model');
    rmSync(out, { recursive: true, force: true });
    execFileSync('mkdir', ['-p', out]);
    writeFileSync(
      join(out, 'model.json'),
      JSON.stringify({
        weightsManifest: [
          { paths: ['../../etc/passwd'], weights: [{ name: 'w', shape: [1], dtype: 'float32' }] },
        ],
      }),
    );
    await expectZooError(readRawWeights(join(out, 'model.json')), 'UNSAFE_FILE');
  });
});
