import type { CliIo } from '../cli-io';

/** Lines of human output on stdout. */
export function printLines(io: CliIo, lines: readonly string[]): void {
  if (lines.length) io.stdout.write(lines.join('\n') + '\n');
}

/** `--json` output: one JSON document on stdout. */
export function printJson(io: CliIo, value: unknown): void {
  io.stdout.write(JSON.stringify(value, null, 2) + '\n');
}
