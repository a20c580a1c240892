// Fails any typed-array / ArrayBuffer allocation above a byte limit, by wrapping the global constructors
// (library code looks them up on the global object at call time). Views of an existing buffer are not allocations.

const NAMES = [
  'ArrayBuffer',
  'Uint8Array',
  'Int8Array',
  'Uint16Array',
  'Int16Array',
  'Uint32Array',
  'Int32Array',
  'Float32Array',
  'Float64Array',
  'BigInt64Array',
  'BigUint64Array',
] as const;

export class AllocationLimitError extends Error {
  constructor(
    readonly bytes: number,
    readonly limit: number,
    what: string,
  ) {
    super(`allocation of ${bytes} bytes (${what}) over the limit of ${limit}`);
    this.name = 'AllocationLimitError';
  }
}

const state = { limit: Infinity, largest: 0 };
const originals = new Map<string, unknown>();

/** Installs the guard; returns a function that removes it. */
export function installAllocationGuard(): () => void {
  const g = globalThis as unknown as Record<string, unknown>;
  for (const name of NAMES) {
    const C = g[name] as { BYTES_PER_ELEMENT?: number } & (new (...a: unknown[]) => unknown);
    originals.set(name, C);
    g[name] = new Proxy(C, {
      construct(target, args, newTarget) {
        const a = args[0];
        const per = (target as { BYTES_PER_ELEMENT?: number }).BYTES_PER_ELEMENT ?? 1;
        let bytes = 0;
        if (typeof a === 'number') bytes = a * per;
        else if (
          a &&
          typeof a === 'object' &&
          !(a instanceof (originals.get('ArrayBuffer') as typeof ArrayBuffer)) &&
          !ArrayBuffer.isView(a) &&
          typeof (a as { length?: unknown }).length === 'number'
        ) {
          bytes = (a as { length: number }).length * per; // from an array-like
        } else if (ArrayBuffer.isView(a))
          bytes = ((a as ArrayBufferView).byteLength / ((a as unknown as { BYTES_PER_ELEMENT?: number }).BYTES_PER_ELEMENT ?? 1)) * per;
        if (bytes > state.largest) state.largest = bytes;
        if (bytes > state.limit) throw new AllocationLimitError(bytes, state.limit, `new ${name}`);
        return Reflect.construct(target, args, newTarget);
      },
    });
  }
  return () => {
    for (const name of NAMES) g[name] = originals.get(name);
  };
}

/** Runs `fn` with allocations limited to `limit` bytes; returns the largest allocation seen. */
export function withAllocationLimit<T>(limit: number, fn: () => T): { value: T; largest: number } {
  const before = { ...state };
  state.limit = limit;
  state.largest = 0;
  try {
    const value = fn();
    return { value, largest: state.largest };
  } finally {
    state.limit = before.limit;
  }
}

export function largestAllocation(): number {
  return state.largest;
}
