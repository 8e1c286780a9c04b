/**
 * A small streaming reader of tar archives (POSIX ustar, GNU long names, PAX `path` records),
 * optionally gzip-compressed, for the CIFAR binary archives and Imagenette. Entries are read in one
 * pass from a stream, so a 1.5 GB archive never sits in memory.
 *
 * Reference: POSIX.1-2001 `pax` / ustar header layout (IEEE Std 1003.1), GNU tar manual "Basic Tar
 * Format".
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { ZooError } from '@tfzoo/core';

/** One entry of a tar archive. */
export interface TarEntry {
  /** Path inside the archive (`/`-separated, as stored). */
  name: string;
  /** Size of the entry's data in bytes. */
  size: number;
  /** Kind of entry. */
  type: 'file' | 'directory' | 'other';
  /** The data, for files the filter accepted. */
  data?: Buffer;
}

/** Options of {@link readTarEntries}. */
export interface ReadTarOptions {
  /** Which files to read into memory (default: all). Others are skipped without buffering. */
  filter?: (name: string) => boolean;
  /** Cancels reading. */
  signal?: AbortSignal;
}

class ChunkReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private done = false;

  constructor(private readonly source: AsyncIterator<Buffer>) {}

  private async fill(n: number): Promise<void> {
    while (this.buffered < n && !this.done) {
      const next = await this.source.next();
      if (next.done) this.done = true;
      else {
        this.chunks.push(next.value);
        this.buffered += next.value.length;
      }
    }
  }

  /** Exactly `n` bytes, or fewer at the end of the stream. */
  async read(n: number): Promise<Buffer> {
    await this.fill(n);
    const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    const take = Math.min(n, all.length);
    const out = all.subarray(0, take);
    const rest = all.subarray(take);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.buffered = rest.length;
    return out;
  }

  /** Skips `n` bytes; returns how many were skipped. */
  async skip(n: number): Promise<number> {
    let left = n;
    while (left > 0) {
      if (this.buffered === 0) {
        await this.fill(1);
        if (this.buffered === 0) break;
      }
      const head = this.chunks[0]!;
      if (head.length <= left) {
        this.chunks.shift();
        this.buffered -= head.length;
        left -= head.length;
      } else {
        this.chunks[0] = head.subarray(left);
        this.buffered -= left;
        left = 0;
      }
    }
    return n - left;
  }
}

function readString(block: Buffer, offset: number, length: number): string {
  const slice = block.subarray(offset, offset + length);
  const end = slice.indexOf(0);
  return slice.subarray(0, end === -1 ? slice.length : end).toString('utf8');
}

function readNumber(block: Buffer, offset: number, length: number): number {
  if (block[offset]! & 0x80) {
    // GNU base-256 encoding for sizes ≥ 8 GiB.
    let value = block[offset]! & 0x7f;
    for (let i = 1; i < length; i++) value = value * 256 + block[offset + i]!;
    return value;
  }
  const text = readString(block, offset, length).trim();
  return text === '' ? 0 : Number.parseInt(text, 8);
}

function corrupt(archive: string, detail: string, cause?: unknown): ZooError {
  return new ZooError('CORRUPT_FILE', `${archive} is not a readable tar archive: ${detail}`, {
    received: archive,
    expected: 'a tar or tar.gz archive',
    ...(cause === undefined ? {} : { cause }),
  });
}

async function isGzipFile(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await handle.read(head, 0, 2, 0);
    return bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    await handle.close();
  }
}

/**
 * Reads the entries of a tar or tar.gz file in order, with the data of accepted files.
 *
 * @throws {@link @tfzoo/core!ZooError} `CORRUPT_FILE` naming the archive for a damaged gzip stream, a header with
 * a bad checksum, or an archive that ends inside an entry; `NOT_FOUND` when it cannot be opened.
 */
export async function* readTarEntries(
  archive: string,
  options: ReadTarOptions = {},
): AsyncGenerator<TarEntry> {
  let gzip: boolean;
  try {
    gzip = await isGzipFile(archive);
  } catch (error) {
    throw new ZooError('NOT_FOUND', `cannot read ${archive}: ${(error as Error).message}`, {
      received: archive,
      expected: 'a readable tar archive',
      cause: error,
    });
  }
  const file = createReadStream(archive, { highWaterMark: 1 << 20 });
  const stream = gzip ? file.pipe(createGunzip()) : file;
  if (gzip) file.on('error', (error) => stream.destroy(error));
  const iterator = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const reader = new ChunkReader({
    next: async () => {
      try {
        return await iterator.next();
      } catch (error) {
        throw corrupt(archive, (error as Error).message, error);
      }
    },
  });
  let longName: string | undefined;
  let paxPath: string | undefined;
  try {
    for (;;) {
      options.signal?.throwIfAborted();
      const header = await reader.read(512);
      if (header.length === 0) return; // Some writers omit the two zero blocks.
      if (header.length < 512) throw corrupt(archive, 'it ends inside a header');
      if (header.every((b) => b === 0)) return;
      const stored = readNumber(header, 148, 8);
      let sum = 0;
      for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : header[i]!;
      if (sum !== stored) throw corrupt(archive, `header checksum ${stored} does not match ${sum}`);
      const size = readNumber(header, 124, 12);
      const typeflag = String.fromCharCode(header[156]!);
      let name = readString(header, 0, 100);
      if (readString(header, 257, 5) === 'ustar') {
        const prefix = readString(header, 345, 155);
        if (prefix) name = `${prefix}/${name}`;
      }
      const padded = Math.ceil(size / 512) * 512;
      if (typeflag === 'L' || typeflag === 'x' || typeflag === 'g') {
        const body = await reader.read(padded);
        if (body.length < padded) throw corrupt(archive, 'it ends inside an extended header');
        const text = body.subarray(0, size).toString('utf8');
        if (typeflag === 'L') longName = text.replace(/\0+$/, '');
        else if (typeflag === 'x') {
          const match = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(text);
          if (match) paxPath = match[1];
        }
        continue;
      }
      if (paxPath !== undefined) name = paxPath;
      else if (longName !== undefined) name = longName;
      paxPath = undefined;
      longName = undefined;
      const type =
        typeflag === '0' || typeflag === '\0' || typeflag === '7'
          ? 'file'
          : typeflag === '5'
            ? 'directory'
            : 'other';
      if (type === 'file' && (options.filter?.(name) ?? true)) {
        const body = await reader.read(padded);
        if (body.length < padded) throw corrupt(archive, `it ends inside ${name}`);
        yield { name, size, type, data: Buffer.from(body.subarray(0, size)) };
      } else {
        const skipped = await reader.skip(padded);
        if (skipped < padded) throw corrupt(archive, `it ends inside ${name}`);
        yield { name, size, type };
      }
    }
  } finally {
    stream.destroy();
    file.destroy();
  }
}
