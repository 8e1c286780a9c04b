/**
 * The Winograd F(2×2, 3×3) path of the wasm `Conv2D`/`FusedConv2D` kernels against tfjs-backend-cpu's
 * direct convolution: odd and even map sizes (tiles cut by the border), several blocks of tiles,
 * batches, bias and each fused activation, the calls it must leave to XNNPACK, filters updated in
 * place, no leaked tensors, the helper threads of the threaded build (tiles and channels shared), and
 * the embedded binaries being the build of `native/winograd.c`.
 */
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-layers'; // registers tfjs-core's gradient functions
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, ZooError } from '@tfzoo/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  assignInPlace,
  setWinogradConvolution,
  wasmThreadsCount,
  winogradConvolutionCalls,
} from '../index.js';
import { randomValues, relativeError } from '../test/random.js';
import { chunkWork } from './winograd-conv2d.js';

type Shape4 = [number, number, number, number];

interface Case {
  name: string;
  x: Shape4;
  co: number;
  bias?: boolean;
  activation?: 'linear' | 'relu' | 'relu6' | 'leakyrelu';
  pad?: 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];
  strides?: number;
  dilations?: number;
  filter?: [number, number];
  /** Through `tf.conv2d` (the `Conv2D` kernel) instead of `tf.fused.conv2d`. */
  plain?: boolean;
}

/** The convolution of a case on the active backend, from seeded values. */
function convolve(c: Case, filterValues?: Float32Array): Float32Array {
  const [kh, kw] = c.filter ?? [3, 3];
  const ci = c.x[3];
  return tf.tidy(() => {
    const x = tf.tensor4d(randomValues(tf.util.sizeFromShape(c.x), 1), c.x);
    const filter = tf.tensor4d(filterValues ?? randomValues(kh * kw * ci * c.co, 2), [kh, kw, ci, c.co]);
    const bias = c.bias ? tf.tensor1d(randomValues(c.co, 3)) : undefined;
    const strides = c.strides ?? 1;
    const pad = c.pad ?? 'same';
    const dilations = c.dilations ?? 1;
    const y = c.plain
      ? tf.conv2d(x, filter, strides, pad, 'NHWC', dilations)
      : tf.fused.conv2d({
          x,
          filter,
          strides,
          pad,
          dilations,
          ...(bias ? { bias } : {}),
          activation: c.activation ?? 'linear',
          leakyreluAlpha: 0.1,
        });
    return Float32Array.from(y.dataSync());
  });
}

async function onBackend<T>(name: string, run: () => T): Promise<T> {
  const previous = tf.getBackend();
  await tf.setBackend(name);
  try {
    return run();
  } finally {
    await tf.setBackend(previous);
  }
}

/** Checks a case against the cpu backend; returns how many Winograd calls it made on wasm. */
async function check(c: Case): Promise<number> {
  const expected = await onBackend('cpu', () => convolve(c));
  const before = winogradConvolutionCalls();
  const actual = convolve(c);
  const taken = winogradConvolutionCalls() - before;
  expect(relativeError(actual, expected), c.name).toBeLessThan(1e-5);
  return taken;
}

const TAKEN: Case[] = [
  { name: 'odd map, bias, relu', x: [1, 7, 9, 4], co: 8, bias: true, activation: 'relu' },
  { name: 'batch of 2, pad 1, no bias', x: [2, 6, 5, 8], co: 16, pad: 1 },
  {
    name: 'explicit padding, relu6',
    x: [1, 5, 4, 4],
    co: 8,
    bias: true,
    activation: 'relu6',
    pad: [
      [0, 0],
      [1, 1],
      [1, 1],
      [0, 0],
    ],
  },
  { name: 'a 1×1 map', x: [1, 1, 1, 4], co: 8, bias: true },
  {
    name: 'several blocks of tiles (TB = 64 at 4 channels)',
    x: [1, 23, 21, 4],
    co: 8,
    bias: true,
    activation: 'relu',
  },
  { name: 'Conv2D (tf.conv2d), batch of 3', x: [3, 10, 10, 12], co: 24, plain: true },
  { name: 'deep channels, few tiles', x: [1, 3, 3, 64], co: 64, bias: true, activation: 'relu' },
];

const LEFT: Case[] = [
  { name: 'stride 2', x: [1, 8, 8, 4], co: 8, strides: 2 },
  { name: '5×5 filter', x: [1, 8, 8, 4], co: 8, filter: [5, 5] },
  { name: '1×1 filter', x: [1, 8, 8, 4], co: 8, filter: [1, 1] },
  { name: '3 input channels', x: [1, 8, 8, 3], co: 8 },
  { name: '12 output channels', x: [1, 8, 8, 4], co: 12 },
  { name: 'valid padding', x: [1, 8, 8, 4], co: 8, pad: 'valid' },
  { name: 'dilation 2', x: [1, 8, 8, 4], co: 8, dilations: 2 },
  { name: 'leaky ReLU', x: [1, 8, 8, 4], co: 8, bias: true, activation: 'leakyrelu' },
];

