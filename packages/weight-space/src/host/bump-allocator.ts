/**
 * Allocation in a WebAssembly memory owned by this package, freed all at once: addresses handed out one after
 * another (16-byte aligned) from `start`, the memory grown when they pass its end; `reset()` frees them all.
 */
export class BumpAllocator {
  private top: number;

  constructor(
    private readonly memory: WebAssembly.Memory,
    private readonly start: number,
  ) {
    this.top = start;
  }

  /** Byte address of `bytes` (not cleared); throws a RangeError when the memory cannot grow that far. */
  reserve(bytes: number): number {
    const address = (this.top + 15) & ~15;
    this.top = address + bytes;
    const missing = this.top - this.memory.buffer.byteLength;
    if (missing > 0) this.memory.grow(Math.ceil(missing / 65536));
    return address;
  }

  reset(): void {
    this.top = this.start;
  }
}
