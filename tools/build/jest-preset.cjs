// Shared jest settings: TypeScript through swc, workspace packages resolved to their
// sources (so a test never runs against a stale dist/), and one JSON result file per
// project that tools/scripts/run-tests.mjs sums into the CI totals line.
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..');
const pkg = (dir) => path.join(root, dir);

const moduleNameMapper = {
  '^@loragen/test-utils$': pkg('tools/test-utils/src/index.ts'),
  '^@loragen/lora-io/node$': pkg('packages/lora-io/src/node.ts'),
  '^@loragen/lora-io$': pkg('packages/lora-io/src/index.ts'),
  '^@loragen/weight-space$': pkg('packages/weight-space/src/index.ts'),
  '^@loragen/moe-decoder$': pkg('packages/moe-decoder/src/index.ts'),
  '^@loragen/latent-diffusion$': pkg('packages/latent-diffusion/src/index.ts'),
  '^@loragen/core$': pkg('packages/loragen/src/index.ts'),
  '^@loragen/core/node$': pkg('packages/loragen/src/node.ts'),
};

/** @param {string} projectDir */
module.exports = function jestConfig(projectDir, overrides = {}) {
  return {
    rootDir: projectDir,
    testEnvironment: 'node',
    testMatch: ['<rootDir>/test/**/*.test.ts'],
    transform: {
      '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
    },
    moduleNameMapper,
    testTimeout: 120000,
    // every test's name and backend in the CI log, not only the failures
    verbose: true,
    setupFiles: [path.join(__dirname, 'jest-setup.cjs')],
    setupFilesAfterEnv: [path.join(__dirname, 'jest-release-gpu.cjs')],
    reporters: ['default', path.join(__dirname, 'jest-results-reporter.cjs')],
    ...overrides,
  };
};
