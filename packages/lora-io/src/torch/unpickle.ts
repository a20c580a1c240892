// A restricted pickle reader for PyTorch state dicts. It is a data decoder, not an interpreter: it knows the few
// opcodes a tensor state dict uses, accepts exactly three kinds of global (the tensor-rebuild function, storage
// types, OrderedDict) and refuses every other global the moment it is named. Nothing is ever called.
import type { SafetensorsDtype } from '../types';
import { AdapterFormatError } from '../errors';

/** Storage classes and the dtype of their elements. */
const STORAGE_DTYPES: Record<string, SafetensorsDtype> = {
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
};

/**
 * Opcodes whose argument is a little-endian unsigned integer, and its width in bytes (pickletools' uint1, uint2,
 * uint4): a memo slot, a small int, or the byte length of the string that follows.
 */
const UINT_ARG_BYTES: Readonly<Record<number, 1 | 2 | 4>> = {
  0x71: 1, // BINPUT
  0x72: 4, // LONG_BINPUT
  0x68: 1, // BINGET
  0x6a: 4, // LONG_BINGET
  0x4b: 1, // BININT1
  0x4d: 2, // BININT2
  0x8c: 1, // SHORT_BINUNICODE
  0x58: 4, // BINUNICODE
};

const REBUILD_TENSOR = 'torch._utils._rebuild_tensor_v2';
const ORDERED_DICT = 'collections.OrderedDict';

/** A whitelisted global, kept as a marker (never resolved to anything callable). */
class GlobalRef {
  constructor(readonly qualname: string) {}
}

/** A storage the pickle refers to by key (`data/<key>` in the archive). */
export class StorageRef {
  constructor(
    readonly key: string,
    readonly dtype: SafetensorsDtype,
    readonly numel: number,
  ) {}
}

/** What `_rebuild_tensor_v2` would build: a strided view of a storage. */
export class TensorRef {
  constructor(
    readonly storage: StorageRef,
    readonly offset: number,
    readonly shape: number[],
    readonly stride: number[],
  ) {}
}

type Value = unknown;

function fail(what: string): never {
  throw new AdapterFormatError(`adapter_model.bin: ${what}`);
}

function resolveGlobal(module: string, name: string): GlobalRef {
  const qualname = `${module}.${name}`;
  if (qualname === REBUILD_TENSOR || qualname === ORDERED_DICT) return new GlobalRef(qualname);
  if (module === 'torch' && Object.prototype.hasOwnProperty.call(STORAGE_DTYPES, name)) return new GlobalRef(qualname);
  throw new AdapterFormatError(
    `adapter_model.bin refers to the global '${qualname}', which a tensor state dict never needs; ` +
      'refusing to load it (only torch._utils._rebuild_tensor_v2, torch.*Storage and collections.OrderedDict are allowed)',
  );
}

function isInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v);
}

function intList(v: unknown, what: string): number[] {
  if (!Array.isArray(v) || !v.every((x) => isInt(x) && x >= 0)) fail(`${what} is not a tuple of non-negative integers`);
  return v as number[];
}

/**
 * Decodes `pickle` (protocol 2 to 5 opcodes that a state dict uses) into a Map of name -> TensorRef.
 * `persistentLoad` validates each storage reference.
 */
