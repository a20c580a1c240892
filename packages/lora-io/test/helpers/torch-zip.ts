// Hand-built PyTorch-style archives: a stored ZIP writer (optionally ZIP64, like torch's) and a pickle builder.

export interface ZipOptions {
  zip64?: boolean;
  /** Compression method to claim in the headers (data is stored regardless). */
  method?: number;
}

export function buildZip(files: [string, Uint8Array][], opts: ZipOptions = {}): Uint8Array {
  const chunks: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let pos = 0;
  const push = (b: Uint8Array) => {
    chunks.push(b);
    pos += b.byteLength;
  };
  for (const [name, data] of files) {
    const nameBytes = Buffer.from(name, 'utf8');
    const local = new Uint8Array(30 + nameBytes.byteLength);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(4, 45, true);
    lv.setUint16(6, 0x0808, true); // data descriptor + UTF-8, sizes only in the central directory (like torch)
    lv.setUint16(8, opts.method ?? 0, true);
    lv.setUint16(26, nameBytes.byteLength, true);
    local.set(nameBytes, 30);
    const offset = pos;
    push(local);
    push(data);
    const extra = opts.zip64 ? new Uint8Array(4 + 24) : new Uint8Array(0);
    if (opts.zip64) {
      const ev = new DataView(extra.buffer);
      ev.setUint16(0, 1, true);
      ev.setUint16(2, 24, true);
      ev.setBigUint64(4, BigInt(data.byteLength), true);
      ev.setBigUint64(12, BigInt(data.byteLength), true);
      ev.setBigUint64(20, BigInt(offset), true);
    }
    const c = new Uint8Array(46 + nameBytes.byteLength + extra.byteLength);
    const cv = new DataView(c.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, 45, true);
    cv.setUint16(6, 45, true);
    cv.setUint16(8, 0x0808, true);
    cv.setUint16(10, opts.method ?? 0, true);
    cv.setUint32(20, opts.zip64 ? 0xffffffff : data.byteLength, true);
    cv.setUint32(24, opts.zip64 ? 0xffffffff : data.byteLength, true);
    cv.setUint16(28, nameBytes.byteLength, true);
    cv.setUint16(30, extra.byteLength, true);
    cv.setUint32(42, opts.zip64 ? 0xffffffff : offset, true);
    c.set(nameBytes, 46);
    c.set(extra, 46 + nameBytes.byteLength);
    central.push(c);
  }
  const cdOffset = pos;
  for (const c of central) push(c);
  const cdSize = pos - cdOffset;
  if (opts.zip64) {
    const z = new Uint8Array(56);
    const zv = new DataView(z.buffer);
    zv.setUint32(0, 0x06064b50, true);
    zv.setBigUint64(4, 44n, true);
    zv.setBigUint64(24, BigInt(files.length), true);
    zv.setBigUint64(32, BigInt(files.length), true);
    zv.setBigUint64(40, BigInt(cdSize), true);
    zv.setBigUint64(48, BigInt(cdOffset), true);
    const zOffset = pos;
    push(z);
    const loc = new Uint8Array(20);
    const locv = new DataView(loc.buffer);
    locv.setUint32(0, 0x07064b50, true);
    locv.setBigUint64(8, BigInt(zOffset), true);
    locv.setUint32(16, 1, true);
    push(loc);
  }
  const e = new Uint8Array(22);
  const ev = new DataView(e.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, opts.zip64 ? 0xffff : files.length, true);
  ev.setUint16(10, opts.zip64 ? 0xffff : files.length, true);
  ev.setUint32(12, opts.zip64 ? 0xffffffff : cdSize, true);
  ev.setUint32(16, opts.zip64 ? 0xffffffff : cdOffset, true);
  push(e);
  const out = new Uint8Array(pos);
  let p = 0;
  for (const c of chunks) {
    out.set(c, p);
    p += c.byteLength;
  }
  return out;
}

/** A tiny pickle assembler (protocol 2 opcodes). */
export class Pickle {
  private bytes: number[] = [0x80, 2];
  op(code: number | string, ...args: number[]): this {
    this.bytes.push(typeof code === 'string' ? code.charCodeAt(0) : code, ...args);
    return this;
  }
  str(s: string): this {
    const b = Buffer.from(s, 'utf8');
    this.bytes.push(0x58, b.length & 0xff, (b.length >> 8) & 0xff, (b.length >> 16) & 0xff, b.length >>> 24, ...b);
    return this;
  }
  int(n: number): this {
    if (n >= 0 && n < 256) return this.op(0x4b, n);
    if (n >= 0 && n < 65536) return this.op(0x4d, n & 0xff, n >> 8);
    const b = Buffer.alloc(4);
    b.writeInt32LE(n);
    return this.op(0x4a, ...b);
  }
  global(module: string, name: string): this {
    this.bytes.push(0x63, ...Buffer.from(`${module}\n${name}\n`, 'latin1'));
    return this;
  }
  /** Pushes `_rebuild_tensor_v2(storage(key, cls, numel), offset, size, stride, False, OrderedDict())`. */
  tensor(key: string, storage: string, numel: number, offset: number, size: number[], stride: number[]): this {
    this.global('torch._utils', '_rebuild_tensor_v2').op('(');
    this.op('(').str('storage').global('torch', storage).str(key).str('cpu').int(numel).op('t').op('Q');
    this.int(offset);
    this.op('(');
    for (const s of size) this.int(s);
    this.op('t').op('(');
    for (const s of stride) this.int(s);
    this.op('t').op(0x89).global('collections', 'OrderedDict').op(')').op('R').op('t').op('R');
    return this;
  }
  done(): Uint8Array {
    return Uint8Array.from([...this.bytes, 0x2e]);
  }
}

/** A torch-style archive: `archive/data.pkl`, `archive/data/<key>`, `archive/version`. */
export function torchArchive(pickle: Uint8Array, storages: Record<string, Uint8Array>, opts: ZipOptions = {}): Uint8Array {
  return buildZip(
    [
      ['archive/data.pkl', pickle],
      ...Object.entries(storages).map(([k, v]) => [`archive/data/${k}`, v] as [string, Uint8Array]),
      ['archive/version', Buffer.from('3\n')],
    ],
    opts,
  );
}
