import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../apps/cli/src/cli';
import type { CliOutput } from '../../apps/cli/src/cli-io';

/** A terminal or a pipe that keeps what was written. */
class CapturedOutput implements CliOutput {
  text = '';
  constructor(
    readonly isTTY = false,
    readonly columns = 120,
  ) {}
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
}

export interface DaneRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface DaneRunOptions {
  cwd?: string;
  env?: Record<string, string>;
  /** Let stderr be a terminal (redrawn progress bar). */
  tty?: boolean;
  /** Resolves to stop a long command, like Ctrl-C. */
  interrupted?: Promise<void>;
}

/** `dane …` in this process, against whatever --url says; the environment is the test's alone. */
export async function dane(argv: string[], options: DaneRunOptions = {}): Promise<DaneRun> {
  const stdout = new CapturedOutput(options.tty ?? false);
  const stderr = new CapturedOutput(options.tty ?? false);
  const cwd = options.cwd ?? mkdtempSync(join(tmpdir(), 'dane-cli-cwd-'));
  const interrupted = options.interrupted;
  const code = await runCli(argv, { stdout, stderr, cwd, env: { USER: 'tester', ...options.env }, interrupted: interrupted && (() => interrupted) });
  return { code, stdout: stdout.text, stderr: stderr.text };
}
