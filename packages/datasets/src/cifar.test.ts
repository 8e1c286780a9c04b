// CIFAR-10/100 binary archives written by Python's tarfile (GNU format, gzip) with random records are
// read back exactly; the expected HWC arrays come from numpy's transpose of the CHW planes.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ZooError } from '@tfzoo/core';
import { describe, expect, it } from 'vitest';
import { loadCifar10, loadCifar100 } from './cifar.js';
import { readTarEntries } from './tar.js';
import { tempDir } from './test/fixtures.js';
import { PYTHON, scriptPath } from './test/python.js';

const dir = tempDir();
execFileSync(PYTHON, [scriptPath('make_cifar.py'), dir], { stdio: ['ignore', 'ignore', 'pipe'] });
const expected = (name: string): Buffer => readFileSync(join(dir, name));
const c10 = join(dir, 'cifar-10-binary.tar.gz');
const c100 = join(dir, 'cifar-100-binary.tar.gz');

describe('CIFAR-10', () => {
  it('reads the train split from the archive exactly (five batches in order)', async () => {
    const train = await loadCifar10({ root: c10 });
    expect(train.length).toBe(4 + 5 + 6 + 7 + 8);
    expect(train.shape).toEqual([32, 32, 3]);
    expect(Buffer.from(train.images).equals(expected('c10-train-images.bin'))).toBe(true);
    expect(Buffer.from(Uint8Array.from(train.labels)).equals(expected('c10-train-labels.bin'))).toBe(true);
    expect(train.classes).toEqual([
      'airplane',
      'automobile',
      'bird',
      'cat',
      'deer',
      'dog',
      'frog',
      'horse',
      'ship',
      'truck',
    ]);
  });

  it('reads the test split from a directory holding the archive', async () => {
    const holder = join(dir, 'holder');
    mkdirSync(holder);
    copyFileSync(c10, join(holder, 'cifar-10-binary.tar.gz'));
    const test = await loadCifar10({ root: holder, split: 'test' });
    expect(Buffer.from(test.images).equals(expected('c10-test-images.bin'))).toBe(true);
    expect(Buffer.from(Uint8Array.from(test.labels)).equals(expected('c10-test-labels.bin'))).toBe(true);
  });
});

describe('CIFAR-100', () => {
  it('reads fine and coarse labels and their names from the archive', async () => {
    const fine = await loadCifar100({ root: c100 });
    expect(Buffer.from(fine.images).equals(expected('c100-train-images.bin'))).toBe(true);
    expect(Buffer.from(Uint8Array.from(fine.labels)).equals(expected('c100-train-fine.bin'))).toBe(true);
    expect(fine.classes).toHaveLength(100);
    expect(fine.classes[42]).toBe('fine42');
    const coarse = await loadCifar100({ root: c100, labelMode: 'coarse' });
    expect(Buffer.from(Uint8Array.from(coarse.labels)).equals(expected('c100-train-coarse.bin'))).toBe(true);
    expect(coarse.classes).toHaveLength(20);
  });

  it('reads an extracted directory the same way', async () => {
    const fromDir = await loadCifar100({ root: join(dir, 'extracted') });
    expect(Buffer.from(fromDir.images).equals(expected('c100-train-images.bin'))).toBe(true);
    expect(fromDir.get(3).label).toBe(expected('c100-train-fine.bin')[3]);
  });

  it('the tar reader follows GNU long names', async () => {
    const names: string[] = [];
    for await (const entry of readTarEntries(c100, { filter: () => false })) names.push(entry.name);
    expect(names).toContain(`cifar-100-binary/${'a-very-long-member-name-'.repeat(6)}.txt`);
  });
});

describe('damaged CIFAR files', () => {
  it('a file that is not whole records is a ZooError naming it', async () => {
    const broken = join(dir, 'broken', 'cifar-100-binary');
    mkdirSync(broken, { recursive: true });
    const train = readFileSync(join(dir, 'extracted', 'cifar-100-binary', 'train.bin'));
    writeFileSync(join(broken, 'train.bin'), train.subarray(0, train.length - 100));
    const error = await loadCifar100({ root: join(dir, 'broken') }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ZooError);
    expect((error as ZooError).code).toBe('CORRUPT_FILE');
    expect((error as ZooError).message).toContain(join(broken, 'train.bin'));
  });

  it('a truncated archive is a ZooError naming it', async () => {
    const path = join(dir, 'truncated.tar.gz');
    const bytes = readFileSync(c10);
    writeFileSync(path, bytes.subarray(0, bytes.length >> 1));
    const error = await loadCifar10({ root: path }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ZooError);
    expect((error as ZooError).code).toBe('CORRUPT_FILE');
    expect((error as ZooError).message).toContain(path);
  });
});
