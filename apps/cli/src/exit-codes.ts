/** Exit codes scripts can rely on; `dane --help` lists them. */
export const ExitCode = {
  OK: 0,
  /** The server reported a failure (or something unexpected went wrong). */
  FAILURE: 1,
  /** Bad arguments or a bad input file; nothing was sent to the server. */
  USAGE: 2,
  /** Nothing answered at the server URL. */
  UNREACHABLE: 3,
  /** The command ran, but some items failed (documents, tasks) or need a person. */
  SOME_FAILED: 4,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
