// `npm run browser-assets -w @loragen/example-demo`: ships the few demo files the browser app (examples/browser)
// evaluates with into its public/demo/: the digits library's base model and the LoRAs of a handful of tasks, some
// in LoRAGen's training library and some held out of it. Each file is copied byte for byte after its sha256 is
// checked against assets/manifest.json, and public/demo/index.json lists the tasks and the checksums (the page checks
// them again). Test splits are not shipped: the page draws them with the demo's own seeded generator
// (`taskExamples`, the same code and seed as `npm run demo`).
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const demo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const assets = path.join(demo, 'assets');
const out = path.resolve(process.argv[2] ?? path.join(demo, '..', 'browser', 'public', 'demo'));

/** Tasks whose LoRAs ship: in LoRAGen's training library, and held out of it (`ZERO_SHOT_TASK_IDS`). */
const TASKS = [
  { id: 'absent-7', heldOut: false },
  { id: 'contains-2', heldOut: false },
  { id: 'first-4', heldOut: false },
  { id: 'maxAtLeast-4', heldOut: false },
  { id: 'contains-8', heldOut: true },
  { id: 'last-5', heldOut: true },
  { id: 'twice-4', heldOut: true },
  { id: 'minAtMost-3', heldOut: true },
];
const BASE_FILES = ['base-model/config.json', 'base-model/model.safetensors'];
const ADAPTER_FILES = ['adapter_config.json', 'adapter_model.safetensors'];

const manifest = JSON.parse(readFileSync(path.join(assets, 'manifest.json'), 'utf8'));
const files = [...BASE_FILES, ...TASKS.flatMap((t) => ADAPTER_FILES.map((f) => `library/${t.id}/${f}`))];

rmSync(out, { recursive: true, force: true });
const sums = {};
let bytes = 0;
for (const rel of files) {
  const data = readFileSync(path.join(assets, rel));
  const sum = createHash('sha256').update(data).digest('hex');
  if (manifest.files[rel] !== sum) {
    throw new Error(`${path.join(assets, rel)}: sha256 ${sum} is not the manifest's ${manifest.files[rel]}; restore assets/ from git first`);
  }
  mkdirSync(path.dirname(path.join(out, rel)), { recursive: true });
  writeFileSync(path.join(out, rel), data);
  sums[rel] = sum;
  bytes += data.byteLength;
}
const index = { source: 'examples/demo/assets (digits library)', tasks: TASKS, files: sums };
writeFileSync(path.join(out, 'index.json'), `${JSON.stringify(index, null, 2)}\n`);
process.stdout.write(`wrote ${files.length + 1} files (${(bytes / 1024).toFixed(0)} KiB) to ${out}\n`);
