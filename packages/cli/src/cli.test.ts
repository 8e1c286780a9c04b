/**
 * The `tfzoo` executable, spawned as a user runs it: build first (`npx tsc -b packages/cli`).
 * Training uses Debian's Fashion-MNIST (/usr/share/datasets/fashion-mnist), which CI installs.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from './main.js';
import { BIN, inProcess, tfzoo } from './test/run-cli.js';

const STACK_LINE = /^\s+at .+:\d+:\d+\)?$/m;

let dir: string;
beforeAll(async () => {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run npx tsc -b packages/cli first`);
  dir = await mkdtemp(join(tmpdir(), 'tfzoo-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('errors', () => {
  it('info on an unknown id: clear message, exit ≠ 0, stack trace only with --verbose', async () => {
    const plain = await tfzoo(['info', 'resnet_nonexistent']);
    expect(plain.code).not.toBe(0);
    expect(plain.stderr).toContain('unknown model id "resnet_nonexistent"');
    expect(plain.stderr).not.toMatch(STACK_LINE);
    const verbose = await inProcess(['info', 'resnet_nonexistent', '--verbose']);
    expect(verbose.code).toBe(plain.code);
    expect(verbose.stderr).toMatch(STACK_LINE);
  });

  it('predict on a file that is not an image: clear message naming it, exit ≠ 0 (in process)', async () => {
    const path = join(dir, 'notes.png');
    await writeFile(path, 'this is text, not a PNG\n');
    const result = await inProcess(['predict', 'lenet5.fmnist', path]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(`${path} could not be decoded`);
    expect(result.stderr).toContain('expected a readable JPEG, PNG or WebP image');
    expect(result.stderr).not.toMatch(STACK_LINE);
    const verbose = await inProcess(['predict', 'lenet5.fmnist', path, '--verbose']);
    expect(verbose.stderr).toMatch(STACK_LINE);
  });

  it('numbers are decimal, in range, and named when wrong; negative values are values', async () => {
    const cases: [string[], string][] = [
      [['--lr', '0x10'], '--lr must be a decimal number ≥ 0; received "0x10"'],
      [['--lr', '-1'], '--lr must be a decimal number ≥ 0; received "-1"'],
      [['--batch-size', '-4'], '--batch-size must be an integer ≥ 1; received "-4"'],
      [['--batch-size', '1e400'], '--batch-size must be an integer ≥ 1; received "1e400"'],
      [['--epochs', '2_000'], '--epochs must be an integer ≥ 1; received "2_000"'],
    ];
    for (const [args, message] of cases) {
      const result = await inProcess(['train', 'lenet5', '--data', 'fashion-mnist-sample', ...args]);
      expect(result.code, args.join(' ')).not.toBe(0);
      expect(result.stderr).toContain(message);
      expect(result.stderr).not.toContain('ambiguous');
    }
  });

  it('a build option given twice with two values is refused; --model-options numClasses is not overridden', async () => {
    const twice = await inProcess([
      'train',
      'lenet5',
      '--data',
      'fashion-mnist-sample',
      '--num-classes',
      '5',
      '--model-options',
      '{"numClasses":3}',
    ]);
    expect(twice.code).not.toBe(0);
    expect(twice.stderr).toContain('--num-classes 5 disagrees with --model-options numClasses 3');
    const negative = await inProcess([
      'train',
      'lenet5',
      '--data',
      'fashion-mnist-sample',
      '--model-options',
      '{"numClasses":-3}',
      '--out',
      join(dir, 'negative'),
    ]);
    expect(negative.code).not.toBe(0);
    expect(negative.stderr).toMatch(/numClasses must be .*received -3/);
  });

  it('predict on a missing image is NOT_FOUND, naming the path', async () => {
    const path = join(dir, 'no-such-image.png');
    const result = await inProcess(['predict', 'lenet5.fmnist', path]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('[NOT_FOUND]');
    expect(result.stderr).toContain(`${path} does not exist`);
  });

  it('download --verify re-hashes the cache, removes a corrupt file and exits 1', async () => {
    const home = join(dir, 'verify-home');
    const blobDir = join(home, 'blobs', 'sha256');
    await mkdir(blobDir, { recursive: true });
    const intact = new TextEncoder().encode('intact');
    const intactHash = createHash('sha256').update(intact).digest('hex');
    await writeFile(join(blobDir, intactHash), intact);
    // A file stored under a hash it no longer has (bit rot, a truncated copy).
    await writeFile(join(blobDir, 'a'.repeat(64)), 'rotten');
    const previous = process.env.TFZOO_HOME;
    process.env.TFZOO_HOME = home;
    try {
      const result = await inProcess(['download', '--verify']);
      expect(result.code).toBe(1);
      expect(result.stdout).toContain(`corrupt, removed: ${join(blobDir, 'a'.repeat(64))}`);
      expect(result.stdout).toContain('2 files (0.0 MiB) re-hashed: 1 intact, 1 corrupt');
      const clean = await inProcess(['download', '--verify']);
      expect(clean.code).toBe(0);
      expect(clean.stdout).toContain('1 files (0.0 MiB) re-hashed: 1 intact, 0 corrupt');
    } finally {
      if (previous === undefined) delete process.env.TFZOO_HOME;
      else process.env.TFZOO_HOME = previous;
    }
  });

  it('unknown options and commands are usage errors (exit 2); --help exits 0', async () => {
    const option = await inProcess(['eval', 'lenet5', '--epochz', '3']);
    expect(option.code).toBe(2);
    expect(option.stderr).toContain("Unknown option '--epochz'");
    expect((await inProcess(['frobnicate'])).code).toBe(2);
    const help = await inProcess(['finetune', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--resume');
  });
});

describe('train, SIGINT and --resume', () => {
  const common = [
    'train',
    'lenet5',
    '--data',
    'fashion-mnist',
    '--per-class',
    '16',
    '--batch-size',
    '8',
    '--epochs',
    '2',
    '--lr',
    '3e-3',
    '--augment',
    '--seed',
    '7',
    '--backend',
    'wasm',
    '--threads',
    '1',
    '--model-options',
    '{"inputShape":[28,28,1],"activation":"relu","subsampling":"max"}',
  ];

  it('continues from the interrupted step with the same schedule step (exactness: @tfzoo/train tests)', async () => {
    let sent = false;
    const interrupted = await tfzoo([...common, '--out', join(dir, 'b')], (text, child) => {
      // Plain (non-TTY) progress lines come every 2 batches here: interrupt early in epoch 1.
      if (!sent && /epoch 1\/2 batch 4\/20/.test(text)) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    expect(interrupted.code, interrupted.stderr).toBe(130);
    expect(interrupted.stderr).toContain('Continue with the same command plus --resume');
    const manifest = JSON.parse(await readFile(join(dir, 'b', 'last', 'manifest.json'), 'utf8'));
    // The data is in memory, yet the run stops within one step of the signal: the checkpoint holds
    // the steps completed when it arrived, or one more (the step under way).
    const signalled = Number(/SIGINT after step (\d+)/.exec(interrupted.stderr)?.[1]);
    expect(signalled).toBeGreaterThanOrEqual(4);
    expect([signalled, signalled + 1]).toContain(manifest.state.step);
    expect(manifest.state.step).toBe(20 * manifest.state.epoch + manifest.state.batchInEpoch);

    // Resuming with settings that change the schedule is refused unless forced.
    const changed = await tfzoo([...common, '--out', join(dir, 'b'), '--resume', '--lr', '1e-3']);
    expect(changed.code).toBe(2);
    expect(changed.stderr).toContain('--lr: checkpoint 0.003, now 0.001');
    expect(changed.stderr).toContain('add --force');

    const resumed = await tfzoo([...common, '--out', join(dir, 'b'), '--resume']);
    expect(resumed.code, resumed.stderr).toBe(0);
    const step = manifest.state.step;
    expect(resumed.stderr).toContain(`batch ${manifest.state.batchInEpoch}, step ${step}`);
    // The schedule continues at the saved step: cosine over 40 steps from 3e-3.
    const lr = (3e-3 * (1 + Math.cos((Math.PI * step) / 40))) / 2;
    expect(resumed.stderr).toContain(`lr ${lr.toExponential(3)}`);
    const finalManifest = JSON.parse(await readFile(join(dir, 'b', 'last', 'manifest.json'), 'utf8'));
    expect(finalManifest.state).toEqual({ epoch: 2, step: 40, batchInEpoch: 0 });
    const log = (await readFile(join(dir, 'b', 'log.jsonl'), 'utf8')).trim().split('\n');
    expect(log).toHaveLength(2);
    expect(existsSync(join(dir, 'b', 'log.svg'))).toBe(true);

    // A corrupted checkpoint is refused, clearly, without a stack trace.
    const path = join(dir, 'b', 'last', 'optimizer.safetensors');
    const bytes = await readFile(path);
    bytes[bytes.length - 1] ^= 0x55;
    await writeFile(path, bytes);
    const corrupt = await tfzoo([...common, '--epochs', '3', '--out', join(dir, 'b'), '--resume']);
    expect(corrupt.code).toBe(1);
    expect(corrupt.stderr).toContain('[CHECKSUM_MISMATCH]');
    expect(corrupt.stderr).toContain('optimizer.safetensors has sha256');
    expect(corrupt.stderr).toContain('refusing to resume');
    expect(corrupt.stderr).not.toMatch(STACK_LINE);
  });
});

describe('train --accumulate-steps', () => {
  it('takes one optimizer step per N batches, the schedule over those steps (with --grad-checkpointing)', async () => {
    const out = join(dir, 'accumulate');
    const result = await inProcess([
      'train',
      'lenet5',
      '--data',
      'fashion-mnist',
      '--per-class',
      '8',
      '--batch-size',
      '8',
      '--accumulate-steps',
      '4',
      '--grad-checkpointing',
      '--epochs',
      '1',
      '--seed',
      '3',
      '--backend',
      'wasm',
      '--threads',
      '1',
      '--model-options',
      '{"inputShape":[28,28,1]}',
      '--out',
      out,
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('10 batches of 8 accumulated 4 at a time/epoch');
    expect(result.stderr).toMatch(
      /memory: about \d+ MiB per step at batch 8 \(.* per image, with activation checkpointing\), wasm heap 4\.00 GiB/,
    );
    const manifest = JSON.parse(await readFile(join(out, 'last', 'manifest.json'), 'utf8'));
    // 10 batches: steps after batches 4 and 8, and one for the last 2.
    expect(manifest.state).toEqual({ epoch: 1, step: 3, batchInEpoch: 0 });
    expect(manifest.metadata.settings.accumulateSteps).toBe(4);
    const bad = await inProcess(['train', 'lenet5', '--accumulate-steps', '0']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--accumulate-steps');
  });
});

describe('a second Ctrl-C', () => {
  it('waits for the checkpoint instead of quitting without it (in process, signals emitted)', async () => {
    let sent = false;
    let stderr = '';
    const code = await run(
      [
        ...['train', 'lenet5', '--data', 'fashion-mnist', '--per-class', '16', '--batch-size', '8'],
        ...['--epochs', '2', '--backend', 'wasm', '--threads', '1', '--out', join(dir, 'c')],
      ],
      {
        stdout: { write: () => true },
        stderr: {
          write: (text: string) => {
            stderr += text;
            if (!sent && /batch 4\/20/.test(stderr)) {
              sent = true;
              // Two Ctrl-C in a row: the second must not end the process before the checkpoint.
              process.emit('SIGINT', 'SIGINT');
              process.emit('SIGINT', 'SIGINT');
            }
            return true;
          },
        },
      },
    );
    expect(code, stderr).toBe(130);
    expect(stderr).toContain('still writing the checkpoint; waiting for it');
    const manifest = JSON.parse(await readFile(join(dir, 'c', 'last', 'manifest.json'), 'utf8'));
    expect(manifest.state.step).toBeGreaterThanOrEqual(4);
  });
});

describe('lenet5.fmnist, in process', () => {
  const wasm = ['--backend', 'wasm', '--threads', '1'];
  // tfjs' IS_TEST kernel check counts backend data ids around each kernel; training on wasm trips
  // it inside tfjs' own fusedMatMul gradient (4 ids), which the spawned CLI (no IS_TEST) never sees.
  // Tensor leaks of the loop itself are asserted in @tfzoo/train's tests.
  let isTest: boolean;
  beforeAll(() => {
    isTest = tf.env().getBool('IS_TEST');
    tf.env().set('IS_TEST', false);
  });
  afterAll(() => {
    tf.env().set('IS_TEST', isTest);
  });

  // tfzoo's own weights, evaluated offline on the 1,000 bundled test images (measured: 92.4 % and 95.0 %).
  for (const [id, threshold] of [
    ['lenet5.fmnist', 0.88],
    ['resnet18.fmnist', 0.945],
  ] as const) {
    it(`evaluates ${id} offline on the bundled sample above ${100 * threshold} %`, async () => {
      const result = await inProcess(['eval', id, '--data', 'fashion-mnist-sample', '--json', ...wasm]);
      expect(result.code, result.stderr).toBe(0);
      const report = JSON.parse(result.stdout);
      expect(report.samples).toBe(1000);
      expect(report.accuracy).toBeGreaterThan(threshold);
    });
  }

  it('fine-tuning from lenet5.fmnist with a new head beats the same run from scratch (10 images per class)', async () => {
    const common = [
      '--data',
      'fashion-mnist',
      '--per-class',
      '10',
      '--batch-size',
      '16',
      '--epochs',
      '3',
      '--lr',
      '3e-3',
      '--seed',
      '0',
      '--quiet',
      ...wasm,
    ];
    const tuned = await inProcess([
      'finetune',
      'lenet5.fmnist',
      '--new-head',
      ...common,
      '--out',
      join(dir, 'ft'),
    ]);
    expect(tuned.code, tuned.stderr).toBe(0);
    const scratch = await inProcess(['train', 'lenet5.fmnist', ...common, '--out', join(dir, 'scratch')]);
    expect(scratch.code, scratch.stderr).toBe(0);
    const accuracy = async (run: string) => {
      const args = ['eval', 'lenet5.fmnist', '--weights', join(dir, run, 'model.safetensors')];
      const result = await inProcess([...args, '--data', 'fashion-mnist-sample', '--json', ...wasm]);
      expect(result.code, result.stderr).toBe(0);
      return JSON.parse(result.stdout).accuracy as number;
    };
    const [a, b] = [await accuracy('ft'), await accuracy('scratch')];
    expect(a).toBeGreaterThan(b + 0.1);
  });
});
