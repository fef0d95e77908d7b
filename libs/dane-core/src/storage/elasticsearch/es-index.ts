import { Client } from '@elastic/elasticsearch';
import { Logger } from '@nestjs/common';
import { StorageUnavailableError } from '@dane/protocol';
import { isForbidden, isIndexNotFound, reasonOf, statusOf, translateError } from './es-errors';
import { Refresh, RefreshMode, refreshParam } from './refresh-policy';

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
  /** An mget doc that could not be read (e.g. its index is gone). */
  error?: unknown;
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
  private readonly logger = new Logger('Elasticsearch');
  /**
   * Set once the index was answered `index_not_found_exception`: it was deleted under us. From then on
   * nothing is sent — an index or update request would create it again with a dynamic mapping (its `role`
   * no longer a join field), which neither we nor Python components could use (issue 16, item 6).
   */
  private lost: StorageUnavailableError | undefined;
  /** How the index refreshes (refresh-policy.ts), read at start by ensure-index.ts. */
  private refreshMode: RefreshMode = 'scheduled';
  /** False once `_refresh` was refused (403: the user lacks the `maintenance` privilege). */
  private mayRefresh = true;

  constructor(
    readonly client: Client,
    readonly name: string,
    /** `Elasticsearch host:port/index`, for messages. */
    readonly where: string,
  ) {}

  async call<T>(what: string, request: () => Promise<{ body: T }>): Promise<T> {
    this.refuseIfLost();
    try {
      return (await request()).body;
    } catch (err) {
      throw this.fail(err, what);
    }
  }

  /** The error to throw for a failed call; `what` completes "could not …". A missing index stops all further requests. */
  fail(err: unknown, what: string): unknown {
    return this.noteIfLost(err) ?? translateError(err, this.where, what);
  }

  /** Set at start from the index settings (ensure-index.ts). */
  useRefreshMode(mode: RefreshMode): void {
    this.refreshMode = mode;
  }

  /**
   * For an answer saying the index itself does not exist (not a document not found): remembered, so that
   * the process sends nothing more, and returned to throw; undefined for any other answer.
   */
  private noteIfLost(errOrBody: unknown): StorageUnavailableError | undefined {
    if (!isIndexNotFound(errOrBody, this.name)) return undefined;
    if (!this.lost) {
      this.lost = new StorageUnavailableError(
        `${this.where} does not exist (index_not_found_exception: ${reasonOf(errOrBody)}): it was deleted while the server ran. ` +
          'Nothing more is written to it, as a write would create it again with a dynamic mapping that is not the DANE layout; ' +
          'restore the index, or restart the server to create it anew (docs/operations.md, Elasticsearch)',
      );
      this.logger.error(JSON.stringify({ event: 'es_index_missing', index: this.name, where: this.where, reason: reasonOf(errOrBody) }));
    }
    return this.lost;
  }

  private refuseIfLost(): void {
    if (this.lost) throw this.lost;
  }

  private throwIfLost(errOrBody: unknown): void {
    const lost = this.noteIfLost(errOrBody);
    if (lost) throw lost;
  }

  /** The `refresh` parameter of a write on this index (refresh-policy.ts). */
  private refreshOf(refresh: Refresh): 'wait_for' | boolean {
    return refreshParam(refresh, this.refreshMode);
  }

  async get<S>(id: string): Promise<EsHit<S> | null> {
    const body = await this.call('read a document', () => this.client.get<GetBody<S>>({ index: this.name, id }, { ignore: [404] }));
    // A 404 is a missing document (`found: false`) or a missing index (an error body): only the first is "gone".
    this.throwIfLost(body);
    return body.found ? body : null;
  }

  /** The documents that exist, in the order asked for. */
  async mget<S>(ids: string[]): Promise<EsHit<S>[]> {
    const unique = [...new Set(ids.filter((id) => id !== ''))];
    if (unique.length === 0) return [];
    const body = await this.call('read documents', () => this.client.mget<{ docs: GetBody<S>[] }>({ index: this.name, body: { ids: unique } }));
    // A missing index is no `found: false`: mget answers 200 with an error in each doc.
    const failed = body.docs.find((d) => d.error !== undefined);
    if (failed) {
      this.throwIfLost(failed);
      throw new Error(`${this.where} could not read document ${failed._id}: ${reasonOf(failed)}`);
    }
    return body.docs.filter((d) => d.found);
  }

  /** Create-only (`op_type=create`, as the original writes): false when the id is taken. */
  async create(id: string, source: object, options: { routing?: string; refresh: Refresh; what: string }): Promise<boolean> {
    this.refuseIfLost();
    try {
      await this.client.index({ index: this.name, id, op_type: 'create', routing: options.routing, refresh: this.refreshOf(options.refresh), body: source });
      return true;
    } catch (err) {
      if (statusOf(err) === 409) return false;
      throw this.fail(err, options.what);
    }
  }

  /** A partial update applied only at `version`; false when the document moved on (409) or is gone (404, not the index). */
  async updateAt(id: string, version: Version, doc: object, options: { routing?: string; refresh: Refresh; what: string }): Promise<boolean> {
    this.refuseIfLost();
    try {
      await this.client.update({
        index: this.name,
        id,
        routing: options.routing,
        if_seq_no: version.seqNo,
        if_primary_term: version.primaryTerm,
        refresh: this.refreshOf(options.refresh),
        body: { doc },
      });
      return true;
    } catch (err) {
      const status = statusOf(err);
      if (status === 409 || (status === 404 && !isIndexNotFound(err, this.name))) return false;
      throw this.fail(err, options.what);
    }
  }

  async delete(id: string, options: { routing?: string; refresh: Refresh }): Promise<boolean> {
    const body = await this.call('delete a document', () =>
      this.client.delete<{ result: string }>({ index: this.name, id, routing: options.routing, refresh: this.refreshOf(options.refresh) }, { ignore: [404] }),
    );
    this.throwIfLost(body);
    return body.result === 'deleted';
  }

  /** Items in the order of the actions; an empty list sends nothing. */
  async bulk(lines: object[], refresh: Refresh, what: string): Promise<BulkItem[]> {
    if (lines.length === 0) return [];
    const body = await this.call(what, () => this.client.bulk<{ items: Record<string, BulkItem>[] }>({ index: this.name, refresh: this.refreshOf(refresh), body: lines }));
    const items = body.items.map((item) => Object.values(item)[0]);
    // Where a deleted index is not created again, each item answers 404 index_not_found_exception: not "gone".
    items.forEach((item) => this.throwIfLost(item));
    return items;
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

  /**
   * Makes every write so far searchable (`_refresh`, the `maintenance` privilege). A user without it (the
   * least-privilege role of docs/operations.md, Elasticsearch) is refused with 403 `security_exception`: that
   * is logged once and never asked again, and searches see what the index's own refreshes show (within its
   * refresh_interval; on a manual-refresh index, with the next write that refreshes). False when not refreshed.
   */
  async refresh(): Promise<boolean> {
    this.refuseIfLost();
    if (!this.mayRefresh) return false;
    try {
      await this.client.indices.refresh({ index: this.name });
      return true;
    } catch (err) {
      if (!isForbidden(err)) throw this.fail(err, 'refresh the index');
      this.mayRefresh = false;
      this.logger.warn(JSON.stringify({ event: 'es_refresh_forbidden', index: this.name, refresh_mode: this.refreshMode, reason: reasonOf(err) }));
      return false;
    }
  }

  async ping(): Promise<void> {
    await this.call('answer a ping', () => this.client.ping());
  }

  close(): Promise<void> {
    return this.client.close();
  }
}
