import { analyzeCommand, ANALYZE_USAGE } from './commands/analyze';
import { compressCommand, COMPRESS_USAGE } from './commands/compress';
import { generateCommand, GENERATE_USAGE } from './commands/generate';
import { inspectCommand, INSPECT_USAGE } from './commands/inspect';
import { mergeCommand, MERGE_USAGE } from './commands/merge';
import { trainCommand, TRAIN_USAGE } from './commands/train';
import { EXIT, UsageError } from './exit-codes';
import { Interrupts } from './interrupt';
import type { CliIO } from './output';
import { debugFromEnv, describeError, formatErrorReport } from './report-error';

const COMMANDS: Record<string, { run: (argv: string[], io: CliIO) => Promise<number>; usage: string }> = {
  train: { run: trainCommand, usage: TRAIN_USAGE },
  generate: { run: generateCommand, usage: GENERATE_USAGE },
  inspect: { run: inspectCommand, usage: INSPECT_USAGE },
  analyze: { run: analyzeCommand, usage: ANALYZE_USAGE },
  merge: { run: mergeCommand, usage: MERGE_USAGE },
  compress: { run: compressCommand, usage: COMPRESS_USAGE },
};

const HELP = [
  'loragen: generate LoRA adapters from task descriptions',
  '',
  ...Object.values(COMMANDS).map((c) => `  ${c.usage}`),
  '',
  'Exit codes: 0 ok, 1 internal error (a bug), 2 usage, 3 bad input (a path, config, library, adapter, checkpoint or',
  'value), 4 backend unavailable, 130 interrupted (SIGINT), 143 terminated (SIGTERM).',
  'Errors print one line and a hint; --debug (or LORAGEN_DEBUG=1) adds the stack trace.',
  '--out: a missing or empty folder is created and written atomically (nothing is left if the command fails or is',
  'interrupted); a non-empty one is refused unless --force, which writes the output files beside the others.',
].join('\n');

/** Runs one `loragen` invocation and returns its exit code; errors are printed, never thrown. */
export async function runCli(argv: string[], io: Pick<CliIO, 'stdout' | 'stderr'>): Promise<number> {
  const json = argv.includes('--json');
  const debug = argv.includes('--debug') || debugFromEnv();
  const [name, ...rest] = argv;
  const command = name ? COMMANDS[name] : undefined;
  const interrupts = new Interrupts(io.stderr);
  try {
    if (!name || name === '--help' || name === '-h') {
      io.stdout.write(`${HELP}\n`);
      return name ? EXIT.ok : EXIT.usage;
    }
    if (!command) throw new UsageError(`unknown command '${name}'`, `use one of ${Object.keys(COMMANDS).join(', ')}`);
    if (rest.includes('--help') || rest.includes('-h')) {
      io.stdout.write(`${command.usage}\n`);
      return EXIT.ok;
    }
    return await command.run(rest, { ...io, json, interrupts });
  } catch (err) {
    const report = describeError(err, { debug, stoppedBy: interrupts.stoppedBy });
    if (json) {
      const { name: errorName, message, hint, exitCode, stack } = report;
      io.stdout.write(`${JSON.stringify({ error: { name: errorName, message, hint, exitCode, stack } }, null, 2)}\n`);
    } else {
      io.stderr.write(formatErrorReport(`loragen ${name ?? ''}`.trimEnd(), report));
    }
    return report.exitCode;
  } finally {
    interrupts.dispose();
  }
}
