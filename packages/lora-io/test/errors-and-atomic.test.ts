// Every lora-io error has one shape (name, message naming the file or folder, hint), whichever entry point threw
// it; folders are written atomically.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdapterFormatError, LoraIoError, SafetensorsError } from '@loragen/lora-io';
import { readLoraLibrary, readPeftAdapter, readSafetensorsFile, writeFolderAtomic } from '@loragen/lora-io/node';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'lora-io-errors-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

async function caught(p: Promise<unknown>): Promise<LoraIoError> {
  try {
    await p;
  } catch (e) {
    return e as LoraIoError;
  }
  throw new Error('expected a rejection');
}

test('errors carry a hint, also at the end of the message, and name the file they came from', async () => {
  const file = join(root, 'short.safetensors');
  writeFileSync(file, new Uint8Array(5));
  const e = await caught(readSafetensorsFile(file));
  expect(e).toBeInstanceOf(SafetensorsError);
  expect(e).toBeInstanceOf(LoraIoError);
  expect(e.name).toBe('SafetensorsError');
  expect(e.reason).toBe(`${file}: file is 5 bytes, shorter than the 8-byte header length`);
  expect(e.hint).toMatch(/truncated/);
  expect(e.message).toBe(`${e.reason}\n  hint: ${e.hint}`);
});

test('a missing or wrong-kind folder is named; a broken adapter_config.json is named by its folder', async () => {
  await expect(readPeftAdapter(join(root, 'nope'))).rejects.toThrow(`no adapter folder at ${join(root, 'nope')}`);
  writeFileSync(join(root, 'file'), 'x');
  await expect(readPeftAdapter(join(root, 'file'))).rejects.toThrow(`${join(root, 'file')} is a file`);
  await expect(readLoraLibrary(join(root, 'nope'))).rejects.toThrow(`no library folder at ${join(root, 'nope')}`);
  await expect(readLoraLibrary(join(root, 'file'))).rejects.toThrow(`${join(root, 'file')} is a file`);
  mkdirSync(join(root, 'lib', 'task'), { recursive: true });
  writeFileSync(join(root, 'lib', 'task', 'adapter_config.json'), '{"r": ');
  const e = await caught(readLoraLibrary(join(root, 'lib')));
  expect(e).toBeInstanceOf(AdapterFormatError);
  expect(e.reason).toMatch(new RegExp(`^${join(root, 'lib', 'task')}: adapter_config.json is not valid JSON`));
  expect(e.hint).toMatch(/PEFT LoRA adapter folder/);
});

describe('writeFolderAtomic', () => {
  test('fills a temporary folder and renames it into place (replacing an empty folder)', async () => {
    const seen: string[] = [];
    const target = join(root, 'out');
    mkdirSync(target);
    await writeFolderAtomic(
      target,
      async (tmp) => {
        expect(existsSync(target) && readdirSync(target).length).toBe(0); // nothing visible yet
        writeFileSync(join(tmp, 'a.txt'), 'a');
      },
      { onTemporary: (tmp) => seen.push(tmp) },
    );
    expect(readdirSync(target)).toEqual(['a.txt']);
    expect(seen).toHaveLength(1);
    expect(readdirSync(root)).toEqual(['out']);
  });

  test('leaves neither the target nor the temporary folder when filling fails or the target is not empty', async () => {
    await expect(
      writeFolderAtomic(join(root, 'out'), async (tmp) => {
        writeFileSync(join(tmp, 'half'), 'x');
        throw new Error('disk full');
      }),
    ).rejects.toThrow('disk full');
    expect(readdirSync(root)).toEqual([]);
    mkdirSync(join(root, 'full'));
    writeFileSync(join(root, 'full', 'keep'), 'k');
    await expect(writeFolderAtomic(join(root, 'full'), async (tmp) => writeFileSync(join(tmp, 'new'), 'n'))).rejects.toThrow(/ENOTEMPTY|EEXIST/);
    expect(readdirSync(root)).toEqual(['full']);
    expect(readdirSync(join(root, 'full'))).toEqual(['keep']);
  });
});
