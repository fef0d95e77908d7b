import { Client, errors } from '@elastic/elasticsearch';
import type { TransportRequestOptions } from '@elastic/elasticsearch/lib/Transport';
import { Logger } from '@nestjs/common';
import { StorageUnavailableError } from '@dane/protocol';
import { isDeepStrictEqual } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { describeFailure, isForbidden, isIndexNotFound, reasonOf, statusOf, translateError } from './es-errors';
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

/**
 * After a resent write answered 409 (or 404): does what is stored now (`current`, null when absent) show
 * that bulk item `k` was applied by an earlier send of the same request?
 */
export type Settle = (k: number, current: EsHit<unknown> | null) => boolean;

/** How a write and a by-query call are sent (create-store.ts passes ELASTICSEARCH.MAX_RETRIES). */
export interface WriteOptions {
  /** Explicit resends of a write after a timeout, a lost connection or 502/503/504 (never by the client). */
  resends: number;
  /** Pause before the first resend, doubled for each further one. */
  resendDelayMs: number;
  /** First and longest pause between two looks at a running by-query task. */
  pollMs: [number, number];
  /** How long a by-query task is followed before the call gives up (the task runs on). */
  byQueryWaitMs: number;
}

const DEFAULT_WRITES: WriteOptions = { resends: 0, resendDelayMs: 200, pollMs: [100, 5_000], byQueryWaitMs: 30 * 60_000 };

/**
 * Every write goes out with `maxRetries: 0`: the client would resend it after a timeout, a lost
 * connection or a 502/503/504 from a proxy, when the first request may well have been applied
 * (a create then answers 409, a claim `_bulk` 409 on every item). EsIndex resends writes itself
 * (`WriteOptions.resends`), and only conditional ones (create-only, `if_seq_no`, by-query with
 * `conflicts=proceed`), then decides a 409 by reading what is stored (issue 16, item 3). Reads keep
 * the client's retries (ELASTICSEARCH.MAX_RETRIES).
 */
const NO_CLIENT_RETRY: TransportRequestOptions = { maxRetries: 0 };

/** A failure after which the request may or may not have been applied. */
function isUncertain(err: unknown): boolean {
  if (err instanceof errors.TimeoutError || err instanceof errors.ConnectionError) return true;
  const status = statusOf(err);
  return status === 502 || status === 503 || status === 504;
}

type Sent<T> = { ok: true; body: T; resent: boolean } | { ok: false; err: unknown; resent: boolean };

/** The counters of a finished `_update_by_query`/`_delete_by_query` (its response, or the task's `response`). */
interface ByQueryResponse {
  total?: number;
  updated?: number;
  deleted?: number;
  version_conflicts?: number;
  failures?: unknown[];
}

interface TaskStatus {
  completed: boolean;
  task?: { status?: { total?: number; updated?: number; deleted?: number; created?: number; version_conflicts?: number } };
  response?: ByQueryResponse;
  error?: { type?: string; reason?: string };
}

/** Keep-alive of a point in time between two pages of one walk (paging.ts). */
const PIT_KEEP_ALIVE = '1m';

/** The action lines of a `_bulk` body with the source line of each, in order. */
function bulkActions(lines: object[]): { type: string; id: string; source?: unknown }[] {
  const actions: { type: string; id: string; source?: unknown }[] = [];
  for (let i = 0; i < lines.length; i++) {
    const [type, meta] = Object.entries(lines[i])[0] as [string, { _id: string }];
    const source = type === 'delete' ? undefined : lines[++i];
    actions.push({ type, id: meta._id, source });
  }
  return actions;
}

/** The JSON Elasticsearch stores for `source` (undefined members dropped), to compare with a stored `_source`. */
function asStored(source: unknown): unknown {
  return JSON.parse(JSON.stringify(source)) as unknown;
}

