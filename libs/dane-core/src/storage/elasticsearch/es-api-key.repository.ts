import { ApiKeyRecord } from '../../auth/api-key';
import { ApiKeyRepository } from '../../auth/api-key.repository';
import { isRole } from '../../auth/roles';
import { Page, PageRequest } from '@dane/protocol';
import { EsIndex } from './es-index';
import { statusOf } from './es-errors';
import { MAX_WINDOW, Sort, walkPast, withPointInTime } from './paging';

type Source = Omit<ApiKeyRecord, 'id'>;

const MAPPING = {
  properties: {
    name: { type: 'keyword' },
    role: { type: 'keyword' },
    salt: { type: 'keyword', index: false },
    hash: { type: 'keyword', index: false },
    created_at: { type: 'date' },
    last_used_at: { type: 'date' },
  },
};

const KEY_ORDER: Sort = [{ created_at: 'asc' }];

function fromHit(id: string, s: Source): ApiKeyRecord {
  return { id, name: s.name, role: isRole(s.role) ? s.role : 'read', salt: s.salt, hash: s.hash, created_at: s.created_at, last_used_at: s.last_used_at ?? null };
}

/**
 * API keys in their own index `<INDEX>-api-keys`, never in the DANE index: Python readers of that index
 * (docs/protocol.md, Elasticsearch layout) would trip over documents of an unknown kind. Created on the first
 * key; a missing index reads as "no keys".
 */
export class EsApiKeyRepository implements ApiKeyRepository {
  private readonly name: string;
  private ensured?: Promise<void>;

  constructor(private readonly index: EsIndex) {
    this.name = `${index.name}-api-keys`;
  }

  async insert(r: ApiKeyRecord): Promise<void> {
    await this.ensureIndex();
    const { id, ...source } = r;
    await this.index.call('store an API key', () => this.index.client.index({ index: this.name, id, op_type: 'create', refresh: 'wait_for', body: source }));
  }

  async findById(id: string): Promise<ApiKeyRecord | null> {
    const body = await this.index.call('read an API key', () => this.index.client.get<{ found: boolean; _source: Source }>({ index: this.name, id }, { ignore: [404] }));
    return body.found ? fromHit(id, body._source) : null;
  }

  /**
   * Oldest first. Pages within Elasticsearch's 10,000-hit window are one from/size search; deeper
   * ones (from/size would answer 400) walk there in a point in time on the key index (paging.ts).
   */
  async list(page: PageRequest): Promise<Page<ApiKeyRecord>> {
    const from = (page.page - 1) * page.size;
    const query = { match_all: {} };
    if (from + page.size > MAX_WINDOW) return this.deepPage(page, from);
    const body = await this.index.call('list API keys', () =>
      this.index.client.search<{ hits: { total: { value: number }; hits: { _id: string; _source: Source }[] } }>(
        { index: this.name, body: { query, sort: KEY_ORDER, from, size: page.size, track_total_hits: true } },
        { ignore: [404] },
      ),
    );
    const hits = body.hits?.hits ?? [];
    return { items: hits.map((h) => fromHit(h._id, h._source)), total: body.hits?.total?.value ?? 0, page: page.page, size: page.size };
  }

  private async deepPage(page: PageRequest, from: number): Promise<Page<ApiKeyRecord>> {
    const total = await this.count();
    if (total <= from) return { items: [], total, page: page.page, size: page.size };
    const query = { match_all: {} };
    const hits = await withPointInTime(
      this.index,
      async (pit) => {
        const { after, walked } = await walkPast(pit, query, KEY_ORDER, from);
        if (walked < from) return [];
        return (await pit.search<Source>({ query, size: page.size, search_after: after, track_total_hits: false }, KEY_ORDER)).hits;
      },
      this.name,
    );
    return { items: hits.map((h) => fromHit(h._id, h._source)), total, page: page.page, size: page.size };
  }

  async count(): Promise<number> {
    const body = await this.index.call('count API keys', () => this.index.client.count<{ count?: number }>({ index: this.name }, { ignore: [404] }));
    return body.count ?? 0;
  }

  async delete(id: string): Promise<boolean> {
    const body = await this.index.call('delete an API key', () => this.index.client.delete<{ result?: string }>({ index: this.name, id, refresh: 'wait_for' }, { ignore: [404] }));
    return body.result === 'deleted';
  }

  async touch(id: string, at: string): Promise<void> {
    await this.index.call('note the use of an API key', () => this.index.client.update({ index: this.name, id, body: { doc: { last_used_at: at } } }, { ignore: [404] }));
  }

  private ensureIndex(): Promise<void> {
    this.ensured ??= (async () => {
      try {
        await this.index.client.indices.create({ index: this.name, body: { settings: { number_of_shards: 1 }, mappings: MAPPING } });
      } catch (err) {
        if (statusOf(err) !== 400) {
          this.ensured = undefined;
          throw this.index.fail(err, 'create the API key index');
        }
        // 400 resource_already_exists_exception: another process made it.
      }
    })();
    return this.ensured;
  }
}
