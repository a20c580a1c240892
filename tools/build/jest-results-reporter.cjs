// Writes this jest run's totals to <workspace>/.jest-results/<project>.json, so that
// tools/scripts/run-tests.mjs can print one totals line for the whole monorepo.
const fs = require('node:fs');
const path = require('node:path');

class ResultsFileReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
  }

  onRunComplete(_contexts, results) {
    const workspace = path.resolve(__dirname, '..', '..');
    const dir = path.join(workspace, '.jest-results');
    fs.mkdirSync(dir, { recursive: true });
    const name = path.relative(workspace, this.rootDir).replace(/[\\/]/g, '__') || 'root';
    const summary = {
      project: path.relative(workspace, this.rootDir),
      passed: results.numPassedTests,
      failed: results.numFailedTests + results.numRuntimeErrorTestSuites,
      skipped: results.numPendingTests + results.numTodoTests,
      suitesFailed: results.numFailedTestSuites,
    };
    const file = path.join(dir, `${name}.json`);
    fs.writeFileSync(`${file}.tmp`, JSON.stringify(summary, null, 2));
    fs.renameSync(`${file}.tmp`, file);
  }
}

module.exports = ResultsFileReporter;
