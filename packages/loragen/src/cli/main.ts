#!/usr/bin/env node
import { EXIT } from './exit-codes';
import { debugFromEnv, describeError, formatErrorReport } from './report-error';
import { runCli } from './run';

// runCli prints every error its command throws; these catch what escapes it (an error thrown from a callback,
// say), still without a stack trace unless asked for.
const crash = (err: unknown) => {
  process.stderr.write(
    formatErrorReport('loragen', describeError(err, { debug: process.argv.includes('--debug') || debugFromEnv(), exitCode: EXIT.internal })),
  );
  process.exit(EXIT.internal);
};
process.on('uncaughtException', crash);
process.on('unhandledRejection', crash);

runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }).then((code) => {
  process.exitCode = code;
});
