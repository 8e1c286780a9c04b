/**
 * Minimal, bounds-checked readers for the two archive formats PyTorch checkpoints use: ZIP
 * (PKWARE APPNOTE 6.3, with ZIP64; stored and deflated entries through Node's zlib) and POSIX
 * ustar/PAX tar (the pre-1.0 `torch.save` layout). Malformed input raises `ZooError`
 * `CORRUPT_FILE`; nothing here trusts a length it has not checked against the data.
 */

import { inflateRawSync } from '#weights-platform';
import { ZooError } from '../errors.js';
import { latin1, utf8 } from './bytes.js';

/** One entry of an archive. */
export interface ArchiveEntry {
  /** Path inside the archive. */
  name: string;
  /** The entry's bytes (decompressed lazily for ZIP). */
  read(): Uint8Array;
  /** Uncompressed size in bytes. */
  size: number;
  /** True when reading inflates (a deflated ZIP entry): `size` is then a claim, not yet bytes. */
  compressed: boolean;
}

function corrupt(fileName: string, message: string): ZooError {
  return new ZooError('CORRUPT_FILE', `${fileName}: ${message}`, { expected: 'a well-formed archive' });
}

/** True when the bytes start with a ZIP local-file or end-of-central-directory signature. */
export function isZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && (bytes[2] === 3 || bytes[2] === 5);
}

/** True when the bytes carry a ustar magic at offset 257. */
export function isTar(bytes: Uint8Array): boolean {
  return bytes.length >= 512 && latin1(bytes.subarray(257, 262)) === 'ustar';
}

/** Lists the entries of a ZIP archive from its central directory. */
export function readZip(bytes: Uint8Array, fileName = 'zip'): ArchiveEntry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (at: number) => view.getUint16(at, true);
  const u32 = (at: number) => view.getUint32(at, true);
  const u64 = (at: number) => {
    const value = view.getBigUint64(at, true);
    if (value > BigInt(bytes.length))
      throw corrupt(fileName, `a ZIP64 field (${value}) exceeds the file size`);
    return Number(value);
  };
  const check = (at: number, length: number, what: string) => {
    if (at < 0 || length < 0 || at + length > bytes.length) {
      throw corrupt(
        fileName,
        `${what} at byte ${at} (+${length}) lies outside the ${bytes.length}-byte file (truncated?)`,
      );
    }
  };
  let eocd = -1;
  for (let at = bytes.length - 22; at >= Math.max(0, bytes.length - 22 - 65535); at--) {
    if (u32(at) === 0x06054b50) {
      eocd = at;
      break;
    }
  }
  if (eocd < 0) throw corrupt(fileName, 'no ZIP end-of-central-directory record (truncated?)');
  let count = u16(eocd + 10);
  let cdSize = u32(eocd + 12);
  let cdOffset = u32(eocd + 16);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const locator = eocd - 20;
    check(locator, 20, 'ZIP64 locator');
    if (u32(locator) !== 0x07064b50)
      throw corrupt(fileName, 'missing ZIP64 end-of-central-directory locator');
    const record = u64(locator + 8);
    check(record, 56, 'ZIP64 end-of-central-directory record');
    if (u32(record) !== 0x06064b50) throw corrupt(fileName, 'bad ZIP64 end-of-central-directory record');
    count = u64(record + 32);
    cdSize = u64(record + 40);
    cdOffset = u64(record + 48);
  }
  check(cdOffset, cdSize, 'central directory');
  const entries: ArchiveEntry[] = [];
  let at = cdOffset;
  for (let i = 0; i < count; i++) {
    check(at, 46, 'central directory entry');
    if (u32(at) !== 0x02014b50)
      throw corrupt(fileName, `bad central directory entry signature at byte ${at}`);
    const method = u16(at + 10);
    let compressedSize = u32(at + 20);
    let size = u32(at + 24);
    const nameLength = u16(at + 28);
    const extraLength = u16(at + 30);
    const commentLength = u16(at + 32);
    let localOffset = u32(at + 42);
    check(at + 46, nameLength + extraLength + commentLength, 'central directory entry name');
    const name = utf8(bytes.subarray(at + 46, at + 46 + nameLength));
    let extra = at + 46 + nameLength;
    const extraEnd = extra + extraLength;
    while (extra + 4 <= extraEnd) {
      const id = u16(extra);
      const length = u16(extra + 2);
      if (id === 0x0001) {
        let field = extra + 4;
        if (size === 0xffffffff) {
          size = u64(field);
          field += 8;
        }
        if (compressedSize === 0xffffffff) {
          compressedSize = u64(field);
          field += 8;
        }
        if (localOffset === 0xffffffff) localOffset = u64(field);
      }
      extra += 4 + length;
    }
    at = extraEnd + commentLength;
    check(localOffset, 30, `local header of ${name}`);
    if (u32(localOffset) !== 0x04034b50) throw corrupt(fileName, `bad local header signature for ${name}`);
    const dataStart = localOffset + 30 + u16(localOffset + 26) + u16(localOffset + 28);
    check(dataStart, compressedSize, `data of ${name}`);
    if (method !== 0 && method !== 8) {
      throw new ZooError('UNSUPPORTED', `${fileName}: entry ${name} uses ZIP compression method ${method}`, {
        received: method,
        expected: '0 (stored) or 8 (deflate)',
      });
    }
    if (method === 8 && size > 2 ** 31 - 1) {
      throw new ZooError('UNSUPPORTED', `${fileName}: deflated entry ${name} declares ${size} bytes`, {
        received: size,
        expected: 'at most 2^31 - 1 bytes per compressed entry',
      });
    }
    const entrySize = size;
    entries.push({
      name,
      size: entrySize,
      compressed: method === 8,
      read(): Uint8Array {
        const raw = bytes.subarray(dataStart, dataStart + compressedSize);
        if (method === 0) {
          if (compressedSize !== entrySize)
            throw corrupt(fileName, `stored entry ${name} has inconsistent sizes`);
          return raw;
        }
        let out: Uint8Array;
        try {
          out = inflateRawSync(raw, { maxOutputLength: Math.max(1, entrySize) });
        } catch (error) {
          throw new ZooError('CORRUPT_FILE', `${fileName}: entry ${name} does not inflate`, { cause: error });
        }
        if (out.length !== entrySize)
          throw corrupt(fileName, `entry ${name} inflated to ${out.length} bytes, expected ${entrySize}`);
        return out;
      },
    });
  }
  return entries;
}

