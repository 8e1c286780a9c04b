/**
 * Reader for PyTorch checkpoints (`torch.save`), following `torch/serialization.py` (PyTorch 1.13):
 *
 * - the ZIP format (default since 1.6): `<prefix>/data.pkl` (a pickle whose tensors are
 *   `_rebuild_tensor_v2` calls over persistent-id storages) and one raw record per storage in
 *   `<prefix>/data/<key>`;
 * - the legacy pickle stream (`_use_new_zipfile_serialization=False`, magic `80 02 8a 0a`): magic
 *   number, protocol version, sys_info, the object pickle, the list of storage keys, then each
 *   storage as an int64 element count followed by its bytes (`_legacy_save`);
 * - the pre-1.0 tar format read by `_legacy_load.legacy_load`: entries `storages`, `tensors` and
 *   `pickle` (and `sys_info`).
 *
 * Tensors are strided views of storages; non-contiguous views are gathered into row-major order,
 * and views sharing a storage each get their own elements.
 */
import { describeValue, ZooError } from '../errors.js';
import { type ArchiveEntry, isTar, isZip, readTar, readZip } from './archive.js';
import { latin1 } from './bytes.js';
import { isTensor, PyDict, type StorageRef, storageDType, type TensorRef, unpickle } from './pickle.js';
import {
  allocateRaw,
  DTYPE_SIZES,
  type RawTensor,
  type RawTensorData,
  type RawTensorMap,
  shapeSize,
  viewRaw,
} from './raw.js';

/** The legacy format's magic number, `0x1950a86a20f9469cfc6c`. */
const MAGIC_NUMBER = 0x1950a86a20f9469cfc6cn;
/** The legacy format's protocol version. */
const PROTOCOL_VERSION = 1001;

/** Options of {@link readTorchCheckpoint}. */
export interface TorchReadOptions {
  /** Name used in error messages. */
  fileName?: string;
  /**
   * Key of the state dict inside a training checkpoint (e.g. `state_dict`, `model`, `state_dict_ema`).
   * Default: the root when it holds tensors directly, else the first of `state_dict`, `model`,
   * `state_dict_ema`, `model_state_dict` that holds tensors, else every tensor, with dotted paths.
   */
  stateDictKey?: string;
}

/** True when the bytes start like a legacy `torch.save` pickle stream (`80 02 8a 0a`). */
export function isLegacyTorch(bytes: Uint8Array): boolean {
  return (
    bytes.length >= 4 && bytes[0] === 0x80 && bytes[1] === 0x02 && bytes[2] === 0x8a && bytes[3] === 0x0a
  );
}

function corrupt(fileName: string, message: string): ZooError {
  return new ZooError('CORRUPT_FILE', `${fileName}: ${message}`, { expected: 'a PyTorch checkpoint' });
}

function asString(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return latin1(value);
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  return describeValue(value);
}

function storageFromPid(pid: unknown, fileName: string, withView: boolean): StorageRef {
  if (!Array.isArray(pid) || pid.length < 5) {
    throw corrupt(fileName, `unexpected persistent id ${describeValue(pid)}`);
  }
  const typename = asString(pid[0]);
  if (typename === 'module') {
    throw new ZooError('UNSAFE_FILE', `${fileName} pickles a whole nn.Module; tfzoo reads only state dicts`, {
      expected: 'torch.save(model.state_dict(), path)',
    });
  }
  if (typename !== 'storage')
    throw corrupt(fileName, `unknown persistent id type ${describeValue(typename)}`);
  const dtype = storageDType(pid[1]);
  if (dtype === undefined) {
    throw new ZooError('UNSUPPORTED', `${fileName}: unsupported storage type ${describeValue(pid[1])}`, {
      received: pid[1],
      expected: `one of ${Object.keys(DTYPE_SIZES).join(', ')}`,
    });
  }
  const numel = Number(pid[4]);
  if (!Number.isSafeInteger(numel) || numel < 0)
    throw corrupt(fileName, `invalid storage size ${describeValue(pid[4])}`);
  const ref: StorageRef = { kind: 'storage', key: asString(pid[2]), dtype, numel };
  const view = pid[5];
  if (withView && Array.isArray(view)) {
    // (view_key, offset, view_size) of the pre-1.6 storage views: a slice of the root storage.
    ref.viewOffset = Number(view[1]);
    ref.viewNumel = Number(view[2]);
    if (!Number.isSafeInteger(ref.viewOffset) || !Number.isSafeInteger(ref.viewNumel)) {
      throw corrupt(fileName, `invalid storage view ${describeValue(view)}`);
    }
  }
  return ref;
}

