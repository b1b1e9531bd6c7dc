import { parseArgs } from 'node:util';

import { EXIT_CODE_TABLE, ExitCode } from './exit-codes.js';
import { CommandFailure, type CommandOutput, UsageError } from './io.js';

export type OutputFormat = 'json' | 'text';

interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  readonly multiple?: boolean;
  /** The value's placeholder in help: `--pid N`. */
  readonly value?: string;
  readonly help: string;
}

type OptionValue = string | boolean | (string | boolean)[] | undefined;

/** What a command is run with: its parsed options and arguments, and the output format. */
export class CommandInput {
  constructor(
    readonly name: string,
    private readonly values: Readonly<Record<string, OptionValue>>,
    readonly positionals: readonly string[],
    readonly format: OutputFormat,
  ) {}

  /** A string option's value, if given. */
  text(option: string): string | undefined {
    const value = this.values[option];
    return typeof value === 'string' ? value : undefined;
  }

  /** A repeatable string option's values, in order. */
  texts(option: string): string[] {
    const value = this.values[option];
    return Array.isArray(value) ? value.filter((each) => typeof each === 'string') : [];
  }

  flag(option: string): boolean {
    return this.values[option] === true;
  }

  /** The given options, for a command that must refuse some combinations. */
  given(option: string): boolean {
    return this.values[option] !== undefined;
  }
}

/**
 * One command of the CLI: its name (`svid fetch`), its options and arguments, and what runs
 * it. `--help`/`-h` is every command's; `--output`/`-o` and `--config`/`-c` are those of the
 * commands that say so.
 */
export interface CommandSpec {
  readonly name: string;
  readonly summary: string;
  /** The arguments as help shows them: `FILE...`, `REF`. */
  readonly arguments?: string;
  readonly positionals: { readonly min: number; readonly max: number };
  readonly options: Readonly<Record<string, OptionSpec>>;
  /** Takes --output json|text, this being the default. */
  readonly output?: OutputFormat;
  /** Takes --config FILE (-c): the agent's file, else the embedded default. */
  readonly config?: boolean;
  /** More lines of help, after the options. */
  readonly notes?: string;
  run(input: CommandInput): Promise<ExitCode>;
}

const HELP_OPTION: OptionSpec = { type: 'boolean', short: 'h', help: 'show this help' };
const CONFIG_OPTION: OptionSpec = {
  type: 'string',
  short: 'c',
  value: 'FILE',
  help: 'the configuration (default: /etc/attestor/agent.yaml, else the embedded default)',
};

function outputOption(format: OutputFormat): OptionSpec {
  return {
    type: 'string',
    short: 'o',
    value: 'FORMAT',
    help: `json or text (default ${format})`,
  };
}

/** Every option a command takes: its own and the common ones. */
function optionsOf(spec: CommandSpec): Record<string, OptionSpec> {
  return {
    ...spec.options,
    ...(spec.config === true ? { config: CONFIG_OPTION } : {}),
    ...(spec.output === undefined ? {} : { output: outputOption(spec.output) }),
    help: HELP_OPTION,
  };
}

/** The usage line of a command. */
function usageOf(spec: CommandSpec): string {
  return `attestor ${spec.name}${spec.arguments === undefined ? '' : ` ${spec.arguments}`} [options]`;
}

/** A command's own help: usage, summary, every option. */
function commandHelp(spec: CommandSpec): string {
  const rows = Object.entries(optionsOf(spec)).map(([name, option]) => [
    `${option.short === undefined ? '    ' : `-${option.short}, `}--${name}${option.value === undefined ? '' : ` ${option.value}`}`,
    option.help + (option.multiple === true ? ' (repeatable)' : ''),
  ]);
  const width = Math.max(...rows.map(([left = '']) => left.length)) + 2;
  return [
    `Usage: ${usageOf(spec)}`,
    '',
    `  ${spec.summary}`,
    '',
    'Options:',
    ...rows.map(([left = '', right = '']) => `  ${left.padEnd(width)}${right}`),
    ...(spec.notes === undefined ? [] : ['', spec.notes]),
    '',
  ].join('\n');
}

/** The help of the whole CLI: every command, and the exit codes. */
function globalHelp(specs: readonly CommandSpec[]): string {
  const width = Math.max(...specs.map((spec) => spec.name.length)) + 2;
  return [
    'attestor: identify the container behind a process, and its identity',
    '',
    'Usage: attestor COMMAND [options]',
    '',
    'Commands:',
    ...specs.map((spec) => `  ${spec.name.padEnd(width)}${spec.summary}`),
    `  ${'help COMMAND'.padEnd(width)}a command's options (also: attestor COMMAND --help)`,
    `  ${'version'.padEnd(width)}the version (also: attestor --version)`,
    '',
    'Exit codes:',
    ...EXIT_CODE_TABLE.map(([code, meaning]) => `  ${String(code).padEnd(4)}${meaning}`),
    '',
  ].join('\n');
}

/** `--output` as given anywhere in `args`, before it is parsed: errors follow it too. */
function requestedFormat(args: readonly string[]): string | undefined {
  let format: string | undefined;
  for (const [index, arg] of args.entries()) {
    if (arg === '--') break;
    if (arg === '-o' || arg === '--output') format = args[index + 1];
    else if (arg.startsWith('--output=')) format = arg.slice('--output='.length);
    else if (arg.startsWith('-o') && arg.length > 2 && !arg.startsWith('--')) format = arg.slice(2);
  }
  return format;
}