/** Whether a stored `_source` is `source` as we would have written it (key order aside). */
export function isStoredAs(stored: unknown, source: unknown): boolean {
  return isDeepStrictEqual(stored, asStored(source));
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
  private readonly writes: WriteOptions;
  private readonly logger = new Logger('Elasticsearch');
  /** Set once `GET _tasks/<id>` answered 403: by-query calls then wait in their request (byQuery). */
  private tasksForbidden = false;
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
    writes: Partial<WriteOptions> = {},
  ) {
    this.writes = { ...DEFAULT_WRITES, ...writes };
  }

  /**
   * Sends a write that is safe to send again (the caller makes sure: create-only, versioned,
   * by-query), never retried by the client; resent here after a failure that leaves its fate open.
   * `resent` tells the caller that a 409/404 may be the echo of an earlier send that was applied.
   */
  private async send<T>(request: (options: TransportRequestOptions) => Promise<{ body: T }>, options: TransportRequestOptions = {}): Promise<Sent<T>> {
    this.refuseIfLost();
    for (let attempt = 0; ; attempt++) {
      try {
        return { ok: true, body: (await request({ ...options, ...NO_CLIENT_RETRY })).body, resent: attempt > 0 };
      } catch (err) {
        if (!isUncertain(err) || attempt >= this.writes.resends) return { ok: false, err, resent: attempt > 0 };
        this.logger.warn(`${this.where}: a write failed (${(err as Error).message}); sending it again`);
        await sleep(this.writes.resendDelayMs * 2 ** attempt);
      }
    }
  }

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

  /**
   * Create-only (`op_type=create`, as the original writes): false when the id is taken. A 409 to a
   * resent create is read back: the document as we sent it (or as `isOurs` recognises it) means the
   * earlier send was applied, so it counts as created.
   */
  async create(id: string, source: object, options: { routing?: string; refresh: Refresh; what: string; isOurs?: (stored: unknown) => boolean }): Promise<boolean> {
    const sent = await this.send((o) =>
      this.client.index({ index: this.name, id, op_type: 'create', routing: options.routing, refresh: this.refreshOf(options.refresh), body: source }, o),
    );
    if (sent.ok) return true;
    if (statusOf(sent.err) !== 409) throw this.fail(sent.err, options.what);
    if (!sent.resent) return false;
    const stored = await this.get<unknown>(id);
    const ours = options.isOurs ?? ((s: unknown) => isStoredAs(s, source));
    return stored !== null && ours(stored._source);
  }

  /**
   * A partial update applied only at `version`; false when the document moved on (409) or is gone
   * (404). A 409 to a resent update is read back: `applied` recognises the source our earlier send left.
   */
  async updateAt(
    id: string,
    version: Version,
    doc: object,
    options: { routing?: string; refresh: Refresh; what: string; applied?: (stored: unknown) => boolean },
  ): Promise<boolean> {
    const sent = await this.send((o) =>
      this.client.update(
        { index: this.name, id, routing: options.routing, if_seq_no: version.seqNo, if_primary_term: version.primaryTerm, refresh: this.refreshOf(options.refresh), body: { doc } },
        o,
      ),
    );
    if (sent.ok) return true;
    const status = statusOf(sent.err);
    if (status === 404 && !isIndexNotFound(sent.err, this.name)) return false;
    if (status !== 409) throw this.fail(sent.err, options.what);
    if (!sent.resent || !options.applied) return false;
    const stored = await this.get<unknown>(id);
    return stored !== null && options.applied(stored._source);
  }

  /** True when deleted; a resent delete that finds the document gone counts as ours. */
  async delete(id: string, options: { routing?: string; refresh: Refresh }): Promise<boolean> {
    const sent = await this.send((o) => this.client.delete<{ result: string }>({ index: this.name, id, routing: options.routing, refresh: this.refreshOf(options.refresh) }, o), {
      ignore: [404],
    });
    if (!sent.ok) throw this.fail(sent.err, 'delete a document');
    this.throwIfLost(sent.body);
    return sent.body.result === 'deleted' || (sent.resent && sent.body.result === 'not_found');
  }

  /**
   * Items in the order of the actions; an empty list sends nothing. When the request had to be
   * resent, items that answered 409 (or 404) are read back and `settle` decides whether an earlier
   * send applied them; those become successes. Without `settle`: a create is ours when the stored
   * source is the one sent, a delete when the document is gone, an update never.
   */
  async bulk(lines: object[], refresh: Refresh, what: string, settle?: Settle): Promise<BulkItem[]> {
    if (lines.length === 0) return [];
    const sent = await this.send((o) => this.client.bulk<{ items: Record<string, BulkItem>[] }>({ index: this.name, refresh: this.refreshOf(refresh), body: lines }, o));
    if (!sent.ok) throw this.fail(sent.err, what);
    const items = sent.body.items.map((item) => Object.values(item)[0]);
    // Where a deleted index is not created again, each item answers 404 index_not_found_exception: not "gone".
    items.forEach((item) => this.throwIfLost(item));
    if (!sent.resent) return items;
    const actions = bulkActions(lines);
    const doubtful = items.flatMap((item, k) => (item.status === 409 || item.status === 404 ? [k] : []));
    if (doubtful.length === 0) return items;
    const current = new Map((await this.mget<unknown>(doubtful.map((k) => actions[k].id))).map((h) => [h._id, h]));
    const byDefault: Settle = (k, hit) => {
      const { type, source } = actions[k];
      if (type === 'delete') return hit === null;
      return type === 'create' && hit !== null && isStoredAs(hit._source, source);
    };
    for (const k of doubtful) {
      const hit = current.get(actions[k].id) ?? null;
      if ((settle ?? byDefault)(k, hit)) items[k] = { _id: actions[k].id, status: actions[k].type === 'create' ? 201 : 200 };
    }
    return items;
  }

  async search<S>(body: Query): Promise<SearchResult<S>> {
    const res = await this.call('search', () =>
      this.client.search<{ hits: { total: { value: number }; hits: EsHit<S>[] }; aggregations?: Record<string, unknown> }>({ index: this.name, body }),
    );
    return { hits: res.hits.hits, total: res.hits.total?.value ?? 0, aggregations: res.aggregations };
  }

  /** Opens a point in time on this index (or on `target`, e.g. the API key index): `POST /<index>/_pit?keep_alive=1m`. */
  async openPointInTime(target: string = this.name): Promise<string> {
    const body = await this.call('open a point in time', () => this.client.openPointInTime<{ id: string }>({ index: target, keep_alive: PIT_KEEP_ALIVE }));
    return body.id;
  }

  /**
   * A search in a point in time (`POST /_search`, no index in the path, `pit: {id, keep_alive}` in
   * the body): it sees the index as it was when the PIT was opened. `pitId` is the id to use next.
   */
  async searchAt<S>(pitId: string, body: Query): Promise<SearchResult<S> & { pitId: string }> {
    const res = await this.call('search', () =>
      this.client.search<{ pit_id?: string; hits: { total?: { value: number }; hits: EsHit<S>[] } }>({ body: { ...body, pit: { id: pitId, keep_alive: PIT_KEEP_ALIVE } } }),
    );
    return { hits: res.hits.hits, total: res.hits.total?.value ?? 0, pitId: res.pit_id ?? pitId };
  }

  /** `DELETE /_pit`; a PIT already gone (404) is fine, as is any failure: it lapses after its keep-alive. */
  async closePointInTime(pitId: string): Promise<void> {
    try {
      await this.client.closePointInTime({ body: { id: pitId } }, { ignore: [404] });
    } catch (err) {
      this.logger.warn(`${this.where}: could not close a point in time (it lapses after ${PIT_KEEP_ALIVE}): ${(err as Error).message}`);
    }
  }

  /**
   * Deletes what `query` matches now; refreshed afterwards, as the original's deletions (docs/protocol.md, Writes).
   * Not with `refresh=true`: that refresh runs as the user and needs `maintenance`, so without it the deletion
   * is done and the call still fails with 403. One explicit refresh follows instead, where the user may.
   */
  async deleteByQuery(query: Query): Promise<{ deleted: number; conflicts: number }> {
    const res = await this.byQuery('delete documents', (wait, o) =>
      this.client.deleteByQuery({ index: this.name, conflicts: 'proceed', wait_for_completion: wait, body: { query } }, o),
    );
    await this.refresh();
    return { deleted: res.deleted ?? 0, conflicts: res.version_conflicts ?? 0 };
  }

  /** Like deleteByQuery: one explicit refresh afterwards, where the user may. */
  async updateByQuery(body: Query): Promise<{ updated: number; conflicts: number }> {
    const res = await this.byQuery('update documents', (wait, o) => this.client.updateByQuery({ index: this.name, conflicts: 'proceed', wait_for_completion: wait, body }, o));
    await this.refresh();
    return { updated: res.updated ?? 0, conflicts: res.version_conflicts ?? 0 };
  }

  /**
   * A by-query call as a task (`wait_for_completion=false`), followed with `GET _tasks/<id>` until it
   * completes: a long one is never resent while the first still runs, and its progress is logged.
   * Never resent by the client; a start that fails is the caller's error (by-query writes here are
   * idempotent: deletions, and resets conditional on the state they leave). Following a task needs
   * the `monitor` cluster privilege: on 403 the call is run again waiting in its request (it only
   * finds what the first left), and so are all later ones.
   */
  private async byQuery(what: string, start: (wait: boolean, options: TransportRequestOptions) => Promise<{ body: unknown }>): Promise<ByQueryResponse> {
    if (!this.tasksForbidden) {
      const { task } = (await this.call(what, () => start(false, NO_CLIENT_RETRY))) as { task: string };
      try {
        return await this.followTask(task, what);
      } catch (err) {
        if (!isForbidden(err)) throw this.fail(err, what);
        this.tasksForbidden = true;
        this.logger.warn(
          `${this.where}: cannot follow by-query tasks (${describeFailure(403, (err as { body?: { error?: unknown } }).body?.error)}); grant the \`monitor\` cluster privilege. Task ${task} runs on; by-query calls now wait in their request.`,
        );
      }
    }
    const body = (await this.call(what, () => start(true, NO_CLIENT_RETRY))) as ByQueryResponse;
    return this.checked(body, what);
  }

  private async followTask(task: string, what: string): Promise<ByQueryResponse> {
    const began = Date.now();
    let pause = this.writes.pollMs[0];
    for (let look = 1; ; look++) {
      const { body } = await this.client.tasks.get<TaskStatus>({ task_id: task });
      if (body.completed) {
        if (body.error) throw new StorageUnavailableError(`${this.where} could not ${what}: task ${task} failed: ${describeFailure(undefined, body.error)}`);
        return this.checked(body.response ?? {}, what);
      }
      const s = body.task?.status ?? {};
      const done = (s.updated ?? 0) + (s.deleted ?? 0) + (s.created ?? 0);
      const waited = Date.now() - began;
      if (look % 5 === 0 || waited > 10_000) this.logger.log(`${this.where}: ${what}, task ${task}: ${done} of ${s.total ?? '?'} done, ${s.version_conflicts ?? 0} conflicts`);
      if (waited >= this.writes.byQueryWaitMs) {
        throw new StorageUnavailableError(
          `${this.where} did not finish to ${what} within ${Math.round(waited / 1000)} s; task ${task} is still running (${done} of ${s.total ?? '?'} done)`,
        );
      }
      await sleep(pause);
      pause = Math.min(pause * 2, this.writes.pollMs[1]);
    }
  }

  /** A by-query response with failures (it stops at the first failed batch) is an error, not a partial success. */
  private checked(body: ByQueryResponse, what: string): ByQueryResponse {
    const failure = body.failures?.[0] as { status?: number; cause?: unknown } | undefined;
    if (failure) throw new StorageUnavailableError(`${this.where} could not ${what}: ${describeFailure(failure.status, failure.cause)}`);
    return body;
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
