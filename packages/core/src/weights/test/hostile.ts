/**
 * Builders for hand-made hostile checkpoints: pickle opcodes, a `torch.save` ZIP layout, a tar
 * layout and a legacy stream, written byte by byte after `pickletools` and
 * `torch/serialization.py`, so that a test can state exactly what a bomb contains.
 */
import { deflateRawSync } from 'node:zlib';

const encoder = new TextEncoder();

/** Bytes of a pickle program, built opcode by opcode (protocol 2). */
export class Pickle {
  private readonly parts: number[] = [0x80, 0x02];

  /** Appends raw bytes. */
  raw(...bytes: number[]): this {
    for (const b of bytes) this.parts.push(b);
    return this;
  }

  /** Appends the bytes of an array (no argument spreading: arrays may be large). */
  bytes(bytes: Uint8Array): this {
    for (const b of bytes) this.parts.push(b);
    return this;
  }

  /** BINUNICODE. */
  str(text: string): this {
    const bytes = encoder.encode(text);
    this.parts.push(0x58, ...u32(bytes.length));
    this.bytes(bytes);
    return this;
  }

  /** BININT (signed 32-bit). */
  int(value: number): this {
    const out = new Uint8Array(4);
    new DataView(out.buffer).setInt32(0, value, true);
    this.parts.push(0x4a, ...out);
    return this;
  }

  /** GLOBAL module\nname\n. */
  global(module: string, name: string): this {
    this.parts.push(0x63, ...encoder.encode(`${module}\n${name}\n`));
    return this;
  }

  /** A tuple of the `count` items on top of the stack (TUPLE1-3 or MARK…TUPLE). */
  tuple(count: number): this {
    if (count >= 1 && count <= 3) this.parts.push(0x85 + count - 1);
    else throw new Error('use mark() … tupleMark() for other sizes');
    return this;
  }

  /** MARK. */
  mark(): this {
    this.parts.push(0x28);
    return this;
  }

  /** TUPLE (to the last MARK). */
  tupleMark(): this {
    this.parts.push(0x74);
    return this;
  }

  /** EMPTY_DICT. */
  dict(): this {
    this.parts.push(0x7d);
    return this;
  }

  /** SETITEM (dict, key, value on the stack). */
  setItem(): this {
    this.parts.push(0x73);
    return this;
  }

  /** BINPUT / LONG_BINPUT. */
  put(index: number): this {
    if (index < 256) this.parts.push(0x71, index);
    else this.parts.push(0x72, ...u32(index));
    return this;
  }

  /** BINGET / LONG_BINGET. */
  get(index: number): this {
    if (index < 256) this.parts.push(0x68, index);
    else this.parts.push(0x6a, ...u32(index));
    return this;
  }

  /** REDUCE. */
  reduce(): this {
    this.parts.push(0x52);
    return this;
  }

  /** BINPERSID. */
  persid(): this {
    this.parts.push(0x51);
    return this;
  }

  /** EMPTY_TUPLE. */
  emptyTuple(): this {
    this.parts.push(0x29);
    return this;
  }

  /** STOP, and the finished bytes. */
  stop(): Uint8Array {
    return Uint8Array.from(this.parts.concat([0x2e]));
  }

  /**
   * Pushes `torch._utils._rebuild_tensor_v2(storage, offset, size, stride, False, OrderedDict())`
   * over a float storage with key `key` and `numel` elements.
   */
  tensor(key: string, numel: number, offset: number, size: number[], stride: number[]): this {
    this.global('torch._utils', '_rebuild_tensor_v2').mark();
    this.mark()
      .str('storage')
      .global('torch', 'FloatStorage')
      .str(key)
      .str('cpu')
      .int(numel)
      .tupleMark()
      .persid();
    this.int(offset).mark();
    for (const d of size) this.int(d);
    this.tupleMark().mark();
    for (const d of stride) this.int(d);
    this.tupleMark();
    this.raw(0x89); // NEWFALSE
    this.global('collections', 'OrderedDict').emptyTuple().reduce();
    this.tupleMark().reduce();
    return this;
  }
}

