// The command line of one of the demo's programs: parsed strictly by core's parseOptions (mistakes are UsageErrors,
// exit 2, with the usage as hint), and `--help` answered here.
import { parseOptions, type OptionDefinitions, type OptionValues } from '@loragen/core/node';

/** A program's options, its one-line usage (the hint of every usage error) and what `--help` adds below it. */
export interface ProgramSpec<O extends OptionDefinitions> {
  options: O;
  usage: string;
  about: readonly string[];
}

/**
 * The option values of `argv`; with `--help` (an option `spec` must define) prints the usage and `about` to
 * `stdout` and returns `undefined`: the program then has nothing more to do.
 */
export function programArguments<O extends OptionDefinitions>(
  spec: ProgramSpec<O>,
  argv: string[] = process.argv.slice(2),
  stdout: { write(text: string): unknown } = process.stdout,
): OptionValues<O> | undefined {
  const { values } = parseOptions(argv, spec.options, spec.usage);
  if ((values as { help?: boolean }).help) {
    stdout.write(`${[spec.usage, '', ...spec.about].join('\n')}\n`);
    return undefined;
  }
  return values;
}
