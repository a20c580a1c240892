// Property test over mutated, truncated and random safetensors files, adapter configs and .bin archives.
// `npm run fuzz` runs the same property with LORA_IO_FUZZ_RUNS=100000.
import { runFuzz } from './fuzz/cases';
import { installAllocationGuard, withAllocationLimit, AllocationLimitError } from './fuzz/allocation-guard';

const runs = Number(process.env.LORA_IO_FUZZ_RUNS ?? 6000);

test(`${runs} fuzz inputs either parse or throw SafetensorsError / AdapterFormatError`, () => {
  const t0 = Date.now();
  const stats = runFuzz(runs);
  const s = stats.byKind;
  console.log(
    `fuzz: ${stats.total} inputs in ${((Date.now() - t0) / 1000).toFixed(1)} s; ` +
      `safetensors ${s.safetensors.parsed} parsed / ${s.safetensors.refused} refused, ` +
      `bin ${s.bin.parsed} / ${s.bin.refused}, config ${s.config.parsed} / ${s.config.refused}; slowest ${stats.slowestMs.toFixed(1)} ms`,
  );
  expect(stats.total).toBeGreaterThanOrEqual(runs);
  expect(stats.total).toBeGreaterThanOrEqual(5000);
  // Each kind gets real coverage, with both outcomes.
  for (const k of ['safetensors', 'bin', 'config'] as const) {
    expect(s[k].parsed + s[k].refused).toBeGreaterThan(runs / 10);
    expect(s[k].refused).toBeGreaterThan(0);
  }
  expect(s.safetensors.parsed).toBeGreaterThan(0);
  expect(s.bin.parsed).toBeGreaterThan(0);
});

test('the allocation guard used by the fuzz test does catch a large allocation', () => {
  const uninstall = installAllocationGuard();
  try {
    expect(() => withAllocationLimit(100, () => new Float32Array(26))).toThrow(AllocationLimitError);
    expect(() => withAllocationLimit(100, () => Float32Array.from(new Uint8Array(30)))).toThrow(AllocationLimitError);
    expect(() => withAllocationLimit(100, () => new ArrayBuffer(101))).toThrow(AllocationLimitError);
    expect(withAllocationLimit(100, () => new Float32Array(new ArrayBuffer(0), 0, 0)).largest).toBe(0);
    expect(withAllocationLimit(100, () => new Uint16Array(50)).largest).toBe(100);
  } finally {
    uninstall();
  }
});
