/** Bad arguments: exit code 2, with a pointer to the command's help. */
export class UsageError extends Error {
  constructor(
    message: string,
    /** The command whose `--help` would have helped. */
    readonly command?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}
