import { StorageUnavailableError } from '@dane/protocol';
import type { ApiKeyRepository } from '../../auth/api-key.repository';
import type { CampaignRepository } from '../campaign.port';
import { DaneStore, DocumentRepository, ResultRepository, TaskRepository } from '../store.port';
import { SqlClient } from './sql-client';
import { SqlApiKeyRepository } from './sql-api-key.repository';
import { SqlCampaignRepository } from './sql-campaign.repository';
import { SqlPagingOptions } from './sql-paging';
import { SqlDocumentRepository } from './sql-document.repository';
import { SqlResultRepository } from './sql-result.repository';
import { SqlTaskRepository } from './sql-task.repository';

/** The store port over one SQL client; PostgreSQL and PGlite differ only in client and notifier. */
export class SqlStore implements DaneStore {
  readonly documents: DocumentRepository;
  readonly tasks: TaskRepository;
  readonly results: ResultRepository;
  readonly apiKeys: ApiKeyRepository;
  readonly campaigns: CampaignRepository;
  private closing: Promise<void> | undefined;

  constructor(
    readonly kind: 'postgres' | 'pglite',
    private readonly client: SqlClient,
    /** Where the data lives, for messages (`host:port/db` or the PGlite directory; no secrets). */
    readonly where: string,
    /** How the lists count their totals (readSqlPage); the defaults serve production. */
    paging: SqlPagingOptions = {},
  ) {
    this.documents = new SqlDocumentRepository(client, paging);
    this.tasks = new SqlTaskRepository(client, paging);
    this.results = new SqlResultRepository(client, paging);
    this.apiKeys = new SqlApiKeyRepository(client);
    this.campaigns = new SqlCampaignRepository(client);
  }

  async ping(): Promise<void> {
    try {
      await this.client.query('SELECT 1');
    } catch (err) {
      if (err instanceof StorageUnavailableError) throw err;
      throw new StorageUnavailableError(`${this.where} did not answer: ${(err as Error).message}`);
    }
  }

  /** Idempotent: Nest shutdown hooks and tests may both call it. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.client.close();
    })();
    return this.closing;
  }
}
