import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdapterFormatError, AdapterLayoutError, parseDescriptionsYaml } from '@loragen/lora-io';
import { readLoraLibrary } from '@loragen/lora-io/node';
import { FIXTURES } from './helpers/fixtures';

let root: string;
const copyAdapter = (from: string, to: string) => {
  mkdirSync(to, { recursive: true });
  for (const f of ['adapter_config.json', 'adapter_model.safetensors', 'adapter_model.bin']) {
    try {
      cpSync(join(FIXTURES, from, f), join(to, f));
    } catch {
      /* not every fixture has both weight files */
    }
  }
};

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'lora-io-lib-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

test('reads tasks with descriptions, checks the shared layout from headers, streams adapters', async () => {
  const lib = join(root, 'lib');
  copyAdapter('real/distilbert-emotion', join(lib, 'emotion'));
  copyAdapter('real/distilbert-imdb-sentiment', join(lib, 'imdb'));
  writeFileSync(join(lib, 'emotion', 'descriptions.json'), JSON.stringify(['Classify the emotion of a text', 'Which emotion?']));
  writeFileSync(
    join(lib, 'imdb', 'metadata.yaml'),
    'name: imdb\ndescriptions:\n  - Classify the sentiment of a movie review\n  - "Is this review positive? # not a comment"\nsource: x\n',
  );
  mkdirSync(join(lib, '.cache'));
  writeFileSync(join(lib, 'README.md'), 'not a task');
  const library = await readLoraLibrary(lib);
  expect(library.tasks.map((t) => t.name)).toEqual(['emotion', 'imdb']);
  expect(library.tasks[0].descriptions).toEqual(['Classify the emotion of a text', 'Which emotion?']);
  expect(library.tasks[1].descriptions).toEqual(['Classify the sentiment of a movie review', 'Is this review positive? # not a comment']);
  expect(library.layout.preset).toBe('generic');
  expect(library.layout.modules).toHaveLength(12);
  const seen: string[] = [];
  for await (const { task, adapter } of library.adapters()) {
    seen.push(task.name);
    expect(adapter.modules).toHaveLength(12);
  }
  expect(seen).toEqual(['emotion', 'imdb']);
});

test('an adapter with another layout is named with the difference', async () => {
  const lib = join(root, 'lib');
  copyAdapter('peft/t5-qv-r4', join(lib, 'a'));
  copyAdapter('peft/t5-qv-r4-bin', join(lib, 'b'));
  copyAdapter('peft/llama-qv-r4-fp16', join(lib, 'c-odd'));
  const err = await readLoraLibrary(lib).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(AdapterLayoutError);
  expect((err as Error).message).toMatch(/task 'c-odd' .* does not share the library's layout \(that of task 'a'\): module '.*' is missing/);
});

test('a .bin task shares the layout of its safetensors twin', async () => {
  const lib = join(root, 'lib');
  copyAdapter('peft/t5-qv-r4', join(lib, 'a'));
  copyAdapter('peft/t5-qv-r4-bin', join(lib, 'b'));
  const library = await readLoraLibrary(lib);
  expect(library.tasks.map((t) => t.name)).toEqual(['a', 'b']);
  expect(library.layout.preset).toBe('t5');
  expect((await library.tasks[1].load()).modules).toHaveLength(12);
});

test('symlinks that leave the library root are refused; those inside are followed', async () => {
  const lib = join(root, 'lib');
  copyAdapter('real/distilbert-emotion', join(lib, 'emotion'));
  copyAdapter('real/distilbert-imdb-sentiment', join(root, 'outside'));
  symlinkSync(join(lib, 'emotion'), join(lib, 'emotion-again'));
  expect((await readLoraLibrary(lib)).tasks.map((t) => t.name)).toEqual(['emotion', 'emotion-again']);
  symlinkSync(join(root, 'outside'), join(lib, 'escape'));
  await expect(readLoraLibrary(lib)).rejects.toThrow(/outside the library root/);
  rmSync(join(lib, 'escape'));
  // A file inside a task that points outside is refused too.
  writeFileSync(join(root, 'secret.json'), '["x"]');
  symlinkSync(join(root, 'secret.json'), join(lib, 'emotion', 'descriptions.json'));
  const err = await readLoraLibrary(lib).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(AdapterFormatError);
  expect((err as Error).message).toMatch(/outside the library root/);
});

test('a task folder without an adapter, or an empty library, is an AdapterFormatError', async () => {
  const lib = join(root, 'lib');
  mkdirSync(lib);
  await expect(readLoraLibrary(lib)).rejects.toThrow(/no task folders/);
  mkdirSync(join(lib, 'x'));
  await expect(readLoraLibrary(lib)).rejects.toThrow(/has no adapter_config.json/);
});

describe('metadata.yaml descriptions', () => {
  test.each<[string, string[]]>([
    ['descriptions:\n- a\n- b # c\n', ['a', 'b']],
    ['descriptions: [\'it\'\'s\', "q, \\"x\\"", plain]\n', ["it's", 'q, "x"', 'plain']],
    ['descriptions: [\n  a,\n  b\n]\nother: 1\n', ['a', 'b']],
    ['title: t\n\ndescriptions:\n\n  - one\n  # comment\n  - two\nnext: 3\n', ['one', 'two']],
    ['descriptions: []\n', []],
  ])('%j', (text, want) => {
    expect(parseDescriptionsYaml(text)).toEqual(want);
  });
  test.each([
    ['title: x\n', /no top-level 'descriptions'/],
    ['descriptions: just text\n', /not a list/],
    ['descriptions:\n  - |\n    block\n', /block scalars/],
    ['descriptions: [a, "b\n', /not closed|unterminated/],
  ])('%j is refused', (text, message) => {
    expect(() => parseDescriptionsYaml(text)).toThrow(message);
  });
});
