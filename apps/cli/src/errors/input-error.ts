/** A bad input file, named with the line (or item) that is wrong: exit code 2, nothing sent. */
export class InputError extends Error {
  constructor(
    readonly file: string,
    /** `line 7`, `item 3`, `line 4 column 9`; empty when the whole file is wrong. */
    readonly where: string,
    readonly problem: string,
  ) {
    super(where ? `${file} ${where}: ${problem}` : `${file}: ${problem}`);
    this.name = 'InputError';
  }
}
