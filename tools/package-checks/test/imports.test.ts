import fs from 'node:fs';
import path from 'node:path';
import { ROOT, runNode } from './run-node';

const PACKAGES = ['@loragen/lora-io', '@loragen/weight-space', '@loragen/moe-decoder', '@loragen/latent-diffusion', '@loragen/core'];
const SUBPATHS = ['@loragen/lora-io/node', '@loragen/core/node'];
const ALL = [...PACKAGES, ...SUBPATHS];

describe('built packages load in plain Node', () => {
  it.each(ALL)('%s has its ESM and CJS builds on disk', (spec) => {
    const pkgJson = require.resolve(`${spec.split('/').slice(0, 2).join('/')}/package.json`, { paths: [ROOT] });
    const dist = path.join(path.dirname(pkgJson), 'dist');
    const entry = spec.split('/')[2] ?? 'index';
    for (const ext of ['.js', '.cjs', '.d.ts', '.d.cts']) {
      expect(fs.existsSync(path.join(dist, entry + ext))).toBe(true);
    }
  });

  it('an ESM script imports every package', () => {
    const src =
      ALL.map((p, i) => `import * as m${i} from '${p}';`).join('\n') +
      `\nconsole.log(JSON.stringify([${ALL.map((_, i) => `Object.keys(m${i}).length`).join(',')}]));`;
    const res = runNode(src, 'esm');
    expect(res.stderr).not.toMatch(/Error/);
    expect(res.status).toBe(0);
    const counts = JSON.parse(res.stdout.trim().split('\n').pop()!) as number[];
    expect(counts.every((n) => n > 0)).toBe(true);
  });

  it('a CommonJS script requires every package', () => {
    const src = `const counts = ${JSON.stringify(ALL)}.map((p) => Object.keys(require(p)).length);\n` + 'console.log(JSON.stringify(counts));';
    const res = runNode(src, 'cjs');
    expect(res.stderr).not.toMatch(/Error/);
    expect(res.status).toBe(0);
    const counts = JSON.parse(res.stdout.trim().split('\n').pop()!) as number[];
    expect(counts.every((n) => n > 0)).toBe(true);
  });
});