function u32(value: number): number[] {
  return [value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, (value >>> 24) & 0xff];
}

/** One ZIP entry: name, bytes, and whether to deflate it (and an optional lie about its size). */
export interface ZipEntry {
  name: string;
  data: Uint8Array;
  deflate?: boolean;
  declaredSize?: number;
}

/** A ZIP archive (no CRCs: tfzoo's reader does not check them, PyTorch's ZIP writer stores them). */
export function zip(entries: ZipEntry[]): Uint8Array {
  const locals: number[] = [];
  const central: number[] = [];
  for (const entry of entries) {
    const name = encoder.encode(entry.name);
    const body = entry.deflate ? deflateRawSync(entry.data) : entry.data;
    const size = entry.declaredSize ?? entry.data.length;
    const offset = locals.length;
    const method = entry.deflate ? 8 : 0;
    locals.push(
      ...u32(0x04034b50),
      20,
      0,
      0,
      0,
      method,
      0,
      0,
      0,
      0,
      0,
      ...u32(0),
      ...u32(body.length),
      ...u32(size),
      name.length & 0xff,
      name.length >> 8,
      0,
      0,
    );
    for (const b of name) locals.push(b);
    for (const b of body) locals.push(b);
    central.push(
      ...u32(0x02014b50),
      20,
      0,
      20,
      0,
      0,
      0,
      method,
      0,
      0,
      0,
      0,
      0,
      ...u32(0),
      ...u32(body.length),
      ...u32(size),
      name.length & 0xff,
      name.length >> 8,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      ...u32(0),
      ...u32(offset),
    );
    for (const b of name) central.push(b);
  }
  const end = [
    ...u32(0x06054b50),
    0,
    0,
    0,
    0,
    entries.length & 0xff,
    entries.length >> 8,
    entries.length & 0xff,
    entries.length >> 8,
    ...u32(central.length),
    ...u32(locals.length),
    0,
    0,
  ];
  return Uint8Array.from(locals.concat(central, end));
}

/** A `torch.save` ZIP checkpoint: `archive/data.pkl` plus storages `archive/data/<key>`. */
export function torchZip(
  pickle: Uint8Array,
  storages: Record<string, ZipEntry['data']>,
  deflate = false,
): Uint8Array {
  return zip([
    { name: 'archive/data.pkl', data: pickle },
    ...Object.entries(storages).map(([key, data]) => ({ name: `archive/data/${key}`, data, deflate })),
  ]);
}

/** One ustar header block for `name` with `size`, and optional raw overrides of its bytes. */
export function tarHeader(name: string, size: number, type = '0'): Uint8Array {
  const header = new Uint8Array(512);
  header.set(encoder.encode(name).subarray(0, 100), 0);
  header.set(encoder.encode('0000644\0'), 100);
  header.set(encoder.encode(`${size.toString(8).padStart(11, '0')}\0`), 124);
  header.set(encoder.encode(type), 156);
  header.set(encoder.encode('ustar\0' + '00'), 257);
  header.fill(32, 148, 156);
  let sum = 0;
  for (const b of header) sum += b;
  header.set(encoder.encode(`${sum.toString(8).padStart(6, '0')}\0 `), 148);
  return header;
}

/** A tar archive of (name, bytes, type) entries. */
export function tar(entries: { name: string; data: Uint8Array; type?: string }[]): Uint8Array {
  const blocks: Uint8Array[] = [];
  for (const { name, data, type } of entries) {
    blocks.push(tarHeader(name, data.length, type));
    const padded = new Uint8Array(Math.ceil(data.length / 512) * 512);
    padded.set(data);
    blocks.push(padded);
  }
  blocks.push(new Uint8Array(1024));
  const out = new Uint8Array(blocks.reduce((n, b) => n + b.length, 0));
  let at = 0;
  for (const b of blocks) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}
