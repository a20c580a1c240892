// Lets a plain `node` child process run this repository's TypeScript sources, the way jest does: .ts files are
// compiled to CommonJS by swc on require, and @loragen/* packages resolve to their src/ (never a stale dist/).
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');
const { transformSync } = require('@swc/core');

const root = path.resolve(__dirname, '../../../..');
const mapped = {
  '@loragen/lora-io/node': 'packages/lora-io/src/node.ts',
  '@loragen/lora-io': 'packages/lora-io/src/index.ts',
  '@loragen/weight-space': 'packages/weight-space/src/index.ts',
  '@loragen/moe-decoder': 'packages/moe-decoder/src/index.ts',
  '@loragen/latent-diffusion': 'packages/latent-diffusion/src/index.ts',
};

const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, parent, ...rest) {
  if (mapped[request]) return path.join(root, mapped[request]);
  if (request.startsWith('.') && parent && parent.filename && parent.filename.endsWith('.ts')) {
    const base = path.resolve(path.dirname(parent.filename), request);
    for (const candidate of [`${base}.ts`, path.join(base, 'index.ts')]) if (fs.existsSync(candidate)) return candidate;
  }
  return resolve.call(this, request, parent, ...rest);
};

require.extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), {
    filename,
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'commonjs' },
  });
  module._compile(code, filename);
};
