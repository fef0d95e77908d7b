import type { ParseArgsConfig } from 'node:util';
import type { DaneClient } from '@dane/client';
import type { CliIo } from './cli-io';
import type { ExitCode } from './exit-codes';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;
export type OptionValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

/** What every command gets: the io, the parsed arguments, and a client for the chosen server. */
export interface CommandContext {
  io: CliIo;
  /** The server root, e.g. http://localhost:5500. */
  url: string;
  /** Whether --url or DANE_URL chose it (else it is the default). */
  urlGiven: boolean;
  token?: string;
  json: boolean;
  client: DaneClient;
  positionals: string[];
  options: OptionValues;
  /** Arguments after the first positional, untouched (only for commands with passThrough). */
  passThrough: string[];
}

export interface Command {
  name: string;
  /** One line for `dane --help`. */
  summary: string;
  /** The command's own `--help`. */
  help: string;
  options: OptionSpec;
  /** Everything after the first positional goes to the command unparsed (`dane worker <module> …`). */
  passThrough?: boolean;
  run(ctx: CommandContext): Promise<ExitCode>;
}