export function unpickleStateDict(
  pickle: Uint8Array,
  persistentLoad: (key: string, dtype: SafetensorsDtype, numel: number) => StorageRef,
): Map<string, TensorRef> {
  const dv = new DataView(pickle.buffer, pickle.byteOffset, pickle.byteLength);
  const end = pickle.byteLength;
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  const stack: Value[] = [];
  const marks: number[] = [];
  const memo = new Map<number, Value>();
  let p = 0;

  const need = (n: number): number => {
    if (n < 0 || p + n > end) fail('pickle is truncated');
    const at = p;
    p += n;
    return at;
  };
  const pop = (): Value => {
    if (stack.length === 0 || (marks.length > 0 && stack.length <= marks[marks.length - 1])) fail('pickle stack underflow');
    return stack.pop();
  };
  const popMark = (): Value[] => {
    const m = marks.pop();
    if (m === undefined) fail('pickle has no MARK to pop to');
    return stack.splice(m);
  };
  const top = (): Value => {
    if (stack.length === 0) fail('pickle stack underflow');
    return stack[stack.length - 1];
  };
  const str = (n: number): string => {
    const at = need(n);
    try {
      return utf8.decode(pickle.subarray(at, at + n));
    } catch {
      return fail('a pickle string is not valid UTF-8');
    }
  };
  const line = (): string => {
    const start = p;
    while (p < end && pickle[p] !== 0x0a) {
      if (p - start > 256) fail('a GLOBAL name is longer than 256 bytes');
      p++;
    }
    if (p >= end) fail('pickle is truncated inside a GLOBAL');
    const s = new TextDecoder('latin1').decode(pickle.subarray(start, p));
    p++;
    return s;
  };
  const setItems = (target: Value, items: Value[]): void => {
    if (!(target instanceof Map)) fail('SETITEM(S) on something that is not a dict');
    if (items.length % 2) fail('SETITEMS with an odd number of items');
    for (let i = 0; i < items.length; i += 2) target.set(items[i], items[i + 1]);
  };
  const appendItems = (opName: string, items: Value[]): void => {
    const target = top();
    if (!Array.isArray(target)) fail(`${opName} to a non-list`);
    for (const x of items) target.push(x);
  };
  /** The unsigned argument of `op` (one of UINT_ARG_BYTES), read at p. */
  const uintArg = (op: number): number => {
    const bytes = UINT_ARG_BYTES[op];
    const at = need(bytes);
    return bytes === 1 ? pickle[at] : bytes === 2 ? dv.getUint16(at, true) : dv.getUint32(at, true);
  };
  const memoPut = (idx: number): void => {
    memo.set(idx, top());
  };
  const memoGet = (idx: number): void => {
    if (!memo.has(idx)) fail(`pickle reads memo slot ${idx} that was never written`);
    stack.push(memo.get(idx));
  };

  for (;;) {
    const op = pickle[need(1)];
    switch (op) {
      case 0x80: {
        // PROTO
        const v = pickle[need(1)];
        if (v < 2 || v > 5) fail(`pickle protocol ${v} is not supported`);
        break;
      }
      case 0x95:
        need(8);
        break; // FRAME: a hint only
      case 0x2e: {
        // STOP
        const result = pop();
        if (!(result instanceof Map)) fail('the pickle does not hold a dict of tensors');
        const out = new Map<string, TensorRef>();
        for (const [k, v] of result) {
          if (typeof k !== 'string') fail('a state dict key is not a string');
          if (!(v instanceof TensorRef)) fail(`state dict entry '${k}' is not a tensor`);
          out.set(k, v);
        }
        return out;
      }
      case 0x28:
        marks.push(stack.length);
        break; // MARK
      case 0x7d:
        stack.push(new Map());
        break; // EMPTY_DICT
      case 0x5d:
        stack.push([]);
        break; // EMPTY_LIST
      case 0x29:
        stack.push([]);
        break; // EMPTY_TUPLE
      case 0x74:
        stack.push(popMark());
        break; // TUPLE
      case 0x85:
        stack.push([pop()]);
        break; // TUPLE1
      case 0x86: {
        const b = pop();
        const a = pop();
        stack.push([a, b]);
        break;
      } // TUPLE2
      case 0x87: {
        const c = pop();
        const b = pop();
        const a = pop();
        stack.push([a, b, c]);
        break;
      } // TUPLE3
      case 0x64: {
        const items = popMark();
        const d = new Map<Value, Value>();
        setItems(d, items);
        stack.push(d);
        break;
      } // DICT
      case 0x6c: {
        const items = popMark();
        stack.push(items);
        break;
      } // LIST
      case 0x71: // BINPUT
      case 0x72: // LONG_BINPUT
        memoPut(uintArg(op));
        break;
      case 0x94:
        memoPut(memo.size);
        break; // MEMOIZE
      case 0x68: // BINGET
      case 0x6a: // LONG_BINGET
        memoGet(uintArg(op));
        break;
      case 0x4a:
        stack.push(dv.getInt32(need(4), true));
        break; // BININT
      case 0x4b: // BININT1
      case 0x4d: // BININT2
        stack.push(uintArg(op));
        break;
      case 0x8a: {
        // LONG1
        const n = pickle[need(1)];
        if (n > 8) fail('an integer wider than 64 bits');
        const at = need(n);
        let v = 0n;
        for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(pickle[at + i]);
        if (n > 0 && pickle[at + n - 1] & 0x80) v -= 1n << BigInt(8 * n);
        if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) fail('an integer beyond 2^53');
        stack.push(Number(v));
        break;
      }
      case 0x47:
        stack.push(dv.getFloat64(need(8), false));
        break; // BINFLOAT (big-endian)
      case 0x58: // BINUNICODE
      case 0x8c: // SHORT_BINUNICODE
        stack.push(str(uintArg(op)));
        break;
      case 0x8d: {
        // BINUNICODE8
        const at = need(8);
        const hi = dv.getUint32(at + 4, true);
        if (hi !== 0) fail('pickle is truncated');
        stack.push(str(dv.getUint32(at, true)));
        break;
      }
      case 0x88:
        stack.push(true);
        break; // NEWTRUE
      case 0x89:
        stack.push(false);
        break; // NEWFALSE
      case 0x4e:
        stack.push(null);
        break; // NONE
      case 0x73: {
        const v = pop();
        const k = pop();
        setItems(top(), [k, v]);
        break;
      } // SETITEM
      case 0x75: {
        const items = popMark();
        setItems(top(), items);
        break;
      } // SETITEMS
      case 0x61:
        appendItems('APPEND', [pop()]);
        break;
      case 0x65:
        appendItems('APPENDS', popMark());
        break;
      case 0x63: {
        const module = line();
        const name = line();
        stack.push(resolveGlobal(module, name));
        break;
      } // GLOBAL
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') fail('STACK_GLOBAL without two strings');
        stack.push(resolveGlobal(module, name));
        break;
      }
      case 0x51: {
        // BINPERSID
        const pid = pop();
        if (!Array.isArray(pid) || pid[0] !== 'storage' || pid.length !== 5) fail('a persistent id that is not a storage');
        const [, cls, key, , count] = pid;
        if (!(cls instanceof GlobalRef) || !cls.qualname.startsWith('torch.')) fail('a storage of an unknown type');
        const dtype = STORAGE_DTYPES[cls.qualname.slice('torch.'.length)];
        if (!dtype) fail(`'${cls.qualname}' is not a storage type`);
        if (typeof key !== 'string' || !isInt(count) || count < 0) fail('a storage with a bad key or size');
        stack.push(persistentLoad(key, dtype, count));
        break;
      }
      case 0x52: {
        // REDUCE
        const args = pop();
        const fn = pop();
        if (!(fn instanceof GlobalRef) || !Array.isArray(args)) fail('REDUCE of something that is not an allowed global');
        if (fn.qualname === REBUILD_TENSOR) {
          const [storage, offset, size, stride] = args;
          if (args.length < 6 || args.length > 7) fail('_rebuild_tensor_v2 with the wrong number of arguments');
          if (!(storage instanceof StorageRef)) fail('_rebuild_tensor_v2 without a storage');
          if (!isInt(offset) || offset < 0) fail('a tensor with a bad storage offset');
          const shape = intList(size, 'a tensor size');
          const strides = intList(stride, 'a tensor stride');
          if (shape.length !== strides.length) fail('a tensor whose size and stride differ in length');
          stack.push(new TensorRef(storage, offset, shape, strides));
        } else if (fn.qualname === ORDERED_DICT) {
          const d = new Map<Value, Value>();
          if (args.length === 1 && Array.isArray(args[0])) {
            for (const pair of args[0]) {
              if (!Array.isArray(pair) || pair.length !== 2) fail('OrderedDict built from something other than pairs');
              d.set(pair[0], pair[1]);
            }
          } else if (args.length !== 0) fail('OrderedDict with unexpected arguments');
          stack.push(d);
        } else {
          fail(`'${fn.qualname}' cannot be called`);
        }
        break;
      }
      case 0x62: {
        // BUILD: only the instance state of a dict (OrderedDict._metadata), which is dropped
        pop();
        if (!(top() instanceof Map)) fail('BUILD on something that is not a dict');
        break;
      }
      default:
        fail(`pickle opcode 0x${op.toString(16).padStart(2, '0')} is not allowed in a tensor state dict`);
    }
  }
}
