// Bit-for-bit comparison of two adapters' factors, for the determinism tests of the library builders.
import type { LoraAdapter } from '@loragen/lora-io';

const bytes = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

/** `actual` has the modules of `expected`, and each A and B equal to the last bit. */
export function expectSameFactors(actual: LoraAdapter, expected: LoraAdapter): void {
  const byName = new Map(expected.modules.map((m) => [m.name, m]));
  expect(actual.modules.map((m) => m.name).sort()).toEqual([...byName.keys()].sort());
  for (const m of actual.modules) {
    expect(bytes(m.A).equals(bytes(byName.get(m.name)!.A))).toBe(true);
    expect(bytes(m.B).equals(bytes(byName.get(m.name)!.B))).toBe(true);
  }
}
