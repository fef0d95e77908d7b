import { Client } from '@elastic/elasticsearch';
import { statusOf, translateError } from './es-errors';
import { Refresh } from './refresh-policy';

/** One stored document as GET, MGET and search hits return it. */
export interface EsHit<S = Record<string, unknown>> {
  _id: string;
  _source: S;
  _seq_no?: number;
  _primary_term?: number;
  _routing?: string;
  sort?: unknown[];
}

/** The version a conditional write names: it applies only while the document is still at it. */
export interface Version {
  seqNo: number;
  primaryTerm: number;
}

export interface BulkItem {
  status: number;
  error?: { type?: string; reason?: string; caused_by?: { reason?: string } };
  _id?: string;
}

export interface SearchResult<S> {
  hits: EsHit<S>[];
  total: number;
  aggregations?: Record<string, unknown>;
}

export type Query = Record<string, unknown>;

interface GetBody<S> extends EsHit<S> {
  found: boolean;
}

/** `version` of a hit read with seq_no_primary_term (GET and MGET always carry it). */
export function versionOf(hit: EsHit<unknown>): Version {
  if (hit._seq_no === undefined || hit._primary_term === undefined) throw new Error(`Document ${hit._id} was read without its version`);
  return { seqNo: hit._seq_no, primaryTerm: hit._primary_term };
}

/**
 * The one index the store lives in, over the 7.x client. Every call goes through `call`, which
 * turns transport failures into StorageUnavailableError naming the cluster. Reads by id are GETs,
 * which are realtime: they see every write at once, refreshed or not.
 */
export class EsIndex {
  constructor(
    readonly client: Client,
    readonly name: string,
    /** `Elasticsearch host:port/index`, for messages. */
    readonly where: string,
  ) {}

  async call<T>(what: string, request: () => Promise<{ body: T }>): Promise<T> {
    try {
      return (await request()).body;
    } catch (err) {
      throw this.fail(err, what);
    }
  }

  /** The error to throw for a failed call; `what` completes "could not …". */
  fail(err: unknown, what: string): unknown {
    return translateError(err, this.where, what);
  }

  async get<S>(id: string): Promise<EsHit<S> | null> {
    const body = await this.call('read a document', () => this.client.get<GetBody<S>>({ index: this.name, id }, { ignore: [404] }));
    return body.found ? body : null;
  }

  /** The documents that exist, in the order asked for. */
  async mget<S>(ids: string[]): Promise<EsHit<S>[]> {
    const unique = [...new Set(ids.filter((id) => id !== ''))];
    if (unique.length === 0) return [];
    const body = await this.call('read documents', () => this.client.mget<{ docs: GetBody<S>[] }>({ index: this.name, body: { ids: unique } }));
    return body.docs.filter((d) => d.found);
  }

  /** Create-only (`op_type=create`, as the original writes): false when the id is taken. */
  async create(id: string, source: object, options: { routing?: string; refresh: Refresh; what: string }): Promise<boolean> {
    try {
      await this.client.index({ index: this.name, id, op_type: 'create', routing: options.routing, refresh: options.refresh, body: source });
      return true;
    } catch (err) {
      if (statusOf(err) === 409) return false;
      throw this.fail(err, options.what);
    }
  }

  /** A partial update applied only at `version`; false when the document moved on (409) or is gone (404). */
  async updateAt(id: string, version: Version, doc: object, options: { routing?: string; refresh: Refresh; what: string }): Promise<boolean> {
    try {
      await this.client.update({
        index: this.name,
        id,
        routing: options.routing,
        if_seq_no: version.seqNo,
        if_primary_term: version.primaryTerm,
        refresh: options.refresh,
        body: { doc },
      });
      return true;
    } catch (err) {
      const status = statusOf(err);
      if (status === 409 || status === 404) return false;
      throw this.fail(err, options.what);
    }
  }

  async delete(id: string, options: { routing?: string; refresh: Refresh }): Promise<boolean> {
    const body = await this.call('delete a document', () =>
      this.client.delete<{ result: string }>({ index: this.name, id, routing: options.routing, refresh: options.refresh }, { ignore: [404] }),
    );
    return body.result === 'deleted';
  }

  /** Items in the order of the actions; an empty list sends nothing. */
  async bulk(lines: object[], refresh: Refresh, what: string): Promise<BulkItem[]> {
    if (lines.length === 0) return [];
    const body = await this.call(what, () => this.client.bulk<{ items: Record<string, BulkItem>[] }>({ index: this.name, refresh, body: lines }));
    return body.items.map((item) => Object.values(item)[0]);
  }

  async search<S>(body: Query): Promise<SearchResult<S>> {
    const res = await this.call('search', () =>
      this.client.search<{ hits: { total: { value: number }; hits: EsHit<S>[] }; aggregations?: Record<string, unknown> }>({ index: this.name, body }),
    );
    return { hits: res.hits.hits, total: res.hits.total?.value ?? 0, aggregations: res.aggregations };
  }

  /** Deletes what `query` matches now; refreshed afterwards, as the original's deletions (docs/protocol.md, Writes). */
  async deleteByQuery(query: Query): Promise<{ deleted: number; conflicts: number }> {
    const body = await this.call('delete documents', () =>
      this.client.deleteByQuery<{ deleted: number; version_conflicts: number }>({
        index: this.name,
        refresh: true,
        conflicts: 'proceed',
        body: { query },
      }),
    );
    return { deleted: body.deleted, conflicts: body.version_conflicts };
  }

  async updateByQuery(body: Query): Promise<{ updated: number; conflicts: number }> {
    const res = await this.call('update documents', () =>
      this.client.updateByQuery<{ updated: number; version_conflicts: number }>({ index: this.name, refresh: true, conflicts: 'proceed', body }),
    );
    return { updated: res.updated, conflicts: res.version_conflicts };
  }

  async refresh(): Promise<void> {
    await this.call('refresh the index', () => this.client.indices.refresh({ index: this.name }));
  }

  async ping(): Promise<void> {
    await this.call('answer a ping', () => this.client.ping());
  }

  close(): Promise<void> {
    return this.client.close();
  }
}
