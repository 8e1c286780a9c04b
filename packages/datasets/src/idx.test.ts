// IDX fixtures written in the original format are read back exactly; damaged files raise ZooErrors
// that name the file.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ZooError } from '@tfzoo/core';
import { describe, expect, it } from 'vitest';
import { parseIdx, readIdxImagesAndLabels } from './idx.js';
import { loadMnist } from './mnist.js';
import { idxBytes, randomBytes, tempDir } from './test/fixtures.js';

async function expectZooError(promise: Promise<unknown>, code: string, ...mentions: string[]): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ZooError);
  expect((error as ZooError).code).toBe(code);
  for (const m of mentions) expect((error as ZooError).message).toContain(m);
}

describe('IDX', () => {
  const dir = tempDir();
  const images = randomBytes(37 * 5 * 7, 1);
  const labels = randomBytes(37, 2, 10);
  writeFileSync(join(dir, 'train-images-idx3-ubyte.gz'), idxBytes([37, 5, 7], images));
  writeFileSync(join(dir, 'train-labels-idx1-ubyte'), idxBytes([37], labels, false)); // uncompressed works too

  it('reads gzipped and plain IDX files back exactly, as an MNIST root', async () => {
    const dataset = await loadMnist({ root: dir });
    expect(dataset.length).toBe(37);
    expect(dataset.shape).toEqual([5, 7, 1]);
    expect(Buffer.from(dataset.images).equals(Buffer.from(images))).toBe(true);
    expect(Array.from(dataset.labels)).toEqual(Array.from(labels));
    const sample = dataset.get(36);
    expect(Array.from(sample.image.data)).toEqual(Array.from(images.subarray(36 * 35, 37 * 35)));
    expect(sample.label).toBe(labels[36]);
  });

  it('rejects a corrupt gzip stream, naming the file', async () => {
    const bytes = idxBytes([37, 5, 7], images);
    const path = join(dir, 'corrupt-images.gz');
    writeFileSync(path, bytes.subarray(0, bytes.length - 20)); // truncated: no trailer
    await expectZooError(
      readIdxImagesAndLabels(path, join(dir, 'train-labels-idx1-ubyte')),
      'CORRUPT_FILE',
      path,
      'gzip',
    );
    const flipped = Buffer.from(bytes);
    flipped[flipped.length - 6]! ^= 0xff; // damaged CRC region
    writeFileSync(path, flipped);
    await expectZooError(
      readIdxImagesAndLabels(path, join(dir, 'train-labels-idx1-ubyte')),
      'CORRUPT_FILE',
      path,
    );
  });

  it('rejects a wrong magic number, naming the file and both numbers', async () => {
    const path = join(dir, 'labels-as-images.gz');
    writeFileSync(path, idxBytes([37], labels)); // a label file (0x801) where images (0x803) belong
    await expectZooError(
      readIdxImagesAndLabels(path, join(dir, 'train-labels-idx1-ubyte')),
      'CORRUPT_FILE',
      path,
      '0x00000801',
      '0x00000803',
    );
    expect(() => parseIdx(Buffer.from([0x12, 0x34, 0x56, 0x78]), 'x.idx')).toThrow(/x\.idx.*0x12345678/);
  });

  it('rejects a label count that differs from the image count, naming both files', async () => {
    const path = join(dir, 'short-labels.gz');
    writeFileSync(path, idxBytes([36], labels.subarray(0, 36)));
    const imagesPath = join(dir, 'train-images-idx3-ubyte.gz');
    await expectZooError(
      readIdxImagesAndLabels(imagesPath, path),
      'CORRUPT_FILE',
      path,
      imagesPath,
      '36',
      '37',
    );
  });

  it('rejects data shorter than the header says', () => {
    const bytes = idxBytes([37, 5, 7], images, false);
    expect(() => parseIdx(bytes.subarray(0, bytes.length - 1), 'cut.idx', 3)).toThrow(ZooError);
    expect(() => parseIdx(bytes.subarray(0, bytes.length - 1), 'cut.idx', 3)).toThrow(/cut\.idx.*1294/);
  });
});
