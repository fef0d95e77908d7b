/**
 * For the DTO specs: the 400 message a reader refuses `input` with (the reader must throw a
 * ValidationError; accepting the input fails the test).
 */
export function refusalOf(read: (input: unknown) => unknown): (input: unknown) => string {
  return (input) => {
    try {
      read(input);
    } catch (err) {
      expect(err).toMatchObject({ name: 'ValidationError', status: 400 });
      return (err as Error).message;
    }
    throw new Error(`accepted: ${JSON.stringify(input)}`);
  };
}