function parseOctal(bytes: Uint8Array, at: number, length: number, fileName: string): number {
  if (bytes[at]! & 0x80) {
    let value = 0;
    for (let i = 1; i < length; i++) value = value * 256 + bytes[at + i]!;
    return value;
  }
  const text = latin1(bytes.subarray(at, at + length))
    .replace(/[\0 ]+$/g, '')
    .trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) throw corrupt(fileName, `invalid tar number ${JSON.stringify(text)}`);
  return Number.parseInt(text, 8);
}

function cString(bytes: Uint8Array, at: number, length: number): string {
  const slice = bytes.subarray(at, at + length);
  const end = slice.indexOf(0);
  return utf8(end < 0 ? slice : slice.subarray(0, end));
}

/** Lists the regular files of a ustar/PAX tar archive. */
export function readTar(bytes: Uint8Array, fileName = 'tar'): ArchiveEntry[] {
  const entries: ArchiveEntry[] = [];
  let at = 0;
  let paxPath: string | undefined;
  let paxSize: number | undefined;
  while (at + 512 <= bytes.length) {
    const header = bytes.subarray(at, at + 512);
    if (header.every((b) => b === 0)) break;
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : header[i]!;
    if (parseOctal(header, 148, 8, fileName) !== sum)
      throw corrupt(fileName, `bad tar header checksum at byte ${at}`);
    let name = cString(header, 0, 100);
    const prefix = cString(header, 345, 155);
    if (prefix) name = `${prefix}/${name}`;
    let size = parseOctal(header, 124, 12, fileName);
    const type = String.fromCharCode(header[156]!);
    if (paxSize !== undefined) size = paxSize;
    if (paxPath !== undefined) name = paxPath;
    const dataStart = at + 512;
    if (dataStart + size > bytes.length) throw corrupt(fileName, `tar entry ${name} is truncated`);
    const data = bytes.subarray(dataStart, dataStart + size);
    if (type === 'x') {
      const text = utf8(data);
      paxPath = undefined;
      paxSize = undefined;
      for (const record of text.split('\n')) {
        const match = /^\d+ ([^=]+)=(.*)$/.exec(record);
        if (match?.[1] === 'path') paxPath = match[2];
        if (match?.[1] === 'size') {
          // A negative or fractional size would move the cursor backwards: refuse it.
          if (!/^\d{1,15}$/.test(match[2]!))
            throw corrupt(fileName, `invalid PAX size ${JSON.stringify(match[2])} at byte ${at}`);
          paxSize = Number(match[2]);
        }
      }
    } else {
      if (type === '0' || type === '\0') entries.push({ name, size, compressed: false, read: () => data });
      paxPath = undefined;
      paxSize = undefined;
    }
    at = dataStart + Math.ceil(size / 512) * 512;
  }
  return entries;
}