function isParseArgsError(error: unknown): error is Error {
  return (
    error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')
  );
}

/**
 * The command line: finds the command, answers `--help`, `help` and `version`, parses and
 * checks the options, runs the command, and turns every outcome into one exit code, printing
 * a failure once (as JSON on stdout under `--output json`).
 */
export class CommandLine {
  readonly #specs: readonly CommandSpec[];

  constructor(
    specs: readonly CommandSpec[],
    private readonly output: CommandOutput,
    private readonly version: string,
  ) {
    this.#specs = specs;
  }

  async run(argv: readonly string[]): Promise<ExitCode> {
    // Errors are JSON only when JSON was asked for, not where it is merely the default.
    let jsonErrors = false;
    let name = '';
    try {
      const [first, ...rest] = argv;
      switch (first) {
        case undefined:
          this.output.stderr(globalHelp(this.#specs));
          return ExitCode.usage;
        case '--help':
        case '-h':
          this.output.stdout(globalHelp(this.#specs));
          return ExitCode.ok;
        case 'help':
          return this.#help(rest);
        case '--version':
        case 'version': {
          jsonErrors = requestedFormat(rest) === 'json';
          const format = this.#format(requestedFormat(rest), 'text');
          if (rest.some((arg) => !['-o', '--output', 'json', 'text'].includes(arg)))
            throw new UsageError('version takes only --output json|text');
          this.output.stdout(
            format === 'json'
              ? `${JSON.stringify({ version: this.version })}\n`
              : `${this.version}\n`,
          );
          return ExitCode.ok;
        }
      }
      const { spec, args } = this.#find(argv);
      name = spec.name;
      const requested = spec.output === undefined ? undefined : requestedFormat(args);
      jsonErrors = requested === 'json';
      const format = spec.output === undefined ? 'text' : this.#format(requested, spec.output);
      if (
        args
          .slice(0, args.includes('--') ? args.indexOf('--') : undefined)
          .some((arg) => arg === '--help' || arg === '-h')
      ) {
        this.output.stdout(commandHelp(spec));
        return ExitCode.ok;
      }
      const { values, positionals } = parseArgs({
        args: [...args],
        options: optionsOf(spec),
        strict: true,
        allowPositionals: spec.positionals.max > 0,
      });
      if (positionals.length < spec.positionals.min || positionals.length > spec.positionals.max)
        throw new UsageError(
          `${spec.name} takes ${spec.arguments ?? 'no arguments'}, got ${String(positionals.length)} argument(s)`,
        );
      return await spec.run(new CommandInput(spec.name, values, positionals, format));
    } catch (error) {
      return this.#failed(error, name, jsonErrors);
    }
  }

  #help(names: readonly string[]): ExitCode {
    if (names.length === 0) {
      this.output.stdout(globalHelp(this.#specs));
      return ExitCode.ok;
    }
    const { spec, args } = this.#find(names);
    if (args.length > 0) throw new UsageError(`unknown command ${JSON.stringify(names.join(' '))}`);
    this.output.stdout(commandHelp(spec));
    return ExitCode.ok;
  }

  /** The command `argv` starts with, and the arguments after its name. */
  #find(argv: readonly string[]): { spec: CommandSpec; args: readonly string[] } {
    for (const spec of this.#specs) {
      const words = spec.name.split(' ');
      if (words.every((word, index) => argv[index] === word))
        return { spec, args: argv.slice(words.length) };
    }
    const [group, subcommand] = argv;
    const members = this.#specs
      .filter((spec) => spec.name.startsWith(`${group ?? ''} `))
      .map((spec) => spec.name.slice((group ?? '').length + 1));
    if (members.length === 0) throw new UsageError(`unknown command ${JSON.stringify(group)}`);
    const choices = members.join(', ');
    throw new UsageError(
      subcommand === undefined || subcommand.startsWith('-')
        ? `${group ?? ''} needs a subcommand: ${choices}`
        : `unknown ${group ?? ''} subcommand ${JSON.stringify(subcommand)} (one of ${choices})`,
    );
  }

  #format(requested: string | undefined, fallback: OutputFormat): OutputFormat {
    const format = requested ?? fallback;
    if (format !== 'json' && format !== 'text')
      throw new UsageError(`--output must be json or text, got ${JSON.stringify(format)}`);
    return format;
  }

  #failed(error: unknown, name: string, jsonErrors: boolean): ExitCode {
    const usage = error instanceof UsageError || isParseArgsError(error);
    if (!usage && !(error instanceof CommandFailure)) {
      this.output.stderr(
        `attestor: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      if (jsonErrors)
        this.output.stdout(
          `${JSON.stringify({ error: { code: 'internal', message: 'internal error' } })}\n`,
        );
      return ExitCode.internal;
    }
    const { code, exitCode } = usage ? { code: 'usage', exitCode: ExitCode.usage } : error;
    const message = (error as Error).message;
    if (jsonErrors) {
      this.output.stdout(`${JSON.stringify({ error: { code, message } })}\n`);
    } else if (usage) {
      this.output.stderr(
        `attestor: ${message}\nRun 'attestor ${name === '' ? '' : `${name} `}--help' for usage.\n`,
      );
    } else {
      this.output.stderr(`attestor ${name}: ${code}: ${message}\n`);
    }
    return exitCode;
  }
}
