import type { ApiKeyRepository } from '../../auth/api-key.repository';
import { DaneStore, DocumentRepository, ResultRepository, TaskRepository } from '../store.port';
import { EsApiKeyRepository } from './es-api-key.repository';
import { EsDocumentRepository } from './es-document.repository';
import { EsIndex } from './es-index';
import { EsResultRepository } from './es-result.repository';
import { EsTaskRepository } from './es-task.repository';

/**
 * The store port over one Elasticsearch index in the original DANE layout
 * (docs/protocol.md, Elasticsearch layout). Elasticsearch has no notifications, so wake-ups stay in this
 * process; dispatchers in other processes find new work on their sweep interval.
 */
export class ElasticsearchStore implements DaneStore {
  readonly kind = 'elasticsearch' as const;
  readonly documents: DocumentRepository;
  readonly tasks: TaskRepository;
  readonly results: ResultRepository;
  readonly apiKeys: ApiKeyRepository;
  private closing: Promise<void> | undefined;

  constructor(private readonly index: EsIndex) {
    this.documents = new EsDocumentRepository(index);
    this.tasks = new EsTaskRepository(index);
    this.results = new EsResultRepository(index);
    this.apiKeys = new EsApiKeyRepository(index);
  }

  /** `Elasticsearch host:port/index`, for messages (no credentials). */
  get where(): string {
    return this.index.where;
  }

  ping(): Promise<void> {
    return this.index.ping();
  }

  /** Idempotent: Nest shutdown hooks and tests may both call it. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.index.close();
    })();
    return this.closing;
  }
}
