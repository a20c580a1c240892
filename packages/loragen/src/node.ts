// Node-only entry point (file-system checkpoints, the CLI's helpers: errors and exit codes, option parsing, the
// progress bar), for `loragen` and the programs built on LoRAGen.
export * from './index';
export { EXIT, exitCodeFor, UsageError } from './cli/exit-codes';
export { COMMON_OPTIONS, integer, listOf, oneOf, parseOptions, type OptionDefinitions, type OptionValues } from './cli/args';
export { formatDuration, ProgressBar } from './cli/progress-bar';
export { describeError, formatErrorReport, reportError, debugFromEnv, type ErrorReport } from './cli/report-error';
