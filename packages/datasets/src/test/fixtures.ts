// Writers of fixture files in the data sets' original formats, for tests.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Rng } from '../random.js';

/** A fresh temporary directory. */
export function tempDir(prefix = 'tfzoo-datasets-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** IDX bytes (magic 0x0000080N, big-endian dims, then the data), gzipped unless `gzip` is false. */
export function idxBytes(dims: number[], data: Uint8Array, gzip = true): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.writeUInt32BE(0x800 + dims.length, 0);
  dims.forEach((d, i) => {
    header.writeUInt32BE(d, 4 + 4 * i);
  });
  const raw = Buffer.concat([header, Buffer.from(data)]);
  return gzip ? gzipSync(raw) : raw;
}

/** `n` random bytes below `max`. */
export function randomBytes(n: number, seed: number, max = 256): Uint8Array {
  const rng = new Rng(seed);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.int(0, max);
  return out;
}
