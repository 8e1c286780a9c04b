import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZooError } from '../errors.js';
import { loadWeights } from './load.js';
import { type RawTensor, rawToTensor } from './raw.js';
import { writeSafetensors } from './safetensors.js';
import { Pickle, tar, torchZip, zip } from './test/hostile.js';
import { transpileForNode } from './test/transpile.js';
import { tfjsFileHandler } from './tfjs.js';

const CHILD = new URL('./test/reader-child.mjs', import.meta.url).pathname;
const FIXTURES = new URL('./test/torch_fixtures.py', import.meta.url).pathname;
const REPO = new URL('../../../../', import.meta.url).pathname;

let work: string;
let readModule: string;
let errorsModule: string;

beforeAll(() => {
  // The transpiled readers import @tensorflow/tfjs-core: keep them under the repository's
  // node_modules so that Node resolves it.
  const cache = join(REPO, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  work = mkdtempSync(join(cache, 'tfzoo-hostile-'));
  readModule = transpileForNode(new URL('./read.ts', import.meta.url).pathname, join(work, 'js'));
  // The readers reach Node through the package's `#weights-platform` import: give the transpiled
  // copy the same mapping.
  transpileForNode(new URL('./platform-node.ts', import.meta.url).pathname, join(work, 'js'));
  writeFileSync(
    join(work, 'js', 'package.json'),
    JSON.stringify({ type: 'module', imports: { '#weights-platform': './weights/platform-node.js' } }),
  );
  errorsModule = join(work, 'js', 'errors.js');
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

interface ChildLine {
  name: string;
  ok?: boolean;
  ms?: number;
  bytes?: number;
  code?: string;
  error?: string;
  mutants?: number;
  zooErrors?: number;
  read?: number;
  slowest?: number;
  largestRatio?: number;
  failures?: { mutant: number; error: string }[];
}

/** Runs the child over a folder; a child that outlives `timeoutMs` is a hang and fails the test. */
function runChild(args: string[], timeoutMs: number): { lines: ChildLine[]; maxRssBytes: number } {
  const result = spawnSync(process.execPath, [CHILD, readModule, errorsModule, ...args], {
    encoding: 'utf8',
    timeout: timeoutMs,
    maxBuffer: 16 * 2 ** 20,
  });
  if (result.error || result.status !== 0) {
    throw new Error(
      `reader child failed (${result.error?.message ?? `exit ${result.status}, signal ${result.signal}`}): ${result.stderr.slice(-2000)}`,
    );
  }
  return JSON.parse(result.stdout) as { lines: ChildLine[]; maxRssBytes: number };
}

const encoder = new TextEncoder();
const floats = (...values: number[]) => new Uint8Array(Float32Array.from(values).buffer);

/** `{name: tensor}` state dicts, each value pushed by `push`. */
function stateDict(entries: [string, (p: Pickle) => void][]): Uint8Array {
  const p = new Pickle().global('collections', 'OrderedDict').emptyTuple().reduce();
  for (const [name, push] of entries) {
    p.str(name);
    push(p);
    p.setItem();
  }
  return p.stop();
}

/** The hand-built bombs, each named after what it abuses. */
function bombs(): Record<string, Uint8Array> {
  const out: Record<string, Uint8Array> = {};
  // A 1 GiB view of a 4-byte storage, then 40 such views.
  out['zero-stride.pth'] = torchZip(stateDict([['w', (p) => p.tensor('0', 1, 0, [2 ** 28], [0])]]), {
    0: floats(1),
  });
  out['forty-zero-strides.pth'] = torchZip(
    stateDict(
      Array.from({ length: 40 }, (_, i): [string, (p: Pickle) => void] => [
        `w${i}`,
        (p) => p.tensor('0', 1, 0, [2 ** 28], [0]),
      ]),
    ),
    { 0: floats(1) },
  );
  // A deflated storage that inflates to 64 MiB although its one tensor uses 4 bytes, and one whose
  // header claims 2^31 - 1 bytes.
  out['deflate-bomb.pth'] = zip([
    { name: 'archive/data.pkl', data: stateDict([['w', (p) => p.tensor('0', 2 ** 24, 0, [1], [1])]]) },
    { name: 'archive/data/0', data: new Uint8Array(64 * 2 ** 20), deflate: true },
  ]);
  out['deflate-claims-2g.pth'] = zip([
    { name: 'archive/data.pkl', data: stateDict([['w', (p) => p.tensor('0', 1, 0, [1], [1])]]) },
    { name: 'archive/data/0', data: new Uint8Array(1024), deflate: true, declaredSize: 2 ** 31 - 1 },
  ]);
  // L[k] = (L[k-1], L[k-1]) through the memo: 2^30 paths to one tensor in 30 levels.
  {
    const p = new Pickle().dict().str('a');
    p.tensor('0', 1, 0, [1], [1]).put(0).raw(0x30); // POP
    for (let k = 1; k <= 30; k++)
      p.get(k - 1)
        .get(k - 1)
        .tuple(2)
        .put(k)
        .raw(0x30);
    p.get(30).setItem();
    out['memo-doubling.pth'] = torchZip(p.stop(), { 0: floats(1) });
  }
  // A 256 KB LONG4 integer as the storage size.
  {
    const long = new Uint8Array(256 * 1024).fill(0x11);
    const p = new Pickle().dict().str('w').global('torch._utils', '_rebuild_tensor_v2').mark();
    p.mark().str('storage').global('torch', 'FloatStorage').str('0').str('cpu');
    p.raw(0x8b, ...[long.length & 0xff, (long.length >> 8) & 0xff, (long.length >> 16) & 0xff, 0]);
    p.bytes(long);
    p.tupleMark().persid().int(0).mark().int(1).tupleMark().mark().int(1).tupleMark().raw(0x89);
    p.global('collections', 'OrderedDict').emptyTuple().reduce().tupleMark().reduce().setItem();
    out['long4-256k.pth'] = torchZip(p.stop(), { 0: floats(1) });
  }
  // The same as a decimal text LONG of 600,000 digits.
  {
    const p = new Pickle()
      .dict()
      .str('n')
      .raw(0x4c)
      .bytes(encoder.encode(`${'7'.repeat(600_000)}L\n`));
    out['long-text-600k-digits.pth'] = torchZip(p.setItem().stop(), {});
  }
  // An empty (0, 0) view at storage offset 65535 of a 1-element storage.
  out['empty-view-far-offset.pth'] = torchZip(
    stateDict([['w', (p) => p.tensor('0', 1, 65535, [0, 0], [1, 1])]]),
    {
      0: floats(1),
    },
  );
  // A tuple nested 100,000 deep, as a dict key and as a tensor's size.
  const deep = (p: Pickle) => {
    p.int(1);
    for (let i = 0; i < 100_000; i++) p.tuple(1);
    return p;
  };
  out['deep-tuple-key.pth'] = torchZip(deep(new Pickle().dict()).str('w').setItem().stop(), {});
  {
    const p = new Pickle().dict().str('w').global('torch._utils', '_rebuild_tensor_v2').mark();
    p.mark().str('storage').global('torch', 'FloatStorage').str('0').str('cpu').int(1).tupleMark().persid();
    deep(p.int(0)).mark().int(1).tupleMark().raw(0x89);
    p.global('collections', 'OrderedDict').emptyTuple().reduce().tupleMark().reduce().setItem();
    out['deep-tuple-size.pth'] = torchZip(p.stop(), { 0: floats(1) });
  }
  // A pre-1.0 tar checkpoint whose PAX header gives a negative size.
  out['pax-negative-size.tar.pth'] = tar([
    { name: 'PaxHeaders/storages', data: encoder.encode('18 size=-1048576\n'), type: 'x' },
    { name: 'storages', data: new Uint8Array(600) },
  ]);
  return out;
}

describe('hand-built bombs end fast, in bounded memory, with a ZooError', () => {
  it('every bomb of the corpus', () => {
    const dir = join(work, 'bombs');
    mkdirSync(dir, { recursive: true });
    const corpus = bombs();
    for (const [name, bytes] of Object.entries(corpus)) writeFileSync(join(dir, name), bytes);
    // 30 s for the whole corpus: a hang (the tar bomb looped forever) fails here.
    const { lines, maxRssBytes } = runChild(['files', dir], 30_000);
    expect(lines.map((line) => line.name).sort()).toEqual(Object.keys(corpus).sort());
    for (const line of lines) {
      // The memo-doubling pickle is a valid (if odd) state dict: it must read fast, not fail.
      const refused = line.name !== 'memo-doubling.pth';
      expect({ name: line.name, ok: line.ok, zoo: line.code !== undefined }, line.error).toEqual({
        name: line.name,
        ok: !refused,
        zoo: refused,
      });
      expect(line.ms!, `${line.name} took ${line.ms} ms`).toBeLessThan(1000);
    }
    // The deflate bomb alone would inflate 64 MiB and the zero strides 40 GiB.
    expect(maxRssBytes).toBeLessThan(400 * 2 ** 20);
  });

  it('a tfjs model.json naming a shard outside its folder is refused by the IO handler too', async () => {
    const dir = join(work, 'traversal', 'model');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(work, 'traversal', 'secret.bin'), floats(1, 2, 3));
    writeFileSync(
      join(dir, 'model.json'),
      JSON.stringify({
        modelTopology: {},
        weightsManifest: [
          { paths: ['../secret.bin'], weights: [{ name: 'w', shape: [3], dtype: 'float32' }] },
        ],
      }),
    );
    const error = await tfjsFileHandler(join(dir, 'model.json')).load!().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ZooError);
    expect((error as ZooError).code).toBe('UNSAFE_FILE');
    expect((error as ZooError).message).toContain('../secret.bin');
  });

  it('an int64 tensor beyond int32 fails only when a weight is made from it', async () => {
    const model = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [2], units: 1, name: 'fc' })] });
    const file = (step: bigint, bias: RawTensor) =>
      writeSafetensors(
        new Map<string, RawTensor>([
          ['fc.weight', { dtype: 'F32', shape: [1, 2], data: new Float32Array([1, 2]) }],
          ['fc.bias', bias],
          ['bn.num_batches_tracked', { dtype: 'I64', shape: [], data: new BigInt64Array([step]) }],
        ]),
      );
    const before = tf.memory().numTensors;
    const report = await loadWeights(
      model,
      file(2n ** 40n, { dtype: 'F32', shape: [1], data: new Float32Array([3]) }),
    );
    expect(report.loaded).toEqual(['fc/kernel', 'fc/bias']);
    expect(report.ignored).toEqual(['bn.num_batches_tracked']);
    expect(Array.from(await model.getWeights()[1]!.data())).toEqual([3]);
    // Used as an int32 weight (a float weight converts any integer), the same value is an error
    // that names the tensor.
    const error = await rawToTensorError({ dtype: 'I64', shape: [1], data: new BigInt64Array([2n ** 40n]) });
    expect(error.message).toContain('fc.bias');
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});

