/**
 * A restricted Python unpickler for PyTorch checkpoints. It interprets the pickle opcodes of
 * protocols 0–5 (CPython `Lib/pickle.py`, `Lib/pickletools.py`) into plain JavaScript values and
 * resolves only the globals a `state_dict` needs, in the spirit of `torch.load(weights_only=True)`
 * (`torch/_weights_only_unpickler.py`). It never runs code: any other global (`os.system`,
 * `builtins.eval`, a `torch.nn.Module` subclass, …) is refused with a `ZooError` `UNSAFE_FILE`
 * naming it, at the opcode that names it.
 */
import { describeValue, ZooError } from '../errors.js';
import { latin1 } from './bytes.js';
import type { WeightDType } from './raw.js';

/** A Python global the unpickler resolved (a type marker or an allowed function). */
export class PyGlobal {
  constructor(
    /** Module, e.g. `torch._utils`. */
    readonly module: string,
    /** Name inside the module, e.g. `_rebuild_tensor_v2`. */
    readonly name: string,
  ) {}
  /** `module.name`. */
  get qualifiedName(): string {
    return `${this.module}.${this.name}`;
  }
}

/** A Python dict or `collections.OrderedDict`, keys in insertion order. */
export class PyDict {
  /** Entries; keys are strings, numbers, bigints, booleans, null or stringified tuples. */
  readonly entries = new Map<unknown, unknown>();
  /** Attributes set by BUILD (e.g. a state dict's `_metadata`). */
  attributes: unknown = undefined;
}

/** A reference to a PyTorch storage, produced by a checkpoint's persistent ids. */
export interface StorageRef {
  /** Discriminator. */
  kind: 'storage';
  /** Storage key (the zip record or legacy key). */
  key: string;
  /** Element type. */
  dtype: WeightDType;
  /** Storage length in elements. */
  numel: number;
  /** Offset of a legacy storage view, in elements of the root storage. */
  viewOffset?: number;
  /** Length of a legacy storage view, in elements. */
  viewNumel?: number;
}

/** A tensor rebuilt by `torch._utils._rebuild_tensor(_v2)`: a strided view of a storage. */
export interface TensorRef {
  /** Discriminator. */
  kind: 'tensor';
  /** The storage the tensor views. */
  storage: StorageRef;
  /** Offset of the first element, in storage elements. */
  storageOffset: number;
  /** Shape. */
  shape: number[];
  /** Strides, in storage elements. */
  stride: number[];
}

/** Storage class names PyTorch pickles, and the dtype of each. */
export const STORAGE_DTYPES: Readonly<Record<string, WeightDType>> = {
  DoubleStorage: 'F64',
  FloatStorage: 'F32',
  HalfStorage: 'F16',
  BFloat16Storage: 'BF16',
  LongStorage: 'I64',
  IntStorage: 'I32',
  ShortStorage: 'I16',
  CharStorage: 'I8',
  ByteStorage: 'U8',
  BoolStorage: 'BOOL',
  UntypedStorage: 'U8',
};

/** Legacy tensor type names (the old tar format pickles the tensor class). */
const LEGACY_TENSOR_TYPES = new Set(
  Object.keys(STORAGE_DTYPES)
    .filter((name) => name !== 'UntypedStorage')
    .map((name) => name.replace('Storage', 'Tensor')),
);

/** What a persistent id resolves to; supplied by the file-format reader. */
export type PersistentLoad = (pid: unknown) => unknown;

/** Options of {@link unpickle}. */
export interface UnpickleOptions {
  /** Resolves persistent ids (`BINPERSID`/`PERSID`); without it they are refused. */
  persistentLoad?: PersistentLoad;
  /** Name of the file for error messages. */
  fileName?: string;
}

/** The value a pickle produced and where it stopped (the byte after STOP). */
export interface UnpickleResult {
  /** The unpickled object. */
  value: unknown;
  /** Offset just past the STOP opcode. */
  end: number;
}

