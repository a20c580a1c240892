// `npm test`: first the system pieces the tests need (Chromium, and a Vulkan driver for the webgpu lane), installed
// as CI does or refused at once with the command to run (system-deps.mjs); then every project's jest suite through
// nx, then the published-package checks, then ONE totals line summed over all jest results (.jest-results/*.json,
// written by tools/build/jest-results-reporter.cjs). Exits non-zero if anything failed or no test ran.
import fs from 'node:fs';
import path from 'node:path';
import { ensureSystemDeps } from './system-deps.mjs';
import { NX_ENV, ROOT, run } from './workspace.mjs';

const env = { ...ensureSystemDeps(NX_ENV), NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' };

const resultsDir = path.join(ROOT, '.jest-results');
fs.rmSync(resultsDir, { recursive: true, force: true });

const extra = process.argv.slice(2);
const nxStatus = run('npx', ['nx', 'run-many', '-t', 'test', '--parallel=2', '--outputStyle=stream', ...extra], { env });
const packagesStatus = run('node', [path.join(ROOT, 'tools/scripts/check-packages.mjs')], { env });

const totals = { passed: 0, failed: 0, skipped: 0 };
const files = fs.existsSync(resultsDir) ? fs.readdirSync(resultsDir).filter((f) => f.endsWith('.json')) : [];
for (const f of files) {
  const r = JSON.parse(fs.readFileSync(path.join(resultsDir, f), 'utf8'));
  totals.passed += r.passed;
  totals.failed += r.failed;
  totals.skipped += r.skipped;
}

console.log(`\njest projects reporting: ${files.length}; nx exit ${nxStatus}; check:packages exit ${packagesStatus}`);
console.log(`tests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
const ok = nxStatus === 0 && packagesStatus === 0 && totals.failed === 0 && totals.passed > 0;
process.exit(ok ? 0 : 1);
