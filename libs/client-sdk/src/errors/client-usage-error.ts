/**
 * A model object used in a way that cannot work, before anything is sent: no client bound to it
 * (Python's "Requires an API to be set") or no `_id` yet (Python's UnregisteredError).
 */
export class ClientUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}