function isTensorRef(value: unknown): value is TensorRef {
  return typeof value === 'object' && value !== null && (value as TensorRef).kind === 'tensor';
}

function isStorageRef(value: unknown): value is StorageRef {
  return typeof value === 'object' && value !== null && (value as StorageRef).kind === 'storage';
}

function toSafeInt(value: unknown, what: string): number {
  const n = typeof value === 'bigint' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n)) {
    throw new ZooError('CORRUPT_FILE', `${what} must be an integer; received ${describeValue(value)}`, {
      received: value,
      expected: 'an integer',
    });
  }
  return n;
}

function intList(value: unknown, what: string): number[] {
  if (!Array.isArray(value)) {
    throw new ZooError(
      'CORRUPT_FILE',
      `${what} must be a tuple of integers; received ${describeValue(value)}`,
      {
        received: value,
      },
    );
  }
  return value.map((v, i) => toSafeInt(v, `${what}[${i}]`));
}

/** Builds a TensorRef from `_rebuild_tensor(_v2)` arguments, validating every field. */
function rebuildTensor(args: unknown[]): TensorRef {
  const [storage, offset, size, stride] = args;
  if (!isStorageRef(storage)) {
    throw new ZooError(
      'CORRUPT_FILE',
      `_rebuild_tensor expects a storage; received ${describeValue(storage)}`,
      {
        received: storage,
      },
    );
  }
  if (Array.isArray(size) && size.length > 64) {
    throw new ZooError('CORRUPT_FILE', `a tensor of rank ${size.length} is not a weight`, {
      expected: 'rank ≤ 64',
    });
  }
  const shape = intList(size, 'tensor size');
  const strides = intList(stride, 'tensor stride');
  if (strides.length !== shape.length) {
    throw new ZooError(
      'CORRUPT_FILE',
      `tensor stride ${describeValue(strides)} does not match size ${describeValue(shape)}`,
      {
        received: strides,
      },
    );
  }
  return {
    kind: 'tensor',
    storage,
    storageOffset: toSafeInt(offset, 'storage offset'),
    shape,
    stride: strides,
  };
}

type Callable = (args: unknown[]) => unknown;

/** The globals a state dict needs: a callable, or `null` for a type marker that cannot be called. */
function resolveGlobal(module: string, name: string): Callable | null | undefined {
  const key = `${module}.${name}`;
  switch (key) {
    case 'collections.OrderedDict':
    case 'builtins.dict':
    case '__builtin__.dict':
      return () => new PyDict();
    case 'torch._utils._rebuild_tensor_v2':
    case 'torch._utils._rebuild_tensor':
      return rebuildTensor;
    case 'torch._utils._rebuild_parameter':
    case 'torch._utils._rebuild_parameter_with_state':
      return (args) => {
        if (!isTensorRef(args[0])) {
          throw new ZooError(
            'CORRUPT_FILE',
            `_rebuild_parameter expects a tensor; received ${describeValue(args[0])}`,
          );
        }
        return args[0];
      };
    case 'torch._tensor._rebuild_from_type_v2':
      return (args) => {
        const [func, type, inner] = args;
        if (!(func instanceof PyCallable) || !(type instanceof PyGlobal) || !Array.isArray(inner)) {
          throw new ZooError('CORRUPT_FILE', `_rebuild_from_type_v2 received ${describeValue(args)}`);
        }
        return func.call(inner);
      };
    case '_codecs.encode':
      return (args) => {
        const [text, encoding] = args;
        if (typeof text !== 'string' || (encoding !== 'latin1' && encoding !== 'latin-1')) {
          throw new ZooError('UNSAFE_FILE', `_codecs.encode received ${describeValue(args)}`, {
            expected: '(str, "latin1")',
          });
        }
        const bytes = new Uint8Array(text.length);
        for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i) & 0xff;
        return bytes;
      };
    case 'torch.device':
      return (args) => String(args[0]);
    case 'torch.Tensor':
    case 'torch._tensor.Tensor':
    case 'torch.nn.parameter.Parameter':
    case 'torch.Size':
      return null;
  }
  if (module === 'torch' && (name in STORAGE_DTYPES || LEGACY_TENSOR_TYPES.has(name))) return null;
  return undefined;
}