/**
 * A storage's bytes, read on demand. `neededBytes` is how far into the storage the file's tensors
 * reach, so that a reader can refuse to inflate more than the tensors can use.
 */
type StorageReader = (neededBytes: number) => Uint8Array;

/** The storages of a checkpoint, keyed by storage key. */
type Storages = Map<string, StorageReader>;

/** Bytes that materializing may allocate beyond views of the file: 4 × the storages, plus 64 MiB. */
const COPY_ALLOWANCE = { factor: 4, slack: 64 * 2 ** 20 };

/** Bytes a deflated storage entry may declare beyond what its tensors reach. */
const INFLATE_SLACK = 2 ** 20;

/** Largest deflated `data.pkl` inflated (SENet-154's is about 100 KB). */
const MAX_PICKLE_BYTES = 64 * 2 ** 20;

/** Containers and tensors the state-dict walk visits at most. */
const MAX_WALK_STEPS = 1_000_000;

/** Where a strided view lies in its storage, after validation. */
interface ViewExtent {
  /** Element offset of the view's first element. */
  base: number;
  /** Element offset just past the view's last element (equal to `base` when empty). */
  end: number;
  /** Number of elements of the view. */
  numel: number;
  /** True when the view is row-major contiguous. */
  contiguous: boolean;
}

function viewExtent(tensor: TensorRef, name: string, fileName: string): ViewExtent {
  const { storage, shape, stride } = tensor;
  const numel = shapeSize(shape, `shape of ${name}`);
  const base = (storage.viewOffset ?? 0) + tensor.storageOffset;
  if (storage.viewOffset !== undefined && storage.viewOffset < 0)
    throw corrupt(fileName, `storage view of ${name} has a negative offset`);
  if (tensor.storageOffset < 0) throw corrupt(fileName, `tensor ${name} has a negative storage offset`);
  let last = base;
  let contiguous = true;
  let expected = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (stride[i]! < 0) throw corrupt(fileName, `tensor ${name} has a negative stride`);
    if (shape[i]! > 1 && stride[i] !== expected) contiguous = false;
    expected *= shape[i]!;
    last += (shape[i]! - 1) * stride[i]!;
  }
  if (!Number.isSafeInteger(last)) throw corrupt(fileName, `tensor ${name} has strides out of range`);
  return { base, end: numel === 0 ? base : last + 1, numel, contiguous };
}

