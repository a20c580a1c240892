// A minimal ZIP reader for PyTorch archives: the central directory is parsed directly (PyTorch writes sizes only
// there, with data descriptors after each entry), ZIP64 records are followed, and only stored (uncompressed)
// entries are accepted. Entry data are views of the input; nothing is inflated or copied.
import { AdapterFormatError } from '../errors';

const SIG_EOCD = 0x06054b50;
const SIG_ZIP64_LOCATOR = 0x07064b50;
const SIG_ZIP64_EOCD = 0x06064b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_LOCAL = 0x04034b50;

const utf8 = new TextDecoder('utf-8');

function fail(what: string): never {
  throw new AdapterFormatError(`not a readable PyTorch zip archive: ${what}`);
}

function u64(dv: DataView, at: number): number {
  const lo = dv.getUint32(at, true);
  const hi = dv.getUint32(at + 4, true);
  if (hi >= 2 ** 21) fail('a 64-bit size or offset beyond 2^53');
  return hi * 2 ** 32 + lo;
}

/** The entries of a ZIP archive by name, as views of `bytes`. */
export function readZipEntries(bytes: Uint8Array): Map<string, Uint8Array> {
  const size = bytes.byteLength;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, size);
  if (size < 22) fail(`${size} bytes is too short for an end-of-central-directory record`);

  // End of central directory: the last signature within 22 + 65535 bytes of the end.
  let eocd = -1;
  for (let p = size - 22; p >= Math.max(0, size - 22 - 0xffff); p--) {
    if (dv.getUint32(p, true) === SIG_EOCD && p + 22 + dv.getUint16(p + 20, true) === size) {
      eocd = p;
      break;
    }
  }
  if (eocd < 0) fail('no end-of-central-directory record');
  let count = dv.getUint16(eocd + 10, true);
  let cdSize = dv.getUint32(eocd + 12, true);
  let cdOffset = dv.getUint32(eocd + 16, true);
  if (dv.getUint16(eocd + 4, true) !== 0 || dv.getUint16(eocd + 6, true) !== 0) fail('multi-disk archives are not supported');
  let cdEnd = eocd;
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const loc = eocd - 20;
    if (loc < 0 || dv.getUint32(loc, true) !== SIG_ZIP64_LOCATOR) fail('ZIP64 values without a ZIP64 locator');
    const z = u64(dv, loc + 8);
    if (z + 56 > loc || dv.getUint32(z, true) !== SIG_ZIP64_EOCD) fail('ZIP64 end record missing or out of range');
    count = u64(dv, z + 32);
    cdSize = u64(dv, z + 40);
    cdOffset = u64(dv, z + 48);
    cdEnd = z;
  }
  if (cdOffset + cdSize > cdEnd) fail('central directory runs past its end record');
  if (count * 46 > cdSize) fail(`${count} entries cannot fit a ${cdSize}-byte central directory`);

  const entries = new Map<string, Uint8Array>();
  let p = cdOffset;
  for (let i = 0; i < count; i++) {
    if (p + 46 > cdOffset + cdSize || dv.getUint32(p, true) !== SIG_CENTRAL) fail(`central directory entry ${i} is malformed`);
    const flags = dv.getUint16(p + 8, true);
    const method = dv.getUint16(p + 10, true);
    let compSize = dv.getUint32(p + 20, true);
    let rawSize = dv.getUint32(p + 24, true);
    const nameLen = dv.getUint16(p + 28, true);
    const extraLen = dv.getUint16(p + 30, true);
    const commentLen = dv.getUint16(p + 32, true);
    let localOffset = dv.getUint32(p + 42, true);
    const next = p + 46 + nameLen + extraLen + commentLen;
    if (next > cdOffset + cdSize) fail(`central directory entry ${i} runs past the directory`);
    const name = utf8.decode(bytes.subarray(p + 46, p + 46 + nameLen));
    // ZIP64 extended information: the 64-bit values of the fields saturated above, in this order.
    let e = p + 46 + nameLen;
    const extraEnd = e + extraLen;
    while (e + 4 <= extraEnd) {
      const id = dv.getUint16(e, true);
      const len = dv.getUint16(e + 2, true);
      if (e + 4 + len > extraEnd) fail(`extra field of '${name}' runs past its end`);
      if (id === 0x0001) {
        let q = e + 4;
        const take = (): number => {
          if (q + 8 > e + 4 + len) fail(`ZIP64 extra field of '${name}' is too short`);
          const v = u64(dv, q);
          q += 8;
          return v;
        };
        if (rawSize === 0xffffffff) rawSize = take();
        if (compSize === 0xffffffff) compSize = take();
        if (localOffset === 0xffffffff) localOffset = take();
      }
      e += 4 + len;
    }
    if (flags & 1) fail(`entry '${name}' is encrypted`);
    if (method !== 0) fail(`entry '${name}' is compressed (method ${method}); PyTorch stores entries uncompressed`);
    if (compSize !== rawSize) fail(`entry '${name}' has different stored and raw sizes`);
    if (localOffset + 30 > cdOffset || dv.getUint32(localOffset, true) !== SIG_LOCAL) {
      fail(`local header of '${name}' is missing or out of range`);
    }
    const start = localOffset + 30 + dv.getUint16(localOffset + 26, true) + dv.getUint16(localOffset + 28, true);
    if (start + compSize > cdOffset) fail(`data of '${name}' runs past the central directory`);
    if (entries.has(name)) fail(`entry '${name}' appears twice`);
    entries.set(name, bytes.subarray(start, start + compSize));
    p = next;
  }
  return entries;
}
