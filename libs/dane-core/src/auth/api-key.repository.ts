import { Page, PageRequest } from '@dane/protocol';
import { ApiKeyRecord } from './api-key';

/** Where API keys live: the `api_keys` table (SQL stores) or the `<INDEX>-api-keys` index (Elasticsearch). */
export interface ApiKeyRepository {
  /** Create-only; ids are random, so a collision is a bug and throws. */
  insert(record: ApiKeyRecord): Promise<void>;
  findById(id: string): Promise<ApiKeyRecord | null>;
  /** Oldest first. */
  list(page: PageRequest): Promise<Page<ApiKeyRecord>>;
  count(): Promise<number>;
  /** False when it did not exist. */
  delete(id: string): Promise<boolean>;
  /** Records when the key was last used (best effort; callers throttle it). */
  touch(id: string, at: string): Promise<void>;
}