describe('Winograd convolution on wasm (single-threaded build)', () => {
  beforeAll(async () => {
    await tf.setBackend('wasm');
  });
  afterAll(() => {
    setWinogradConvolution(true);
  });

  for (const c of TAKEN) {
    it(`matches the cpu backend's convolution: ${c.name}`, async () => {
      expect(await check(c)).toBe(1);
    });
  }

  for (const c of LEFT) {
    it(`leaves the call to XNNPACK: ${c.name}`, async () => {
      expect(await check(c)).toBe(0);
    });
  }

  it('can be switched off and on', async () => {
    const c = TAKEN[0] as Case;
    expect(setWinogradConvolution(false)).toBe(true);
    expect(await check(c)).toBe(0);
    expect(setWinogradConvolution(true)).toBe(false);
    expect(await check(c)).toBe(1);
    expect(() => setWinogradConvolution('no' as unknown as boolean)).toThrow(ZooError);
    expect(() => setWinogradConvolution('no' as unknown as boolean)).toThrow(/must be a boolean; received/);
  });

  it('uses the new values of a filter updated in place', async () => {
    const c: Case = { name: 'in place', x: [1, 6, 6, 4], co: 8 };
    const first = randomValues(3 * 3 * 4 * 8, 5);
    const second = randomValues(3 * 3 * 4 * 8, 6);
    const expected = await onBackend('cpu', () => convolve(c, second));
    const x = tf.tensor4d(randomValues(6 * 6 * 4, 1), c.x);
    const initial = tf.tensor4d(first, [3, 3, 4, 8]);
    const filter = tf.variable(initial);
    initial.dispose();
    const conv = (): Float32Array =>
      tf.tidy(() => Float32Array.from(tf.conv2d(x, filter, 1, 'same').dataSync()));
    const before = winogradConvolutionCalls();
    conv(); // transforms the first values and keeps the transform
    const next = tf.tensor4d(second, [3, 3, 4, 8]);
    expect(assignInPlace(filter, next)).toBe(true);
    next.dispose();
    const actual = conv();
    expect(winogradConvolutionCalls() - before).toBe(2);
    expect(relativeError(actual, expected)).toBeLessThan(1e-5);
    tf.dispose([x, filter]);
  });

  it('leaks no tensor', () => {
    const x = tf.tensor4d(randomValues(2 * 9 * 9 * 8, 1), [2, 9, 9, 8]);
    const filter = tf.tensor4d(randomValues(3 * 3 * 8 * 16, 2), [3, 3, 8, 16]);
    const bias = tf.tensor1d(randomValues(16, 3));
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      tf.tidy(() =>
        tf.fused.conv2d({ x, filter, bias, activation: 'relu', strides: 1, pad: 'same' }).dataSync(),
      );
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, filter, bias]);
  });
});

describe('cutting a call into chunks for its threads', () => {
  it('takes chunks of at least 32 tiles, about three per thread, else chunks of output channels in eights', () => {
    expect(chunkWork(784, 64, 2, 64)).toEqual({ byTiles: true, chunk: 64 }); // ResNet's 56×56 stage
    expect(chunkWork(196, 128, 2, 64)).toEqual({ byTiles: true, chunk: 36 }); // 28×28
    expect(chunkWork(49, 256, 2, 64)).toEqual({ byTiles: false, chunk: 40 }); // 14×14
    expect(chunkWork(16, 8, 2, 64)).toEqual({ byTiles: false, chunk: 8 });
    expect(chunkWork(400, 8, 1, 64)).toEqual({ byTiles: true, chunk: 64 }); // one thread: blocks
  });
});

describe('Winograd convolution on wasm with 2 threads (helper thread)', () => {
  beforeAll(async () => {
    await initBackend('wasm', { threads: 2 });
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it('runs on the threaded build', () => {
    expect(wasmThreadsCount()).toBe(2);
  });

  const threaded: Case[] = [
    { name: 'chunks of tiles, the last one short', x: [1, 40, 40, 4], co: 8, bias: true, activation: 'relu' },
    {
      name: 'chunks of 8 output channels (9 tiles)',
      x: [1, 6, 6, 64],
      co: 64,
      bias: true,
      activation: 'relu6',
    },
    { name: 'chunks of 40 output channels, the last one 16', x: [1, 7, 7, 32], co: 256, bias: true },
    { name: 'batch of 2, odd map', x: [2, 33, 31, 8], co: 16 },
  ];
  for (const c of threaded) {
    it(`matches the cpu backend's convolution: ${c.name}`, async () => {
      expect(await check(c)).toBe(1);
    });
  }
});

describe('the embedded modules', () => {
  it('are what native/winograd.c builds to with clang', () => {
    const script = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'scripts', 'build-native.mjs');
    expect(() => execFileSync(process.execPath, [script, '--check'], { stdio: 'pipe' })).not.toThrow();
  });
});
