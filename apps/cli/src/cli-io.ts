/** A stream the CLI writes to; `isTTY`/`columns` decide between a redrawn display and plain lines. */
export interface CliOutput {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** Everything the CLI takes from its process, so that tests can run it in-process. */
export interface CliIo {
  stdout: CliOutput;
  stderr: CliOutput;
  env: Record<string, string | undefined>;
  cwd: string;
  /**
   * Resolves when the user asks to stop (SIGINT/SIGTERM). Long-running commands race it; calling
   * it is what takes the signals over, so other commands keep Ctrl-C's default.
   */
  interrupted?: () => Promise<void>;
}

export function processIo(): CliIo {
  let interrupted: Promise<void> | undefined;
  const onInterrupt = () =>
    (interrupted ??= new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    }));
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd(), interrupted: onInterrupt };
}
