// Every fixture adapter (written by Python PEFT, or by other people) reproduces its reference.json, and
// survives read -> write -> read in F32, F16 and BF16.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AdapterFormatError,
  getAdapterExtraTensors,
  readPeftAdapter,
  readSafetensorsFile,
  roundThrough,
  writePeftAdapter,
  type LoraAdapter,
} from '@loragen/lora-io/node';
import { adapterFixtures, FIXTURES } from './helpers/fixtures';
import { hostLowRankDelta, hostProductTransposed } from '@loragen/test-utils';
import { deltaFroSum, lowRankSingularValues, symmetricEigenvaluesBisection } from './helpers/reference-linalg';

const fixtures = adapterFixtures();
/** Same length and the same float32 bit patterns. */
const sameBits = (a: Float32Array, b: Float32Array) =>
  a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-12);

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'lora-io-fixtures-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

test('the fixture set is the expected one', () => {
  expect(fixtures.map((f) => f.id)).toEqual([
    'peft/gemma2-qv-r4-rslora',
    'peft/llama-qv-r4-fp16',
    'peft/t5-qv-r4',
    'peft/t5-qv-r4-bin',
    'real/distilbert-emotion',
    'real/distilbert-imdb-sentiment',
    'real/gpt2-c_attn-seqcls',
  ]);
});

test('the eigenvalue reference finds the known spectrum of a rotated diagonal matrix', () => {
  // S = Q diag(want) Q^T with Q a product of plane rotations: eigenvalues exactly `want`, a tie and a zero included
  const want = [9, 4, 4, 1.5, 1e-3, 0, -2];
  const n = want.length;
  const S = new Float64Array(n * n);
  want.forEach((v, i) => (S[i * n + i] = v));
  for (let p = 0; p < n; p++)
    for (let q = p + 1; q < n; q++) {
      const angle = 0.3 + 0.17 * p + 0.11 * q;
      const [c, s] = [Math.cos(angle), Math.sin(angle)];
      // S <- G S G^T, G the rotation by angle in the (p, q) plane
      for (let k = 0; k < n; k++) [S[p * n + k], S[q * n + k]] = [c * S[p * n + k] - s * S[q * n + k], s * S[p * n + k] + c * S[q * n + k]];
      for (let k = 0; k < n; k++) [S[k * n + p], S[k * n + q]] = [c * S[k * n + p] - s * S[k * n + q], s * S[k * n + p] + c * S[k * n + q]];
    }
  const got = symmetricEigenvaluesBisection(S, n);
  want.forEach((v, i) => expect(Math.abs(got[i] - v)).toBeLessThan(1e-12));
});

test('the singular-value reference agrees with the eigenvalues of the dense dW dW^T on a small case', () => {
  const r = 3,
    dIn = 7,
    dOut = 5;
  const A = Float32Array.from({ length: r * dIn }, (_, i) => Math.sin(i * 1.3) + 0.1 * i);
  const B = Float32Array.from({ length: dOut * r }, (_, i) => Math.cos(i * 0.7) - 0.05 * i);
  const dW = hostLowRankDelta(A, B, r, dIn, dOut, 2);
  const dense = symmetricEigenvaluesBisection(hostProductTransposed(dW, dW, dOut, dOut, dIn), dOut)
    .slice(0, r)
    .map((x) => Math.sqrt(x));
  const factored = lowRankSingularValues(A, B, r, dIn, dOut, 2);
  for (let i = 0; i < r; i++) expect(rel(factored[i], dense[i])).toBeLessThan(1e-10);
});

