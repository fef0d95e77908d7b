import type { DaneClient } from '../dane-client';
import { ClientUsageError } from '../errors/client-usage-error';

/** The client a model object talks through, or the error Python gave as "Requires an API to be set". */
export function requireClient(client: DaneClient | undefined, what: string): DaneClient {
  if (!client) throw new ClientUsageError(`${what} needs a DaneClient: create it with client.document()/client.task()/client.result(), or call setClient(client)`);
  return client;
}

/** The `_id` of a registered object, or Python's UnregisteredError. */
export function requireId(id: string | undefined, what: string): string {
  if (!id) throw new ClientUsageError(`${what} is not registered yet (it has no _id)`);
  return id;
}