/** Materializes a strided tensor view of a storage as a contiguous raw tensor. */
function materialize(
  tensor: TensorRef,
  extent: ViewExtent,
  bytes: Uint8Array,
  name: string,
  fileName: string,
  budget: { bytes: number },
): RawTensor {
  const { storage, shape, stride } = tensor;
  const elementSize = DTYPE_SIZES[storage.dtype];
  const storageNumel = Math.floor(bytes.length / elementSize);
  const limit =
    storage.viewNumel !== undefined ? (storage.viewOffset ?? 0) + storage.viewNumel : storageNumel;
  if (limit > storageNumel) {
    throw corrupt(fileName, `storage view of ${name} exceeds its ${storageNumel}-element storage`);
  }
  const { base, numel, contiguous } = extent;
  if (base > limit) {
    throw corrupt(
      fileName,
      `tensor ${name} starts at element ${base}, past its storage of ${limit} elements`,
    );
  }
  if (numel === 0) return { dtype: storage.dtype, shape, data: allocateRaw(storage.dtype, 0) };
  if (extent.end > limit) {
    throw corrupt(
      fileName,
      `tensor ${name} (shape ${describeValue(shape)}, stride ${describeValue(stride)}, offset ${tensor.storageOffset}) reads past its storage of ${limit} elements`,
    );
  }
  // Copies (non-contiguous views, and contiguous ones at a misaligned offset) allocate memory the
  // file does not hold: a zero stride turns 4 bytes into gigabytes. They draw on a budget the
  // storages justify.
  const copies = !contiguous || (base * elementSize + bytes.byteOffset) % elementSize !== 0;
  if (copies) {
    budget.bytes -= numel * elementSize;
    if (budget.bytes < 0) {
      throw new ZooError(
        'CORRUPT_FILE',
        `${fileName}: tensor ${name} (shape ${describeValue(shape)}, stride ${describeValue(stride)}) would expand to ${numel * elementSize} bytes, more than the file's storages justify`,
        { received: shape, expected: 'views no larger than the storages they read' },
      );
    }
  }
  if (contiguous) {
    return { dtype: storage.dtype, shape, data: viewRaw(storage.dtype, bytes, base * elementSize, numel) };
  }
  const source = viewRaw(storage.dtype, bytes, 0, storageNumel) as unknown as {
    [i: number]: number | bigint;
  };
  const out = allocateRaw(storage.dtype, numel) as unknown as { [i: number]: number | bigint };
  let written = 0;
  const rank = shape.length;
  const walk = (dim: number, offset: number): void => {
    const size = shape[dim]!;
    const step = stride[dim]!;
    if (dim === rank - 1) {
      for (let i = 0; i < size; i++) out[written++] = source[offset + i * step]!;
      return;
    }
    for (let i = 0; i < size; i++) walk(dim + 1, offset + i * step);
  };
  walk(0, base);
  return { dtype: storage.dtype, shape, data: out as unknown as RawTensorData };
}

function isTensorDict(value: unknown): boolean {
  if (!(value instanceof PyDict) || value.entries.size === 0) return false;
  for (const item of value.entries.values()) if (!isTensor(item)) return false;
  return true;
}

/** Picks the state dict from the unpickled root and returns its tensors by name. */
function collectTensors(root: unknown, options: TorchReadOptions, fileName: string): Map<string, TensorRef> {
  const out = new Map<string, TensorRef>();
  let dict: unknown = root;
  if (options.stateDictKey !== undefined) {
    dict = root instanceof PyDict ? root.entries.get(options.stateDictKey) : undefined;
    if (!(dict instanceof PyDict)) {
      throw new ZooError(
        'NOT_FOUND',
        `${fileName} has no dict under key ${describeValue(options.stateDictKey)}`,
        {
          received: options.stateDictKey,
          expected:
            root instanceof PyDict
              ? `one of ${describeValue([...root.entries.keys()])}`
              : 'a dict checkpoint',
        },
      );
    }
  } else if (root instanceof PyDict && !isTensorDict(root)) {
    for (const key of ['state_dict', 'model', 'state_dict_ema', 'model_state_dict']) {
      const candidate = root.entries.get(key);
      if (isTensorDict(candidate)) {
        dict = candidate;
        break;
      }
    }
  }
  // A pickle's memo lets one container appear many times (L[k] = (L[k-1], L[k-1]) doubles at each
  // level): each container is walked once, and the walk is bounded in steps and depth.
  const seen = new Set<object>();
  let steps = 0;
  const visit = (value: unknown, prefix: string, depth: number): void => {
    if (depth > 32) return; // deeper containers are not state dicts
    if (++steps > MAX_WALK_STEPS) {
      throw corrupt(fileName, `holds more than ${MAX_WALK_STEPS} objects around its tensors`);
    }
    if (isTensor(value)) out.set(prefix, value);
    else if (value instanceof PyDict || Array.isArray(value)) {
      if (seen.has(value)) return;
      seen.add(value);
      if (value instanceof PyDict) {
        for (const [key, item] of value.entries)
          visit(item, prefix ? `${prefix}.${String(key)}` : String(key), depth + 1);
      } else {
        value.forEach((item, i) => {
          visit(item, prefix ? `${prefix}.${i}` : String(i), depth + 1);
        });
      }
    }
  };
  if (isTensor(dict)) out.set('tensor', dict);
  else visit(dict, '', 0);
  if (out.size === 0) throw corrupt(fileName, 'contains no tensors');
  return out;
}