/** An allowed Python function resolved by GLOBAL, callable by REDUCE. */
class PyCallable extends PyGlobal {
  constructor(
    module: string,
    name: string,
    /** The JavaScript implementation. */
    readonly call: Callable,
  ) {
    super(module, name);
  }
}

/** The dtype a storage class global stands for, or undefined. */
export function storageDType(value: unknown): WeightDType | undefined {
  if (value instanceof PyGlobal && value.module === 'torch') return STORAGE_DTYPES[value.name];
  return undefined;
}

function corrupt(fileName: string, message: string, position: number): ZooError {
  return new ZooError('CORRUPT_FILE', `${fileName}: ${message} at byte ${position}`, {
    expected: 'a well-formed pickle',
  });
}

function tupleKey(key: unknown): unknown {
  if (Array.isArray(key)) {
    try {
      return JSON.stringify(key, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}` : v));
    } catch {
      // A tuple nested too deeply to serialize is no state-dict key.
      throw new ZooError('CORRUPT_FILE', 'a pickled dict key is nested too deeply', {
        expected: 'a string or a shallow tuple key',
      });
    }
  }
  if (key instanceof Uint8Array) return latin1(key);
  if (typeof key === 'object' && key !== null) {
    throw new ZooError('UNSUPPORTED', `a pickled dict key must be hashable; received ${describeValue(key)}`);
  }
  return key;
}

const textDecoder = new TextDecoder('utf-8', { fatal: true });

/** Widest integer read (LONG1, LONG4: bytes; INT, LONG: about as many decimal digits × 2.4). */
const MAX_LONG_BYTES = 1024;

/** Two hex digits of each byte value. */
const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

/**
 * Unpickles one object from `bytes` starting at `start`, resolving only allowed globals.
 *
 * @throws {@link ZooError} `UNSAFE_FILE` for a global outside the allow-list, `CORRUPT_FILE` for
 * malformed input.
 */
export function unpickle(bytes: Uint8Array, start = 0, options: UnpickleOptions = {}): UnpickleResult {
  const fileName = options.fileName ?? 'pickle';
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stack: unknown[] = [];
  const marks: number[] = [];
  const memo = new Map<number, unknown>();
  let pos = start;

  const need = (n: number): number => {
    if (n < 0 || pos + n > bytes.length) throw corrupt(fileName, 'unexpected end of data', pos);
    const at = pos;
    pos += n;
    return at;
  };
  const readLine = (): string => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0) throw corrupt(fileName, 'unterminated text line', pos);
    const line = latin1(bytes.subarray(pos, end));
    pos = end + 1;
    return line;
  };
  const pop = (): unknown => {
    if (stack.length === 0 || (marks.length > 0 && stack.length <= marks[marks.length - 1]!)) {
      throw corrupt(fileName, 'stack underflow', pos);
    }
    return stack.pop();
  };
  const top = (): unknown => {
    if (stack.length === 0) throw corrupt(fileName, 'stack underflow', pos);
    return stack[stack.length - 1];
  };
  const popMark = (): unknown[] => {
    const mark = marks.pop();
    if (mark === undefined) throw corrupt(fileName, 'missing MARK', pos);
    return stack.splice(mark);
  };
  const readUtf8 = (length: number): string => {
    const at = need(length);
    try {
      return textDecoder.decode(bytes.subarray(at, at + length));
    } catch {
      throw corrupt(fileName, 'invalid UTF-8 string', at);
    }
  };
  const readLength = (size: 1 | 4 | 8): number => {
    const at = need(size);
    if (size === 1) return bytes[at]!;
    if (size === 4) return view.getUint32(at, true);
    const value = view.getBigUint64(at, true);
    if (value > BigInt(bytes.length)) throw corrupt(fileName, `length ${value} exceeds the data`, at);
    return Number(value);
  };
  const readLong = (length: number): number | bigint => {
    if (length > MAX_LONG_BYTES) {
      throw corrupt(
        fileName,
        `a ${length}-byte integer; a weights pickle needs at most ${MAX_LONG_BYTES}`,
        pos,
      );
    }
    const at = need(length);
    if (length === 0) return 0;
    // One hex string and one BigInt parse: linear in the length (shifting a growing BigInt byte by
    // byte is quadratic: 256 KB took over 20 s).
    let hex = '';
    for (let i = length - 1; i >= 0; i--) hex += HEX[bytes[at + i]!];
    let value = BigInt(`0x${hex}`);
    if (bytes[at + length - 1]! & 0x80) value -= 1n << BigInt(8 * length);
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(value)
      : value;
  };
  const global = (module: string, name: string): PyGlobal => {
    const resolved = resolveGlobal(module, name);
    if (resolved === undefined) {
      throw new ZooError(
        'UNSAFE_FILE',
        `${fileName} names the Python global ${module}.${name}, which a weights file does not need; ` +
          'tfzoo refuses it and runs no code from the file',
        {
          received: `${module}.${name}`,
          expected: 'only tensors, storages and (Ordered)Dicts, as torch.load(weights_only=True) allows',
        },
      );
    }
    return resolved === null ? new PyGlobal(module, name) : new PyCallable(module, name, resolved);
  };
  const call = (callable: unknown, args: unknown): unknown => {
    if (!(callable instanceof PyCallable)) {
      throw new ZooError(
        'UNSAFE_FILE',
        `${fileName} calls ${describeValue(callable instanceof PyGlobal ? callable.qualifiedName : callable)}, which cannot be called`,
        {
          received: callable instanceof PyGlobal ? callable.qualifiedName : callable,
        },
      );
    }
    if (!Array.isArray(args)) throw corrupt(fileName, 'REDUCE arguments must be a tuple', pos);
    return callable.call(args);
  };
  const setItems = (target: unknown, items: unknown[]): void => {
    if (!(target instanceof PyDict)) throw corrupt(fileName, 'SETITEM(S) on a non-dict', pos);
    if (items.length % 2 !== 0) throw corrupt(fileName, 'odd number of dict items', pos);
    for (let i = 0; i < items.length; i += 2) target.entries.set(tupleKey(items[i]), items[i + 1]);
  };
  const persistent = (pid: unknown): unknown => {
    if (!options.persistentLoad) {
      throw new ZooError('UNSAFE_FILE', `${fileName} uses persistent ids outside a PyTorch checkpoint`);
    }
    return options.persistentLoad(pid);
  };

  while (true) {
    if (pos >= bytes.length) throw corrupt(fileName, 'no STOP opcode before the end of the data', pos);
    const opAt = pos;
    const op = bytes[pos++]!;
    switch (op) {
      case 0x80: // PROTO
        need(1);
        break;
      case 0x95: // FRAME
        need(8);
        break;
      case 0x2e: // STOP
        if (stack.length !== 1 || marks.length !== 0)
          throw corrupt(fileName, 'STOP with a malformed stack', opAt);
        return { value: stack[0], end: pos };
      case 0x28: // MARK
        marks.push(stack.length);
        break;
      case 0x30: // POP
        pop();
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        stack.push(top());
        break;
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x4a: // BININT
        stack.push(view.getInt32(need(4), true));
        break;
      case 0x4b: // BININT1
        stack.push(bytes[need(1)]!);
        break;
      case 0x4d: // BININT2
        stack.push(view.getUint16(need(2), true));
        break;
      case 0x8a: // LONG1
        stack.push(readLong(readLength(1)));
        break;
      case 0x8b: {
        // LONG4
        const length = view.getInt32(need(4), true);
        if (length < 0) throw corrupt(fileName, 'negative LONG4 length', opAt);
        stack.push(readLong(length));
        break;
      }
      case 0x49: {
        // INT
        const line = readLine();
        if (line === '00' || line === '01') stack.push(line === '01');
        else {
          if (!/^[+-]?\d+$/.test(line)) throw corrupt(fileName, `invalid INT ${describeValue(line)}`, opAt);
          const value = BigInt(line);
          stack.push(
            value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER)
              ? Number(value)
              : value,
          );
        }
        break;
      }
      case 0x4c: {
        // LONG
        const line = readLine().replace(/L$/, '');
        if (!/^[+-]?\d+$/.test(line)) throw corrupt(fileName, `invalid LONG ${describeValue(line)}`, opAt);
        const value = BigInt(line);
        stack.push(
          value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER)
            ? Number(value)
            : value,
        );
        break;
      }
      case 0x47: // BINFLOAT
        stack.push(view.getFloat64(need(8), false));
        break;
      case 0x46: {
        // FLOAT
        const value = Number(readLine());
        stack.push(value);
        break;
      }
      case 0x58: // BINUNICODE
        stack.push(readUtf8(readLength(4)));
        break;
      case 0x8c: // SHORT_BINUNICODE
        stack.push(readUtf8(readLength(1)));
        break;
      case 0x8d: // BINUNICODE8
        stack.push(readUtf8(readLength(8)));
        break;
      case 0x56: // UNICODE (raw-unicode-escape; ASCII subset is what torch writes)
        stack.push(readLine());
        break;
      case 0x54: // BINSTRING
      case 0x55: {
        // SHORT_BINSTRING: Python 2 str, decoded as latin-1 (what torch.load's encoding does)
        const length = op === 0x55 ? readLength(1) : view.getInt32(need(4), true);
        const at = need(length);
        stack.push(latin1(bytes.subarray(at, at + length)));
        break;
      }
      case 0x53: {
        // STRING: a quoted repr
        const line = readLine();
        stack.push(line.length >= 2 ? line.slice(1, -1) : line);
        break;
      }
      case 0x42: // BINBYTES
      case 0x43: // SHORT_BINBYTES
      case 0x8e: // BINBYTES8
      case 0x96: {
        // BYTEARRAY8
        const length = readLength(op === 0x43 ? 1 : op === 0x42 ? 4 : 8);
        const at = need(length);
        stack.push(bytes.slice(at, at + length));
        break;
      }
      case 0x29: // EMPTY_TUPLE
        stack.push([]);
        break;
      case 0x85: // TUPLE1
        stack.push([pop()]);
        break;
      case 0x86: {
        // TUPLE2
        const b = pop();
        const a = pop();
        stack.push([a, b]);
        break;
      }
      case 0x87: {
        // TUPLE3
        const c = pop();
        const b = pop();
        const a = pop();
        stack.push([a, b, c]);
        break;
      }
      case 0x74: // TUPLE
      case 0x6c: // LIST
        stack.push(popMark());
        break;
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x7d: // EMPTY_DICT
        stack.push(new PyDict());
        break;
      case 0x64: {
        // DICT
        const dict = new PyDict();
        setItems(dict, popMark());
        stack.push(dict);
        break;
      }
      case 0x8f: // EMPTY_SET
        stack.push([]);
        break;
      case 0x90: {
        // ADDITEMS
        const items = popMark();
        const set = top();
        if (!Array.isArray(set)) throw corrupt(fileName, 'ADDITEMS on a non-set', opAt);
        set.push(...items);
        break;
      }
      case 0x91: // FROZENSET
        stack.push(popMark());
        break;
      case 0x61: {
        // APPEND
        const item = pop();
        const list = top();
        if (!Array.isArray(list)) throw corrupt(fileName, 'APPEND on a non-list', opAt);
        list.push(item);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark();
        const list = top();
        if (!Array.isArray(list)) throw corrupt(fileName, 'APPENDS on a non-list', opAt);
        for (const item of items) list.push(item);
        break;
      }
      case 0x73: {
        // SETITEM
        const value = pop();
        const key = pop();
        setItems(top(), [key, value]);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        setItems(top(), items);
        break;
      }
      case 0x67: // GET
      case 0x68: // BINGET
      case 0x6a: {
        // LONG_BINGET
        const index = op === 0x67 ? Number(readLine()) : op === 0x68 ? readLength(1) : readLength(4);
        if (!memo.has(index)) throw corrupt(fileName, `memo key ${index} is undefined`, opAt);
        stack.push(memo.get(index));
        break;
      }
      case 0x70: // PUT
      case 0x71: // BINPUT
      case 0x72: {
        // LONG_BINPUT
        const index = op === 0x70 ? Number(readLine()) : op === 0x71 ? readLength(1) : readLength(4);
        if (!Number.isSafeInteger(index)) throw corrupt(fileName, 'invalid memo key', opAt);
        memo.set(index, top());
        break;
      }
      case 0x94: // MEMOIZE
        memo.set(memo.size, top());
        break;
      case 0x63: {
        // GLOBAL
        const module = readLine();
        const name = readLine();
        stack.push(global(module, name));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') {
          throw corrupt(fileName, 'STACK_GLOBAL needs two strings', opAt);
        }
        stack.push(global(module, name));
        break;
      }
      case 0x52: {
        // REDUCE
        const args = pop();
        const callable = pop();
        stack.push(call(callable, args));
        break;
      }
      case 0x81: {
        // NEWOBJ
        const args = pop();
        const cls = pop();
        stack.push(call(cls, args));
        break;
      }
      case 0x92: {
        // NEWOBJ_EX
        pop(); // kwargs
        const args = pop();
        const cls = pop();
        stack.push(call(cls, args));
        break;
      }
      case 0x62: {
        // BUILD: only state on objects we created (an OrderedDict's _metadata) is accepted.
        const state = pop();
        const target = top();
        if (target instanceof PyDict) target.attributes = state;
        else if (!isTensorRef(target)) {
          throw new ZooError('UNSAFE_FILE', `${fileName} sets state on ${describeValue(target)}`, {
            received: target,
          });
        }
        break;
      }
      case 0x51: // BINPERSID
        stack.push(persistent(pop()));
        break;
      case 0x50: // PERSID
        stack.push(persistent(readLine()));
        break;
      case 0x69: {
        // INST: module and class on text lines, then arguments since MARK
        const module = readLine();
        const name = readLine();
        const callable = global(module, name);
        stack.push(call(callable, popMark()));
        break;
      }
      case 0x6f: {
        // OBJ: class and arguments since MARK
        const items = popMark();
        if (items.length === 0) throw corrupt(fileName, 'OBJ without a class', opAt);
        stack.push(call(items[0], items.slice(1)));
        break;
      }
      case 0x82: // EXT1
      case 0x83: // EXT2
      case 0x84: // EXT4
        throw new ZooError(
          'UNSAFE_FILE',
          `${fileName} uses the copyreg extension registry (opcode 0x${op.toString(16)})`,
        );
      case 0x97: // NEXT_BUFFER
      case 0x98: // READONLY_BUFFER
        throw new ZooError(
          'UNSUPPORTED',
          `${fileName} uses out-of-band pickle buffers (opcode 0x${op.toString(16)})`,
        );
      default:
        throw corrupt(fileName, `unknown pickle opcode 0x${op.toString(16).padStart(2, '0')}`, opAt);
    }
  }
}

/** True when `value` is a tensor reference produced by the unpickler. */
export function isTensor(value: unknown): value is TensorRef {
  return isTensorRef(value);
}