async function rawToTensorError(tensor: RawTensor): Promise<ZooError> {
  try {
    rawToTensor(tensor, 'native', 'fc.bias');
  } catch (error) {
    expect(error).toBeInstanceOf(ZooError);
    return error as ZooError;
  }
  throw new Error('expected a ZooError');
}

describe('seeded fuzzing of every checkpoint format', () => {
  it('mutants of PyTorch-written files end in bounded time with a result or a ZooError', () => {
    const seeds = join(work, 'seeds');
    mkdirSync(seeds, { recursive: true });
    mkdirSync(join(work, 'torch'), { recursive: true });
    execFileSync('/usr/bin/python3', [FIXTURES, 'files', join(work, 'torch')], { stdio: 'pipe' });
    for (const file of ['dtypes.zip.pth', 'dtypes.legacy.pth', 'dtypes.safetensors', 'old.tar.pth']) {
      execFileSync('cp', [join(work, 'torch', file), join(seeds, file)]);
    }
    const mutants = 2000;
    const { lines, maxRssBytes } = runChild(['fuzz', seeds, String(mutants), '20261206'], 240_000);
    const report = lines.map(
      (l) =>
        `${l.name}: ${l.mutants} mutants, ${l.read} read, ${l.zooErrors} ZooErrors, slowest ${l.slowest!.toFixed(1)} ms, largest output/input ${l.largestRatio!.toFixed(2)}`,
    );
    console.info(
      `reader fuzz (seed 20261206): ${report.join('; ')}; peak RSS ${(maxRssBytes / 2 ** 20).toFixed(0)} MiB`,
    );
    expect(lines).toHaveLength(4);
    for (const line of lines) {
      expect(line.failures, `${line.name}: non-ZooError failures`).toEqual([]);
      expect(line.read! + line.zooErrors!).toBe(mutants);
      expect(line.slowest!, `${line.name}: slowest mutant`).toBeLessThan(1000);
      // A mutant may not make the reader return much more than the file holds.
      expect(line.largestRatio!, line.name).toBeLessThan(8);
    }
    expect(maxRssBytes).toBeLessThan(400 * 2 ** 20);
  });
});
