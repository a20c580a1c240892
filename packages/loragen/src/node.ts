// Node-only entry point (file-system checkpoints, the CLI's helpers).
export * from './index';
export { EXIT, exitCodeFor } from './cli/exit-codes';
export { describeError, formatErrorReport, reportError, debugFromEnv, type ErrorReport } from './cli/report-error';
