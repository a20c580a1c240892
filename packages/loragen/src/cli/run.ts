import { analyzeCommand, ANALYZE_USAGE } from './commands/analyze';
import { compressCommand, COMPRESS_USAGE } from './commands/compress';
import { generateCommand, GENERATE_USAGE } from './commands/generate';
import { inspectCommand, INSPECT_USAGE } from './commands/inspect';
import { mergeCommand, MERGE_USAGE } from './commands/merge';
import { trainCommand, TRAIN_USAGE } from './commands/train';
import { EXIT, exitCodeFor, UsageError } from './exit-codes';
import type { CliIO } from './output';

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
  'Exit codes: 0 ok, 1 internal error, 2 usage, 3 bad input (config, library, adapter, checkpoint), 4 backend unavailable, 130 interrupted.',
].join('\n');

/** Runs one `loragen` invocation and returns its exit code; errors are printed, never thrown. */
export async function runCli(argv: string[], io: Omit<CliIO, 'json'>): Promise<number> {
  const json = argv.includes('--json');
  const [name, ...rest] = argv;
  const command = name ? COMMANDS[name] : undefined;
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
    return await command.run(rest, { ...io, json });
  } catch (err) {
    const code = exitCodeFor(err);
    const e = err as Error;
    if (json) {
      // LoraGenError and lora-io's typed errors carry a hint
      const given = (err as { hint?: unknown } | null)?.hint;
      const hint = typeof given === 'string' ? given : undefined;
      io.stdout.write(`${JSON.stringify({ error: { name: e.name, message: hint ? e.message.split('\n  hint: ')[0] : e.message, hint, exitCode: code } }, null, 2)}\n`);
    } else {
      io.stderr.write(`loragen ${name ?? ''}: ${e.name}: ${e.message}\n`);
      if (code === EXIT.internal && e.stack) io.stderr.write(`${e.stack}\n`);
    }
    return code;
  }
}
