import type { Command } from './command';

export const DEFAULT_URL = 'http://localhost:5500';

/** `dane --help`: commands, global options, and the exit codes scripts can test. */
export function mainHelp(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return `dane — the DANE command line: submit media, follow tasks, fix failures, run workers

Usage: dane <command> [options]        dane <command> --help for the command's options

Commands:
${commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Global options:
  --url URL      the DANE server (default: $DANE_URL, else ${DEFAULT_URL})
  --token TOKEN  sent as "Authorization: Bearer TOKEN" (default: $DANE_TOKEN)
  --json         machine-readable output on stdout (progress and errors stay on stderr)
  -h, --help     this help

Exit codes:
  0  ok
  1  the server reported a failure (the message says which), or an unexpected error
  2  usage error: bad arguments or a bad input file (nothing was sent)
  3  the server is unreachable (start it with \`dane up\` or \`npm start\`)
  4  some items failed: documents or tasks of a submit, tasks needing a person at the end of watch
`;
}