describe.each(fixtures)('$id', ({ id, dir, reference }) => {
  let adapter: LoraAdapter;
  beforeAll(async () => {
    adapter = await readPeftAdapter(dir);
  });

  test('has exactly the reference modules, with their shapes and scaling (exact)', () => {
    expect(adapter.modules.map((m) => m.name).sort()).toEqual(Object.keys(reference.modules).sort());
    for (const m of adapter.modules) {
      const r = reference.modules[m.name];
      expect([m.rank, m.dIn]).toEqual(r.A_shape);
      expect([m.dOut, m.rank]).toEqual(r.B_shape);
      expect(m.A.length).toBe(m.rank * m.dIn);
      expect(m.B.length).toBe(m.dOut * m.rank);
      expect(m.scaling).toBe(r.scaling);
    }
  });

  test('Frobenius norm, sum and top singular values of scaling * B A within 1e-4', () => {
    for (const m of adapter.modules) {
      const r = reference.modules[m.name];
      const { fro, sum } = deltaFroSum(m.A, m.B, m.rank, m.dIn, m.dOut, m.scaling);
      expect(rel(fro, r.dW_fro)).toBeLessThan(1e-4);
      // A sum near zero is compared relative to the norm (cancellation makes it ill-conditioned).
      expect(Math.abs(sum - r.dW_sum) / Math.max(Math.abs(r.dW_sum), 1e-3 * r.dW_fro)).toBeLessThan(1e-4);
      const sv = lowRankSingularValues(m.A, m.B, m.rank, m.dIn, m.dOut, m.scaling);
      r.dW_top_sv.forEach((want, i) => expect(rel(sv[i], want)).toBeLessThan(1e-4));
    }
  });

  test('keeps the tensors that are not LoRA factors (modules_to_save heads)', () => {
    const extra = [...getAdapterExtraTensors(adapter).keys()].sort();
    expect(extra).toEqual([...(reference.non_lora_tensors ?? [])].sort());
  });

  test.each(['F32', 'F16', 'BF16'] as const)('read -> write %s -> read gives identical tensors and config', async (dtype) => {
    const out = join(tmp, `${id.replace('/', '_')}-${dtype}`);
    await writePeftAdapter(out, adapter, { dtype });
    const again = await readPeftAdapter(out);
    expect(again.config).toEqual(adapter.config);
    expect(again.modules.map((m) => m.name)).toEqual(adapter.modules.map((m) => m.name));
    for (const [i, m] of again.modules.entries()) {
      const o = adapter.modules[i];
      expect({ ...m, A: null, B: null }).toEqual({ ...o, A: null, B: null });
      // Exactly the original values rounded to the output dtype (identical for F32).
      expect(sameBits(m.A, roundThrough(o.A, dtype))).toBe(true);
      expect(sameBits(m.B, roundThrough(o.B, dtype))).toBe(true);
    }
    // A second round trip in the same dtype is the identity, byte for byte.
    const out2 = `${out}-again`;
    await writePeftAdapter(out2, again, { dtype });
    expect(readFileSync(join(out2, 'adapter_model.safetensors')).equals(readFileSync(join(out, 'adapter_model.safetensors')))).toBe(true);
    expect(readFileSync(join(out2, 'adapter_config.json'), 'utf8')).toEqual(readFileSync(join(out, 'adapter_config.json'), 'utf8'));
    // Heads saved beside the LoRA come back byte for byte, in their own dtype.
    const extraIn = getAdapterExtraTensors(adapter);
    const extraOut = getAdapterExtraTensors(again);
    expect([...extraOut.keys()].sort()).toEqual([...extraIn.keys()].sort());
    for (const [k, t] of extraIn) {
      expect(extraOut.get(k)!.dtype).toBe(t.dtype);
      expect(extraOut.get(k)!.shape).toEqual(t.shape);
      expect(Buffer.from(extraOut.get(k)!.data).equals(Buffer.from(t.data))).toBe(true);
    }
    // Written as PEFT writes: keys with the base_model.model. prefix and no adapter name, F32 metadata 'pt'.
    const file = await readSafetensorsFile(join(out, 'adapter_model.safetensors'));
    expect(file.metadata).toEqual({ format: 'pt' });
    for (const m of adapter.modules) {
      expect(file.tensors.get(`${m.name}.lora_A.weight`)!.dtype).toBe(dtype);
      expect(file.tensors.get(`${m.name}.lora_B.weight`)!.shape).toEqual([m.dOut, m.rank]);
    }
  });
});

test('the .bin fixture holds exactly the tensors of its safetensors twin', async () => {
  const bin = await readPeftAdapter(join(FIXTURES, 'peft/t5-qv-r4-bin'));
  const st = await readPeftAdapter(join(FIXTURES, 'peft/t5-qv-r4'));
  expect(bin.modules.map((m) => m.name).sort()).toEqual(st.modules.map((m) => m.name).sort());
  const byName = new Map(st.modules.map((m) => [m.name, m]));
  for (const m of bin.modules) {
    expect(sameBits(m.A, byName.get(m.name)!.A)).toBe(true);
    expect(sameBits(m.B, byName.get(m.name)!.B)).toBe(true);
  }
});

test('the malicious .bin is refused with an error naming the global, and runs nothing', async () => {
  rmSync('/tmp/loragen-pwned', { force: true });
  const err = await readPeftAdapter(join(FIXTURES, 'peft/malicious-bin')).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(AdapterFormatError);
  expect((err as Error).message).toContain("'posix.system'");
  expect(existsSync('/tmp/loragen-pwned')).toBe(false);
});
