import { DaneApiError, ServerUnreachableError, TaskStateError } from '@dane/client';
import type { CliIo } from './cli-io';
import { InputError } from './errors/input-error';
import { UsageError } from './errors/usage-error';
import { ExitCode } from './exit-codes';

interface Report {
  code: ExitCode;
  message: string;
  hint?: string;
  status?: number;
}

function describe(err: unknown): Report {
  if (err instanceof UsageError) return { code: ExitCode.USAGE, message: err.message, hint: `see \`dane ${err.command ?? ''}${err.command ? ' ' : ''}--help\`` };
  if (err instanceof InputError) return { code: ExitCode.USAGE, message: err.message, hint: 'nothing was sent to the server' };
  if (err instanceof ServerUnreachableError) {
    return {
      code: ExitCode.UNREACHABLE,
      message: err.message,
      hint: `start DANE with \`dane up\` (or \`npm start\` in the dane-node folder), or point --url / DANE_URL at a running server`,
    };
  }
  if (err instanceof TaskStateError) return { code: ExitCode.FAILURE, message: err.message, status: err.status, hint: 'run it anyway with `dane retry --force <task_id>`' };
  if (err instanceof DaneApiError) return { code: ExitCode.FAILURE, message: `${err.message} (HTTP ${err.status} from ${err.method} ${err.url})`, status: err.status };
  return { code: ExitCode.FAILURE, message: `unexpected error: ${(err as Error)?.stack ?? err}` };
}

/** One clear message on stderr (a JSON line with --json) and the exit code for it. */
export function reportError(err: unknown, io: CliIo, json: boolean): ExitCode {
  const r = describe(err);
  if (json) {
    io.stderr.write(JSON.stringify({ error: r.message, hint: r.hint, status: r.status, exit_code: r.code }) + '\n');
  } else {
    io.stderr.write(`dane: ${r.message}\n${r.hint ? `  ${r.hint}\n` : ''}`);
  }
  return r.code;
}