function resolveAll(
  root: unknown,
  storages: Storages,
  options: TorchReadOptions,
  fileName: string,
): RawTensorMap {
  const tensors = collectTensors(root, options, fileName);
  const extents = new Map<string, ViewExtent>();
  const reach = new Map<string, number>();
  for (const [name, tensor] of tensors) {
    const extent = viewExtent(tensor, name, fileName);
    extents.set(name, extent);
    const bytes = extent.end * DTYPE_SIZES[tensor.storage.dtype];
    reach.set(tensor.storage.key, Math.max(reach.get(tensor.storage.key) ?? 0, bytes));
  }
  const read = new Map<string, Uint8Array>();
  let storageBytes = 0;
  for (const [key, needed] of reach) {
    const reader = storages.get(key);
    if (reader === undefined) throw corrupt(fileName, `a tensor refers to missing storage ${key}`);
    const bytes = reader(needed);
    storageBytes += bytes.length;
    read.set(key, bytes);
  }
  const budget = { bytes: COPY_ALLOWANCE.factor * storageBytes + COPY_ALLOWANCE.slack };
  const result: RawTensorMap = new Map();
  for (const [name, tensor] of tensors) {
    const bytes = read.get(tensor.storage.key)!;
    result.set(name, materialize(tensor, extents.get(name)!, bytes, name, fileName, budget));
  }
  return result;
}

function readZipCheckpoint(bytes: Uint8Array, options: TorchReadOptions, fileName: string): RawTensorMap {
  const entries = readZip(bytes, fileName);
  const byName = new Map<string, ArchiveEntry>(entries.map((entry) => [entry.name, entry]));
  const first = entries[0]?.name ?? '';
  const slash = first.indexOf('/');
  let prefix = slash >= 0 ? first.slice(0, slash + 1) : '';
  if (!byName.has(`${prefix}data.pkl`)) {
    const pkl = entries.find((entry) => entry.name.endsWith('data.pkl'));
    if (!pkl) {
      throw corrupt(
        fileName,
        `is a ZIP archive without data.pkl (entries: ${describeValue(entries.slice(0, 5).map((e) => e.name))})`,
      );
    }
    prefix = pkl.name.slice(0, -'data.pkl'.length);
  }
  if (byName.has(`${prefix}constants.pkl`)) {
    throw new ZooError('UNSUPPORTED', `${fileName} is a TorchScript archive (torch.jit.save)`, {
      expected: 'a state dict saved with torch.save(model.state_dict(), path)',
    });
  }
  const byteorder = byName.get(`${prefix}byteorder`);
  if (byteorder && latin1(byteorder.read()) !== 'little') {
    throw new ZooError('UNSUPPORTED', `${fileName} was saved on a big-endian machine`, {
      expected: 'little-endian',
    });
  }
  const storages: Storages = new Map();
  const pickle = byName.get(`${prefix}data.pkl`)!;
  if (pickle.compressed && pickle.size > MAX_PICKLE_BYTES) {
    throw corrupt(
      fileName,
      `data.pkl declares ${pickle.size} bytes; a state dict's pickle needs at most ${MAX_PICKLE_BYTES}`,
    );
  }
  const root = unpickle(pickle.read(), 0, {
    fileName,
    persistentLoad: (pid) => {
      const ref = storageFromPid(pid, fileName, false);
      if (!storages.has(ref.key)) {
        const entry = byName.get(`${prefix}data/${ref.key}`);
        if (!entry) throw corrupt(fileName, `storage record data/${ref.key} is missing`);
        const declared = ref.numel * DTYPE_SIZES[ref.dtype];
        storages.set(ref.key, (needed) => {
          if (entry.compressed && entry.size > needed + INFLATE_SLACK) {
            throw corrupt(
              fileName,
              `deflated storage data/${ref.key} declares ${entry.size} bytes; its tensors use ${needed}`,
            );
          }
          const data = entry.read();
          if (data.length < declared) {
            throw corrupt(
              fileName,
              `storage data/${ref.key} holds ${data.length} bytes, fewer than ${ref.numel} ${ref.dtype} elements`,
            );
          }
          return data;
        });
      }
      return ref;
    },
  }).value;
  return resolveAll(root, storages, options, fileName);
}

