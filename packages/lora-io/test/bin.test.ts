// The restricted .bin reader: zip parsing, the unpickler's whitelist, strides, and refusals.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AdapterFormatError, readTorchStateDict, tensorToFloat32, parsePeftAdapter } from '@loragen/lora-io';
import { FIXTURES } from './helpers/fixtures';
import { Pickle, buildZip, torchArchive } from './helpers/torch-zip';

const f32 = (v: number[]) => new Uint8Array(Float32Array.from(v).buffer);

function refusal(bytes: Uint8Array): string {
  try {
    readTorchStateDict(bytes);
  } catch (e) {
    expect(e).toBeInstanceOf(AdapterFormatError);
    return (e as Error).message;
  }
  throw new Error('expected a refusal');
}

test('reads a dict of tensors (contiguous views and strided gathers), with and without ZIP64', () => {
  const pkl = new Pickle()
    .op('}')
    .op('(')
    .str('a')
    .tensor('0', 'FloatStorage', 6, 0, [2, 3], [3, 1])
    .str('aT')
    .tensor('0', 'FloatStorage', 6, 0, [3, 2], [1, 3]) // a transposed view of the same storage
    .str('tail')
    .tensor('0', 'FloatStorage', 6, 4, [2], [1])
    .str('h')
    .tensor('1', 'HalfStorage', 2, 0, [2], [1])
    .op('u')
    .done();
  const storages = { '0': f32([1, 2, 3, 4, 5, 6]), '1': new Uint8Array(new Uint16Array([0x3c00, 0xc000]).buffer) };
  for (const zip64 of [false, true]) {
    const sd = readTorchStateDict(torchArchive(pkl, storages, { zip64 }));
    expect([...sd.keys()]).toEqual(['a', 'aT', 'tail', 'h']);
    expect(sd.get('a')!.shape).toEqual([2, 3]);
    expect(Array.from(tensorToFloat32(sd.get('a')!))).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(tensorToFloat32(sd.get('aT')!))).toEqual([1, 4, 2, 5, 3, 6]);
    expect(Array.from(tensorToFloat32(sd.get('tail')!))).toEqual([5, 6]);
    expect(Array.from(tensorToFloat32(sd.get('h')!))).toEqual([1, -2]);
  }
});

test('an OrderedDict state dict (with BUILD of its _metadata) is read', () => {
  const pkl = new Pickle()
    .global('collections', 'OrderedDict')
    .op(')')
    .op('R')
    .op('(')
    .str('w')
    .tensor('0', 'FloatStorage', 1, 0, [1], [1])
    .op('u')
    .op('}')
    .op('b')
    .done();
  expect(Array.from(tensorToFloat32(readTorchStateDict(torchArchive(pkl, { '0': f32([9]) })).get('w')!))).toEqual([9]);
});

test('the real torch 1.13 archive of the t5 fixture reads as an adapter', () => {
  const dir = join(FIXTURES, 'peft/t5-qv-r4-bin');
  const a = parsePeftAdapter(readFileSync(join(dir, 'adapter_config.json'), 'utf8'), readFileSync(join(dir, 'adapter_model.bin')), 'bin');
  expect(a.modules).toHaveLength(12);
});

describe('refuses every global a state dict does not need, naming it', () => {
  test.each([
    ['posix', 'system'],
    ['os', 'system'],
    ['builtins', 'eval'],
    ['builtins', 'getattr'],
    ['torch', 'load'],
    ['torch._utils', '_rebuild_parameter'],
    ['subprocess', 'Popen'],
    ['collections', 'defaultdict'],
  ])('%s.%s (GLOBAL and STACK_GLOBAL)', (module, name) => {
    const viaGlobal = new Pickle().global(module, name).str('x').op(0x85).op('R').done();
    expect(refusal(torchArchive(viaGlobal, {}))).toContain(`'${module}.${name}'`);
    const viaStack = new Pickle().str(module).str(name).op(0x93).done();
    expect(refusal(torchArchive(viaStack, {}))).toContain(`'${module}.${name}'`);
  });
  test('the refusal happens when the global is named, before anything could be called', () => {
    // GLOBAL then STOP: never reduced, still refused.
    expect(refusal(torchArchive(new Pickle().global('os', 'system').done(), {}))).toContain("'os.system'");
  });
});

describe('refuses malformed archives and pickles', () => {
  const ok = new Pickle().op('}').str('w').tensor('0', 'FloatStorage', 1, 0, [1], [1]).op('s').done();
  test.each<[string, () => Uint8Array, RegExp]>([
    ['not a zip', () => new Uint8Array(100), /end-of-central-directory/],
    ['legacy format', () => Uint8Array.from([0x80, 0x02, 0x8a, 0x0a]), /legacy/],
    ['compressed entries', () => torchArchive(ok, { '0': f32([1]) }, { method: 8 }), /compressed/],
    ['no data.pkl', () => buildZip([['x/version', new Uint8Array(1)]]), /data\.pkl/],
    ['missing storage', () => torchArchive(ok, {}), /storage '0' is missing/],
    [
      'storage shorter than claimed',
      () => torchArchive(new Pickle().op('}').str('w').tensor('0', 'FloatStorage', 4, 0, [4], [1]).op('s').done(), { '0': f32([1]) }),
      /shorter/,
    ],
    [
      'tensor past its storage',
      () => torchArchive(new Pickle().op('}').str('w').tensor('0', 'FloatStorage', 2, 1, [2], [1]).op('s').done(), { '0': f32([1, 2]) }),
      /past the end/,
    ],
    [
      'tensor larger than its storage (stride 0)',
      () => torchArchive(new Pickle().op('}').str('w').tensor('0', 'FloatStorage', 1, 0, [1000000], [0]).op('s').done(), { '0': f32([1]) }),
      /more than its storage/,
    ],
    ['forbidden opcode (INST)', () => torchArchive(Uint8Array.from([0x80, 2, 0x69, 0x6f, 0x73, 10, 0x73, 10, 0x2e]), {}), /opcode 0x69/],
    ['forbidden opcode (NEWOBJ)', () => torchArchive(Uint8Array.from([0x80, 2, 0x81, 0x2e]), {}), /opcode 0x81/],
    ['truncated pickle', () => torchArchive(ok.subarray(0, 20), { '0': f32([1]) }), /truncated|underflow/],
    ['stack underflow', () => torchArchive(Uint8Array.from([0x80, 2, 0x2e]), {}), /underflow/],
    ['a non-dict result', () => torchArchive(new Pickle().int(3).done(), {}), /dict of tensors/],
    ['a non-tensor value', () => torchArchive(new Pickle().op('}').str('w').int(3).op('s').done(), {}), /'w' is not a tensor/],
    ['unknown memo slot', () => torchArchive(Uint8Array.from([0x80, 2, 0x68, 5, 0x2e]), {}), /memo slot 5/],
    ['a persistent id that is not a storage', () => torchArchive(new Pickle().str('x').op('Q').done(), {}), /persistent id/],
    ['REDUCE on a storage class', () => torchArchive(new Pickle().global('torch', 'FloatStorage').op(')').op('R').done(), {}), /cannot be called/],
    [
      'big-endian archive',
      () =>
        buildZip([
          ['a/data.pkl', ok],
          ['a/byteorder', Buffer.from('big')],
          ['a/data/0', f32([1])],
        ]),
      /big-endian/,
    ],
    [
      'duplicate entries',
      () =>
        buildZip([
          ['a/data.pkl', ok],
          ['a/data.pkl', ok],
        ]),
      /twice/,
    ],
  ])('%s', (_name, make, message) => {
    expect(refusal(make())).toMatch(message);
  });
});
