/** Base of every DANE error; `status` is the HTTP status the API answers with. */
export class DaneError extends Error {
  readonly status: number = 500;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}
