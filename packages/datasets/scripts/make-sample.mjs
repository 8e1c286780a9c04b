#!/usr/bin/env node
// Builds data/fashion-mnist-sample/: the first N (default 1000) images and labels of the
// Fashion-MNIST test split, in the original IDX format, gzipped.
//
//   node scripts/make-sample.mjs [sourceDir=/usr/share/datasets/fashion-mnist] [count=1000]
//
// The source is Debian's dataset-fashion-mnist (the original Zalando files). The sha256 printed for
// each file's *uncompressed* IDX bytes is the one pinned in src/mnist.ts (FASHION_MNIST_SAMPLE);
// gzip output may differ between zlib builds, the uncompressed bytes do not.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';

const source = process.argv[2] ?? '/usr/share/datasets/fashion-mnist';
const count = Number(process.argv[3] ?? 1000);
const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'data', 'fashion-mnist-sample');
mkdirSync(out, { recursive: true });

for (const [name, dims, itemSize] of [
  ['t10k-images-idx3-ubyte', 3, 28 * 28],
  ['t10k-labels-idx1-ubyte', 1, 1],
]) {
  const raw = gunzipSync(readFileSync(join(source, `${name}.gz`)));
  const header = 4 + 4 * dims;
  if (raw.readUInt32BE(0) !== 0x800 + dims) throw new Error(`${name}: unexpected magic`);
  const total = raw.readUInt32BE(4);
  if (count > total) throw new Error(`${name}: only ${total} items`);
  const sample = Buffer.concat([raw.subarray(0, header), raw.subarray(header, header + count * itemSize)]);
  sample.writeUInt32BE(count, 4);
  writeFileSync(join(out, `${name}.gz`), gzipSync(sample, { level: 9 }));
  const sha256 = createHash('sha256').update(sample).digest('hex');
  console.log(`${name}.gz  uncompressed ${sample.length} bytes  sha256 ${sha256}`);
}
