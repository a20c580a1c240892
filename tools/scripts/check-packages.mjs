// Builds every published package, packs it as npm would publish it, and lints the
// tarball with publint (package.json shape, exports) and attw (types per resolution mode;
// profile node16 since every package requires Node >= 20, where node10 resolution never applies).
import fs from 'node:fs';
import path from 'node:path';
import { PUBLISHED, ROOT, run } from './workspace.mjs';

const packDir = path.join(ROOT, '.pack');
fs.rmSync(packDir, { recursive: true, force: true });
fs.mkdirSync(packDir);

if (run('npx', ['nx', 'run-many', '-t', 'build', '--outputStyle=static']) !== 0) {
  console.error('check:packages: build failed');
  process.exit(1);
}

const failures = [];
for (const folder of PUBLISHED) {
  const dir = path.join(ROOT, 'packages', folder);
  const before = new Set(fs.readdirSync(packDir));
  if (run('npm', ['pack', '--silent', '--pack-destination', packDir], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] }) !== 0) {
    failures.push(`${folder}: npm pack failed`);
    continue;
  }
  const tarball = fs.readdirSync(packDir).find((f) => !before.has(f));
  const file = path.join(packDir, tarball);
  console.log(`\n== ${folder} (${tarball}, ${(fs.statSync(file).size / 1024).toFixed(1)} KiB)`);
  if (run('npx', ['publint', 'run', file, '--strict']) !== 0) failures.push(`${folder}: publint`);
  if (run('npx', ['attw', file, '--profile', 'node16', '--format', 'table-flipped', '--no-emoji', '--no-color']) !== 0)
    failures.push(`${folder}: attw`);
}

if (failures.length) {
  console.error(`\ncheck:packages: ${failures.length} problem(s):\n  ${failures.join('\n  ')}`);
  process.exit(1);
}
console.log(`\ncheck:packages: ${PUBLISHED.length} packages packed; publint and attw report no problems`);