function readInt64(bytes: Uint8Array, at: number, fileName: string): number {
  if (at + 8 > bytes.length) throw corrupt(fileName, 'truncated (storage header past the end)');
  const value = new DataView(bytes.buffer, bytes.byteOffset + at, 8).getBigInt64(0, true);
  if (value < 0n || value > BigInt(bytes.length)) throw corrupt(fileName, `invalid storage size ${value}`);
  return Number(value);
}

function readLegacyStream(bytes: Uint8Array, options: TorchReadOptions, fileName: string): RawTensorMap {
  const magic = unpickle(bytes, 0, { fileName });
  if (magic.value !== MAGIC_NUMBER) throw corrupt(fileName, 'invalid legacy magic number');
  const protocol = unpickle(bytes, magic.end, { fileName });
  if (protocol.value !== PROTOCOL_VERSION) {
    throw new ZooError(
      'UNSUPPORTED',
      `${fileName}: legacy protocol version ${describeValue(protocol.value)}`,
      {
        expected: `${PROTOCOL_VERSION}`,
      },
    );
  }
  const sysInfo = unpickle(bytes, protocol.end, { fileName });
  if (sysInfo.value instanceof PyDict && sysInfo.value.entries.get('little_endian') === false) {
    throw new ZooError('UNSUPPORTED', `${fileName} was saved on a big-endian machine`, {
      expected: 'little-endian',
    });
  }
  const refs = new Map<string, StorageRef>();
  const main = unpickle(bytes, sysInfo.end, {
    fileName,
    persistentLoad: (pid) => {
      const ref = storageFromPid(pid, fileName, true);
      const known = refs.get(ref.key);
      if (known && known.dtype !== ref.dtype)
        throw corrupt(fileName, `storage ${ref.key} is used with two dtypes`);
      if (!known) refs.set(ref.key, { kind: 'storage', key: ref.key, dtype: ref.dtype, numel: ref.numel });
      return ref;
    },
  });
  const keys = unpickle(bytes, main.end, { fileName });
  if (!Array.isArray(keys.value)) throw corrupt(fileName, 'storage key list is missing');
  const storages: Storages = new Map();
  let at = keys.end;
  for (const rawKey of keys.value) {
    const key = asString(rawKey);
    const ref = refs.get(key);
    if (!ref) throw corrupt(fileName, `storage ${key} is listed but never used`);
    const numel = readInt64(bytes, at, fileName);
    const length = numel * DTYPE_SIZES[ref.dtype];
    at += 8;
    if (numel < ref.numel || at + length > bytes.length) {
      throw corrupt(
        fileName,
        `storage ${key} is truncated (${numel} elements declared, file ends at ${bytes.length})`,
      );
    }
    const data = bytes.subarray(at, at + length);
    storages.set(key, () => data);
    at += length;
  }
  return resolveAll(main.value, storages, options, fileName);
}

