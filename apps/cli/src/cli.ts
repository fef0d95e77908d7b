import { DaneClient } from '@dane/client';
import type { CliIo } from './cli-io';
import { COMMANDS } from './commands';
import { UsageError } from './errors/usage-error';
import { ExitCode } from './exit-codes';
import { parseCommandArgs, splitCommand } from './parse-argv';
import { reportError } from './report-error';
import { DEFAULT_URL, mainHelp } from './usage';

/**
 * `dane <command> [options]`: parses, runs the command, and turns every error into one message
 * and an exit code (see `dane --help`). Returns the exit code; never calls process.exit, so tests
 * run it in-process.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  const { command: name, rest } = splitCommand(argv);
  const json = rest.includes('--json');
  try {
    if (name === undefined || name === 'help') {
      const topic = name === 'help' ? COMMANDS.find((c) => c.name === rest[0]) : undefined;
      if (name === undefined && !rest.some((a) => a === '--help' || a === '-h')) {
        io.stderr.write(mainHelp(COMMANDS));
        return rest.length ? ExitCode.USAGE : ExitCode.OK;
      }
      io.stdout.write((topic?.help ?? mainHelp(COMMANDS)).trimEnd() + '\n');
      return ExitCode.OK;
    }
    const command = COMMANDS.find((c) => c.name === name);
    if (!command) throw new UsageError(`unknown command ${JSON.stringify(name)}; commands: ${COMMANDS.map((c) => c.name).join(', ')}`);
    const parsed = parseCommandArgs(command.name, rest, command.options, command.passThrough);
    if (parsed.options.help) {
      io.stdout.write(command.help.trimEnd() + '\n');
      return ExitCode.OK;
    }
    const urlOption = parsed.options.url as string | undefined;
    const url = urlOption ?? io.env.DANE_URL ?? DEFAULT_URL;
    const token = (parsed.options.token as string | undefined) ?? io.env.DANE_TOKEN;
    let client: DaneClient;
    try {
      client = new DaneClient({ baseUrl: url, token });
    } catch (err) {
      throw new UsageError(`--url: ${(err as Error).message}`, command.name);
    }
    return await command.run({
      io,
      url: client.baseUrl,
      urlGiven: urlOption !== undefined || io.env.DANE_URL !== undefined,
      token,
      json: Boolean(parsed.options.json),
      client,
      positionals: parsed.positionals,
      options: parsed.options,
      passThrough: parsed.passThrough,
    });
  } catch (err) {
    return reportError(err, io, json);
  }
}
