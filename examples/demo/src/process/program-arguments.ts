// The command line of one of the demo's programs: parsed strictly by core's parseOptions (mistakes are UsageErrors,
// exit 2, with the usage as hint), and `--help` answered here.
import { COMMON_OPTIONS, parseOptions, type OptionDefinitions, type OptionValues } from '@loragen/core/node';

/** A program's options, its one-line usage (the hint of every usage error) and what `--help` adds below it. */
export interface ProgramSpec<O extends OptionDefinitions> {
  options: O;
  usage: string;
  about: readonly string[];
}

/** Options every program has: `--help` (answered by {@link programArguments}) and `--debug` (stack traces of errors). */
const EVERY_PROGRAM = { help: COMMON_OPTIONS.help, debug: COMMON_OPTIONS.debug } as const;

/** A program's spec from its own options (those of every program added), usage and about lines. */
export function defineProgram<const O extends OptionDefinitions>(spec: ProgramSpec<O>): ProgramSpec<O & typeof EVERY_PROGRAM> {
  return { ...spec, options: { ...spec.options, ...EVERY_PROGRAM } };
}

/** Options that take a value (`--name VALUE`), each read as a string. */
export function valueOptions<const N extends string>(...names: N[]): Record<N, { type: 'string' }> {
  return Object.fromEntries(names.map((name) => [name, { type: 'string' }])) as Record<N, { type: 'string' }>;
}

/** The option values a program's spec parses to. */
export type ProgramValues<S> = S extends ProgramSpec<infer O> ? OptionValues<O> : never;

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