function readTarCheckpoint(bytes: Uint8Array, options: TorchReadOptions, fileName: string): RawTensorMap {
  const entries = new Map(readTar(bytes, fileName).map((entry) => [entry.name, entry]));
  const entry = (name: string): Uint8Array => {
    const found = entries.get(name);
    if (!found) throw corrupt(fileName, `tar checkpoint has no ${name} entry`);
    return found.read();
  };
  // storages: count, then per storage a pickled (key, location, storage_type), an int64 element
  // count and the bytes; then a pickled list of (view_key, root_key, offset, numel) views.
  const storageFile = entry('storages');
  let cursor = unpickle(storageFile, 0, { fileName });
  const count = Number(cursor.value);
  if (!Number.isSafeInteger(count) || count < 0) throw corrupt(fileName, 'invalid storage count');
  const storages: Storages = new Map();
  const dtypes = new Map<string, StorageRef>();
  for (let i = 0; i < count; i++) {
    cursor = unpickle(storageFile, cursor.end, { fileName });
    const header = cursor.value;
    if (!Array.isArray(header) || header.length !== 3)
      throw corrupt(fileName, `bad storage header ${describeValue(header)}`);
    const dtype = storageDType(header[2]);
    if (dtype === undefined)
      throw new ZooError('UNSUPPORTED', `${fileName}: unsupported storage type ${describeValue(header[2])}`);
    const key = asString(header[0]);
    const numel = readInt64(storageFile, cursor.end, fileName);
    const start = cursor.end + 8;
    const length = numel * DTYPE_SIZES[dtype];
    if (start + length > storageFile.length) throw corrupt(fileName, `storage ${key} is truncated`);
    const data = storageFile.subarray(start, start + length);
    storages.set(key, () => data);
    dtypes.set(key, { kind: 'storage', key, dtype, numel });
    cursor = { value: undefined, end: start + length };
  }
  const views = unpickle(storageFile, cursor.end, { fileName }).value;
  for (const view of Array.isArray(views) ? views : []) {
    if (!Array.isArray(view) || view.length !== 4)
      throw corrupt(fileName, `bad storage view ${describeValue(view)}`);
    const root = dtypes.get(asString(view[1]));
    if (!root) throw corrupt(fileName, `storage view of unknown root ${describeValue(view[1])}`);
    dtypes.set(asString(view[0]), {
      ...root,
      key: root.key,
      viewOffset: Number(view[2]),
      viewNumel: Number(view[3]),
    });
  }
  // tensors: count, then per tensor a pickled (key, storage_key, tensor_type) and its metadata:
  // int32 ndim, 4 padding bytes, int64 sizes, int64 strides, int64 storage offset.
  const tensorFile = entry('tensors');
  cursor = unpickle(tensorFile, 0, { fileName });
  const tensorCount = Number(cursor.value);
  if (!Number.isSafeInteger(tensorCount) || tensorCount < 0) throw corrupt(fileName, 'invalid tensor count');
  const tensors = new Map<string, TensorRef>();
  const view = new DataView(tensorFile.buffer, tensorFile.byteOffset, tensorFile.byteLength);
  for (let i = 0; i < tensorCount; i++) {
    cursor = unpickle(tensorFile, cursor.end, { fileName });
    const header = cursor.value;
    if (!Array.isArray(header) || header.length !== 3)
      throw corrupt(fileName, `bad tensor header ${describeValue(header)}`);
    const storage = dtypes.get(asString(header[1]));
    if (!storage) throw corrupt(fileName, `tensor refers to unknown storage ${describeValue(header[1])}`);
    let at = cursor.end;
    if (at + 8 > tensorFile.length) throw corrupt(fileName, 'truncated tensor metadata');
    const ndim = view.getInt32(at, true);
    at += 8;
    if (ndim < 0 || ndim > 64 || at + 16 * ndim + 8 > tensorFile.length)
      throw corrupt(fileName, 'invalid tensor metadata');
    const read = () => {
      const value = Number(view.getBigInt64(at, true));
      at += 8;
      return value;
    };
    const shape = Array.from({ length: ndim }, read);
    const stride = Array.from({ length: ndim }, read);
    const storageOffset = read();
    tensors.set(asString(header[0]), { kind: 'tensor', storage, storageOffset, shape, stride });
    cursor = { value: undefined, end: at };
  }
  const root = unpickle(entry('pickle'), 0, {
    fileName,
    persistentLoad: (pid) => {
      if (Array.isArray(pid)) {
        throw new ZooError(
          'UNSAFE_FILE',
          `${fileName} pickles a whole nn.Module; tfzoo reads only state dicts`,
        );
      }
      const tensor = tensors.get(asString(pid));
      if (!tensor) throw corrupt(fileName, `unknown tensor key ${describeValue(pid)}`);
      return tensor;
    },
  }).value;
  return resolveAll(root, storages, options, fileName);
}

/**
 * Reads a `torch.save` checkpoint in any of its three formats into raw tensors, running no code.
 *
 * @throws {@link ZooError} `UNSAFE_FILE` when the pickle names a global a state dict does not need,
 * `CORRUPT_FILE` for malformed or truncated data, `UNSUPPORTED` for unsupported dtypes or TorchScript.
 */
export function readTorchCheckpoint(bytes: Uint8Array, options: TorchReadOptions = {}): RawTensorMap {
  const fileName = options.fileName ?? 'checkpoint';
  if (isZip(bytes)) return readZipCheckpoint(bytes, options, fileName);
  if (isTar(bytes)) return readTarCheckpoint(bytes, options, fileName);
  if (isLegacyTorch(bytes)) return readLegacyStream(bytes, options, fileName);
  throw corrupt(fileName, 'is neither a ZIP, a tar nor a legacy pickle-stream checkpoint');
}
