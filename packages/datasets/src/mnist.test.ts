// The real Fashion-MNIST from Debian (dataset-fashion-mnist), the bundled sample, and downloads
// through an injected fetcher.
import { createHash } from 'node:crypto';
import { ZooError } from '@tfzoo/core';
import { describe, expect, it } from 'vitest';
import { classCounts } from './dataset.js';
import { FASHION_MNIST_CLASSES, loadFashionMnist, loadFashionMnistSample } from './mnist.js';
import { FASHION_MNIST_FILES } from './resources.js';

const DEBIAN = '/usr/share/datasets/fashion-mnist';

// Computed once, independently of this package, with:
//   /usr/bin/python3 -c "import gzip,hashlib; d=gzip.open('$DEBIAN/train-images-idx3-ubyte.gz').read();
//   print(hashlib.sha256(d[16:16+784]).hexdigest())"      (and t10k-… for the test split)
const FIRST_TRAIN_IMAGE_SHA256 = '5bd44e331a6d6998daf675700cd0c13dcd7af8ab954b7585124124da61459e7b';
const FIRST_TEST_IMAGE_SHA256 = 'ffc7351ed0f8bae542820866086177fa4e0b366b97bf9d998dffdb8dbe138787';

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

describe('Fashion-MNIST from Debian', () => {
  it('train: 60000 images, 6000 per class, pixels 0–255, first image checksum', async () => {
    const train = await loadFashionMnist({ root: DEBIAN });
    expect(train.length).toBe(60000);
    expect(train.shape).toEqual([28, 28, 1]);
    expect(train.classes).toEqual(FASHION_MNIST_CLASSES);
    expect(classCounts(train)).toEqual(new Array(10).fill(6000));
    let min = 255;
    let max = 0;
    const pixels = train.images;
    for (let i = 0; i < pixels.length; i++) {
      const v = pixels[i]!;
      if (v < min) min = v;
      else if (v > max) max = v;
    }
    expect([min, max]).toEqual([0, 255]);
    expect(sha256(train.get(0).image.data as Uint8Array)).toBe(FIRST_TRAIN_IMAGE_SHA256);
    expect(train.get(0).label).toBe(9); // Ankle boot, as in Zalando's README figure
  });

  it('test: 10000 images, 1000 per class, first image checksum', async () => {
    const test = await loadFashionMnist({ root: DEBIAN, split: 'test' });
    expect(test.length).toBe(10000);
    expect(classCounts(test)).toEqual(new Array(10).fill(1000));
    expect(sha256(test.get(0).image.data as Uint8Array)).toBe(FIRST_TEST_IMAGE_SHA256);
  });

  it('the bundled sample is the first 1000 test images', async () => {
    const [sample, test] = await Promise.all([
      loadFashionMnistSample(),
      loadFashionMnist({ root: DEBIAN, split: 'test' }),
    ]);
    expect(sample.length).toBe(1000);
    expect(Buffer.from(sample.images).equals(Buffer.from(test.images.subarray(0, 1000 * 784)))).toBe(true);
    expect(Array.from(sample.labels)).toEqual(Array.from(test.labels.subarray(0, 1000)));
  });

  it('a missing root file is NOT_FOUND naming what was looked for', async () => {
    const missing = await loadFashionMnist({ root: '/nonexistent-dir' }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ZooError);
    expect((missing as ZooError).code).toBe('NOT_FOUND');
    expect((missing as ZooError).message).toContain('train-images-idx3-ubyte.gz');
  });
});

describe('downloads go through the verified cache', () => {
  it('asks the fetcher for the pinned URLs and sha256, then checks the md5', async () => {
    const calls: { url: string | readonly string[]; sha256?: string }[] = [];
    // Debian's gzip files hold the same images but are not byte-identical to Zalando's uploads, so
    // the md5 check (torchvision's published md5) must reject them.
    const error = await loadFashionMnist({
      split: 'test',
      fetcher: async (url, options) => {
        calls.push({ url, ...(options.sha256 ? { sha256: options.sha256 } : {}) });
        return `${DEBIAN}/${FASHION_MNIST_FILES.testImages.fileName}`;
      },
    }).catch((e: unknown) => e);
    expect(calls[0]).toEqual({
      url: FASHION_MNIST_FILES.testImages.urls,
      sha256: FASHION_MNIST_FILES.testImages.sha256,
    });
    expect(error).toBeInstanceOf(ZooError);
    expect((error as ZooError).code).toBe('CHECKSUM_MISMATCH');
    expect((error as ZooError).message).toContain('bef4ecab320f06d8554ea6380940ec79');
  });
});

describe('downloads through the real cache and a local HTTP server', () => {
  it('fetches, verifies sha256 and md5, and rejects a file whose md5 differs', async () => {
    const { startTestServer } = await import('@tfzoo/test-harness');
    const { createHash } = await import('node:crypto');
    const { mkdtemp, readFile, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { downloadFile } = await import('./download.js');
    const bytes = await readFile(`${DEBIAN}/${FASHION_MNIST_FILES.testLabels.fileName}`);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const md5 = createHash('md5').update(bytes).digest('hex');
    const server = await startTestServer();
    const cacheDir = await mkdtemp(join(tmpdir(), 'tfzoo-datasets-'));
    try {
      server.serve('/labels.gz', bytes);
      const file = {
        fileName: 'labels.gz',
        urls: [`${server.url}/labels.gz`],
        sha256,
        md5,
        sizeBytes: bytes.length,
      };
      const path = await downloadFile(file, { cacheDir });
      expect(
        createHash('sha256')
          .update(await readFile(path))
          .digest('hex'),
      ).toBe(sha256);
      expect(server.stats('/labels.gz').requests).toBe(1);
      // A second call is served from the cache.
      expect(await downloadFile(file, { cacheDir })).toBe(path);
      expect(server.stats('/labels.gz').requests).toBe(1);
      const wrongMd5 = await downloadFile({ ...file, md5: '0'.repeat(32) }, { cacheDir }).catch(
        (e: unknown) => e,
      );
      expect(wrongMd5).toBeInstanceOf(ZooError);
      expect((wrongMd5 as ZooError).message).toContain(`has md5 ${md5}; expected ${'0'.repeat(32)}`);
    } finally {
      await server.close();
      await rm(cacheDir, { recursive: true, force: true });
    }
  });
});
