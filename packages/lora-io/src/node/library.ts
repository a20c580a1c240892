// LoRA libraries: one folder per task, each holding a PEFT adapter and its descriptions. All adapters must share
// one layout. Only configs and safetensors headers are read up front; adapters are loaded one at a time.
import { lstat, readFile, readdir, realpath } from 'node:fs/promises';
import { join, relative, isAbsolute, sep } from 'node:path';
import type { LoraAdapter, PeftLoraConfig } from '../types';
import { AdapterFormatError, AdapterLayoutError, locatedErrors } from '../errors';
import { adapterFromTensors, groupAdapterTensors } from '../peft/adapter';
import { parsePeftConfig } from '../peft/config';
import { adapterLayout, layoutDifference, type AdapterLayout } from '../layout/presets';
import { parseDescriptionsYaml } from '../library/descriptions';
import { BIN_FILE, CONFIG_FILE, SAFETENSORS_FILE, readAdapterTensorShapes, readAdapterTensors } from './peft-fs';

/** One task of a library. */
export interface LoraLibraryTask {
  /** The task folder's name. */
  name: string;
  /** Absolute path of the task folder (after resolving symlinks). */
  dir: string;
  /** The task's descriptions (empty when the folder has none). */
  descriptions: string[];
  config: PeftLoraConfig;
  /** Reads this task's adapter (each call reads the files again; nothing is cached). */
  load(): Promise<LoraAdapter>;
}

/** A LoRA library: its tasks (metadata only) and their shared layout. */
export interface LoraLibrary {
  root: string;
  layout: AdapterLayout;
  tasks: LoraLibraryTask[];
  /** Loads the adapters one after another, so only one is held at a time by the library. */
  adapters(): AsyncGenerator<{ task: LoraLibraryTask; adapter: LoraAdapter }>;
}

const MAX_SMALL_FILE = 16 << 20;
const DESCRIPTIONS_HINT = 'descriptions.json holds a JSON array of strings, e.g. ["Classify the sentiment of a movie review"]';
const LIBRARY_HINT =
  'a library is a folder with one sub-folder per task, each holding a PEFT adapter (adapter_config.json + ' +
  'adapter_model.safetensors) and descriptions.json; folders whose names start with . are skipped';

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/** Resolves `path` and refuses it when it leaves the library root (a symlink pointing outside). */
async function resolveInside(root: string, path: string): Promise<string> {
  const real = await realpath(path);
  if (!inside(root, real)) {
    throw new AdapterFormatError(`${path} resolves to ${real}, outside the library root ${root}; symlinks may not leave it`);
  }
  return real;
}

async function maybeFile(root: string, dir: string, name: string): Promise<string | undefined> {
  const path = join(dir, name);
  try {
    await lstat(path);
  } catch {
    return undefined;
  }
  const real = await resolveInside(root, path);
  const st = await lstat(real);
  return st.isFile() ? real : undefined;
}

async function smallText(path: string): Promise<string> {
  const buf = await readFile(path);
  if (buf.byteLength > MAX_SMALL_FILE) throw new AdapterFormatError(`${path} is too large (${buf.byteLength} bytes)`);
  return buf.toString('utf8');
}

async function readDescriptions(root: string, dir: string): Promise<string[]> {
  const json = await maybeFile(root, dir, 'descriptions.json');
  if (json) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(await smallText(json));
    } catch (e) {
      throw new AdapterFormatError(`${json} is not valid JSON: ${(e as Error).message}`, DESCRIPTIONS_HINT);
    }
    if (!Array.isArray(parsed) || !parsed.every((d) => typeof d === 'string')) {
      throw new AdapterFormatError(`${json} is not an array of strings`, DESCRIPTIONS_HINT);
    }
    return parsed as string[];
  }
  for (const name of ['metadata.yaml', 'metadata.yml']) {
    const yaml = await maybeFile(root, dir, name);
    if (yaml) return parseDescriptionsYaml(await smallText(yaml), yaml);
  }
  return [];
}

/**
 * Reads a LoRA library: every non-hidden sub-folder of `dir` is a task holding a PEFT adapter
 * (`adapter_config.json` + `adapter_model.safetensors` or `.bin`) and optionally its descriptions
 * (`descriptions.json`, an array of strings, or `metadata.yaml` with a `descriptions` list). All adapters must
 * share one layout (module names, ranks, shapes), else an `AdapterLayoutError` names the odd one and the
 * difference. Symlinks that leave the library root are refused. Tensors are not read here: use `task.load()` or
 * `library.adapters()`.
 */
export async function readLoraLibrary(dir: string): Promise<LoraLibrary> {
  const root = await realpath(dir).catch(() => {
    throw new AdapterFormatError(`no library folder at ${dir}`, LIBRARY_HINT);
  });
  if (!(await lstat(root)).isDirectory()) throw new AdapterFormatError(`${dir} is a file, not a library folder`, LIBRARY_HINT);
  const entries = (await readdir(root, { withFileTypes: true }))
    .filter((e) => !e.name.startsWith('.'))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const tasks: LoraLibraryTask[] = [];
  let layout: AdapterLayout | undefined;
  let first = '';
  for (const e of entries) {
    if (!e.isDirectory() && !e.isSymbolicLink()) continue;
    const taskDir = await resolveInside(root, join(root, e.name));
    if (!(await lstat(taskDir)).isDirectory()) continue;
    const configPath = await maybeFile(root, taskDir, CONFIG_FILE);
    if (!configPath) throw new AdapterFormatError(`library task folder ${taskDir} has no ${CONFIG_FILE}`, LIBRARY_HINT);
    const configText = await smallText(configPath);
    const config = await locatedErrors(taskDir, async () => parsePeftConfig(configText));
    const st = await maybeFile(root, taskDir, SAFETENSORS_FILE);
    const bin = st ? undefined : await maybeFile(root, taskDir, BIN_FILE);
    if (!st && !bin) throw new AdapterFormatError(`library task folder ${taskDir} has neither ${SAFETENSORS_FILE} nor ${BIN_FILE}`, LIBRARY_HINT);
    const weights = st ? { path: st, format: 'safetensors' as const } : { path: bin!, format: 'bin' as const };
    const shapes = await readAdapterTensorShapes(weights);
    const { modules } = await locatedErrors(taskDir, async () => groupAdapterTensors(config, shapes));
    const taskLayout = adapterLayout(modules, layout?.preset);
    if (!layout) {
      layout = taskLayout;
      first = e.name;
    } else {
      const diff = layoutDifference(layout, taskLayout);
      if (diff) {
        throw new AdapterLayoutError(`task '${e.name}' (${taskDir}) does not share the library's layout (that of task '${first}'): ${diff}`);
      }
    }
    tasks.push({
      name: e.name,
      dir: taskDir,
      descriptions: await readDescriptions(root, taskDir),
      config,
      load: async () => {
        const tensors = await readAdapterTensors(weights);
        return locatedErrors(taskDir, async () => adapterFromTensors(config, tensors));
      },
    });
  }
  if (!layout) throw new AdapterFormatError(`${root} holds no task folders`, LIBRARY_HINT);
  const lib: LoraLibrary = {
    root,
    layout,
    tasks,
    async *adapters() {
      for (const task of lib.tasks) yield { task, adapter: await task.load() };
    },
  };
  return lib;
}
