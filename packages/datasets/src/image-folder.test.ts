// A folder of 1,000 small images (PNG, lossless WebP, JPEG) written with sharp is read back exactly
// (lossless formats); the loader's look-ahead is bounded by its prefetch depth; unreadable images
// are ZooErrors naming the file, or skipped with a warning when asked.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ZooError } from '@tfzoo/core';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Dataset, Sample } from './dataset.js';
import { type DatasetWarning, imageFolder } from './image-folder.js';
import { DataLoader } from './loader.js';
import { randomBytes, tempDir } from './test/fixtures.js';

const CLASSES = ['bird', 'cat', 'dog', 'fish'];
const FORMATS = ['png', 'webp', 'jpg'] as const;
const root = tempDir();
const originals = new Map<string, Uint8Array>();

beforeAll(async () => {
  const jobs: Promise<unknown>[] = [];
  for (let i = 0; i < 1000; i++) {
    const cls = CLASSES[i % 4]!;
    const format = FORMATS[i % 3]!;
    const dir = join(root, cls);
    mkdirSync(dir, { recursive: true });
    const h = 6 + (i % 3);
    const w = 7;
    const pixels = randomBytes(h * w * 3, 1000 + i);
    const path = join(dir, `img${String(i).padStart(4, '0')}.${format}`);
    originals.set(path, pixels);
    let image = sharp(pixels, { raw: { width: w, height: h, channels: 3 } });
    image =
      format === 'png'
        ? image.png()
        : format === 'webp'
          ? image.webp({ lossless: true })
          : image.jpeg({ quality: 95, chromaSubsampling: '4:4:4' });
    jobs.push(image.toFile(path));
  }
  await Promise.all(jobs);
});

describe('imageFolder', () => {
  it('lists 1000 images under sorted class folders and decodes lossless files exactly', async () => {
    const dataset = await imageFolder(root);
    expect(dataset.length).toBe(1000);
    expect(dataset.classes).toEqual(CLASSES);
    expect(Array.from(new Set(dataset.labels))).toEqual([0, 1, 2, 3]);
    let exact = 0;
    let jpegError = 0;
    for (let i = 0; i < dataset.length; i++) {
      const file = dataset.files[i]!;
      const sample = (await dataset.get(i))!;
      expect(dataset.classes[sample.label]).toBe(file.split('/').at(-2));
      const original = originals.get(file)!;
      expect(sample.image.data.length).toBe(original.length);
      if (file.endsWith('.jpg')) {
        for (let k = 0; k < original.length; k++) jpegError += Math.abs(sample.image.data[k]! - original[k]!);
      } else {
        expect(Buffer.from(sample.image.data).equals(Buffer.from(original))).toBe(true);
        exact++;
      }
    }
    expect(exact).toBe(667);
    // JPEG is lossy; random noise at quality 95 without chroma subsampling stays within a few levels.
    expect(jpegError / (333 * 7 * 7 * 3)).toBeLessThan(8);
  });

  it('keeps at most (prefetch + 1) × batchSize decoded samples not yet consumed', async () => {
    const folder = await imageFolder(root);
    const measure = async (prefetch: number): Promise<{ peak: number; seen: number }> => {
      let decoded = 0;
      let consumed = 0;
      let peak = 0;
      const counting: Dataset = {
        length: folder.length,
        classes: folder.classes,
        labels: folder.labels,
        get: async (index): Promise<Sample | null> => {
          const sample = await folder.get(index);
          decoded++;
          peak = Math.max(peak, decoded - consumed);
          return sample;
        },
      };
      // Same-size images only for batching: crop every image to 6×7.
      const loader = new DataLoader(counting, {
        batchSize: 10,
        prefetch,
        concurrency: 4,
        transform: (image) => ({ ...image, height: 6, data: image.data.subarray(0, 6 * 7 * 3) }),
      });
      let seen = 0;
      let batches = 0;
      for await (const batch of loader.batches()) {
        consumed += batch.shape[0];
        seen += batch.shape[0];
        // A consumer that sometimes stalls (a slow training step): the producer runs ahead as far as
        // it is allowed to.
        if (++batches % 40 === 5) await new Promise((resolve) => setTimeout(resolve, 150));
      }
      return { peak, seen };
    };
    const shallow = await measure(2);
    expect(shallow.seen).toBe(1000);
    // The batch being awaited plus `prefetch` batches ahead of it.
    expect(shallow.peak).toBeLessThanOrEqual((2 + 1) * 10);
    const deep = await measure(6);
    expect(deep.seen).toBe(1000);
    expect(deep.peak).toBeLessThanOrEqual((6 + 1) * 10);
    // The bound is the prefetch depth at work (a deeper prefetch does run further ahead), and it
    // does not grow with the data set (1000 samples).
    expect(deep.peak).toBeGreaterThan((2 + 1) * 10);
  });
});

describe('unreadable images', () => {
  const badRoot = tempDir();
  const garbage = join(badRoot, 'cat', 'broken.jpg');
  const truncated = join(badRoot, 'dog', 'cut.png');

  beforeAll(async () => {
    mkdirSync(join(badRoot, 'cat'), { recursive: true });
    mkdirSync(join(badRoot, 'dog'), { recursive: true });
    const pixels = randomBytes(8 * 8 * 3, 5);
    const png = await sharp(pixels, { raw: { width: 8, height: 8, channels: 3 } })
      .png()
      .toBuffer();
    for (let i = 0; i < 5; i++) {
      writeFileSync(join(badRoot, 'cat', `ok${i}.png`), png);
      writeFileSync(join(badRoot, 'dog', `ok${i}.png`), png);
    }
    writeFileSync(garbage, randomBytes(500, 6));
    writeFileSync(truncated, png.subarray(0, png.length >> 1));
  });

  it('throw a ZooError naming the file by default', async () => {
    const dataset = await imageFolder(badRoot);
    const index = dataset.files.indexOf(garbage);
    const error = await dataset.get(index).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ZooError);
    expect((error as ZooError).code).toBe('CORRUPT_FILE');
    expect((error as ZooError).message).toContain(garbage);
    const cut = await dataset.get(dataset.files.indexOf(truncated)).catch((e: unknown) => e);
    expect((cut as ZooError).message).toContain(truncated);
    const loaderError = await (async () => {
      for await (const _ of new DataLoader(dataset, { batchSize: 4 }).batches());
    })().catch((e: unknown) => e);
    expect((loaderError as ZooError).message).toContain('broken.jpg');
  });

  it('are skipped with a warning when skipCorrupt is set', async () => {
    const warnings: DatasetWarning[] = [];
    const dataset = await imageFolder(badRoot, { skipCorrupt: true, onWarning: (w) => warnings.push(w) });
    let count = 0;
    for await (const batch of new DataLoader(dataset, { batchSize: 4 }).batches()) count += batch.shape[0];
    expect(count).toBe(10);
    expect(warnings.map((w) => w.file).sort()).toEqual([garbage, truncated].sort());
    expect(warnings[0]!.message).toMatch(/skipped .*(broken\.jpg|cut\.png)/);
    expect(dataset.skipped.sort()).toEqual([garbage, truncated].sort());
  });
});
