import { CannedReply } from './recording-elasticsearch';

/** Canned Elasticsearch 7.17 responses, shaped field for field like the real ones. */
export const INDEX = 'dane-index';
const SHARDS = { total: 2, successful: 1, failed: 0 };

export interface Stored {
  id: string;
  source: unknown;
  seqNo?: number;
  primaryTerm?: number;
  routing?: string;
  sort?: unknown[];
}

function errorBody(status: number, type: string, reason: string, extra: Record<string, unknown> = {}) {
  const cause = { type, reason, ...extra };
  return { error: { root_cause: [cause], ...cause }, status };
}

function getBody(doc: Stored) {
  return {
    _index: INDEX,
    _type: '_doc',
    _id: doc.id,
    _version: (doc.seqNo ?? 0) + 1,
    _seq_no: doc.seqNo ?? 0,
    _primary_term: doc.primaryTerm ?? 1,
    ...(doc.routing ? { _routing: doc.routing } : {}),
    found: true,
    _source: doc.source,
  };
}

export function found(doc: Stored): CannedReply {
  return { status: 200, body: getBody(doc) };
}

export function missing(id: string): CannedReply {
  return { status: 404, body: { _index: INDEX, _type: '_doc', _id: id, found: false } };
}

export function mget(docs: Array<Stored | string>): CannedReply {
  return {
    status: 200,
    body: { docs: docs.map((d) => (typeof d === 'string' ? { _index: INDEX, _type: '_doc', _id: d, found: false } : getBody(d))) },
  };
}

export function created(id: string, seqNo = 0): CannedReply {
  return {
    status: 201,
    body: { _index: INDEX, _type: '_doc', _id: id, _version: 1, result: 'created', _shards: SHARDS, _seq_no: seqNo, _primary_term: 1 },
  };
}

export function alreadyExists(id: string): CannedReply {
  const reason = `[${id}]: version conflict, document already exists (current version [1])`;
  return { status: 409, body: errorBody(409, 'version_conflict_engine_exception', reason, { index_uuid: 'hGr8nJ0eQw6hB2yVQ9yC2A', shard: '0', index: INDEX }) };
}

export function updated(id: string, seqNo: number): CannedReply {
  return {
    status: 200,
    body: { _index: INDEX, _type: '_doc', _id: id, _version: seqNo + 1, result: 'updated', _shards: SHARDS, _seq_no: seqNo, _primary_term: 1 },
  };
}

export function versionConflict(id: string, requiredSeqNo: number, currentSeqNo: number): CannedReply {
  const reason = `[${id}]: version conflict, required seqNo [${requiredSeqNo}], primary term [1]. current document has seqNo [${currentSeqNo}] and primary term [1]`;
  return { status: 409, body: errorBody(409, 'version_conflict_engine_exception', reason, { index_uuid: 'hGr8nJ0eQw6hB2yVQ9yC2A', shard: '0', index: INDEX }) };
}

/** Hits carry `_seq_no`/`_primary_term` only when the search asked for them, like the real thing. */
export function hits(docs: Stored[], total = docs.length, withVersions = false): CannedReply {
  return {
    status: 200,
    body: {
      took: 2,
      timed_out: false,
      _shards: { total: 1, successful: 1, skipped: 0, failed: 0 },
      hits: {
        total: { value: total, relation: 'eq' },
        max_score: null,
        hits: docs.map((d) => ({
          _index: INDEX,
          _type: '_doc',
          _id: d.id,
          ...(withVersions ? { _seq_no: d.seqNo ?? 0, _primary_term: d.primaryTerm ?? 1 } : {}),
          _score: null,
          ...(d.routing ? { _routing: d.routing } : {}),
          _source: d.source,
          sort: d.sort ?? [d.seqNo ?? 0],
        })),
      },
    },
  };
}

export interface BulkAnswer {
  action: 'create' | 'update' | 'delete' | 'index';
  id: string;
  status: number;
  seqNo?: number;
}

export function bulk(items: BulkAnswer[]): CannedReply {
  return {
    status: 200,
    body: {
      took: 4,
      errors: items.some((i) => i.status >= 300),
      items: items.map(({ action, id, status, seqNo }) => {
        const base = { _index: INDEX, _type: '_doc', _id: id };
        if (status === 409) {
          const reason =
            action === 'create'
              ? `[${id}]: version conflict, document already exists (current version [1])`
              : `[${id}]: version conflict, required seqNo [${seqNo ?? 0}], primary term [1]. current document has seqNo [${(seqNo ?? 0) + 1}] and primary term [1]`;
          return { [action]: { ...base, status, error: { type: 'version_conflict_engine_exception', reason, index_uuid: 'hGr8nJ0eQw6hB2yVQ9yC2A', shard: '0', index: INDEX } } };
        }
        if (status === 404) {
          return { [action]: { ...base, _version: 1, result: 'not_found', _shards: SHARDS, _seq_no: seqNo ?? 0, _primary_term: 1, status } };
        }
        const result = { create: 'created', index: 'created', update: 'updated', delete: 'deleted' }[action];
        return { [action]: { ...base, _version: (seqNo ?? 0) + 1, result, _shards: SHARDS, _seq_no: seqNo ?? 0, _primary_term: 1, status } };
      }),
    },
  };
}

export function byQuery(counts: { deleted?: number; updated?: number; conflicts?: number }): CannedReply {
  const done = (counts.deleted ?? 0) + (counts.updated ?? 0);
  return {
    status: 200,
    body: {
      took: 12,
      timed_out: false,
      total: done + (counts.conflicts ?? 0),
      ...(counts.deleted !== undefined ? { deleted: counts.deleted } : { updated: counts.updated ?? 0, deleted: 0 }),
      batches: 1,
      version_conflicts: counts.conflicts ?? 0,
      noops: 0,
      retries: { bulk: 0, search: 0 },
      throttled_millis: 0,
      requests_per_second: -1.0,
      throttled_until_millis: 0,
      failures: [],
    },
  };
}

export function acknowledged(): CannedReply {
  return { status: 200, body: { acknowledged: true } };
}

export function indexCreated(): CannedReply {
  return { status: 200, body: { acknowledged: true, shards_acknowledged: true, index: INDEX } };
}

export function noSuchIndex(): CannedReply {
  return {
    status: 404,
    body: errorBody(404, 'index_not_found_exception', `no such index [${INDEX}]`, {
      'resource.type': 'index_or_alias',
      'resource.id': INDEX,
      index_uuid: '_na_',
      index: INDEX,
    }),
  };
}

export function indexExistsAlready(): CannedReply {
  return {
    status: 400,
    body: errorBody(400, 'resource_already_exists_exception', `index [${INDEX}/hGr8nJ0eQw6hB2yVQ9yC2A] already exists`, {
      index_uuid: 'hGr8nJ0eQw6hB2yVQ9yC2A',
      index: INDEX,
    }),
  };
}

/** `GET /<index>`: aliases, mappings and settings (strings, as ES renders them). */
export function indexDefinition(mappings: unknown, shards = 1): CannedReply {
  return {
    status: 200,
    body: {
      [INDEX]: {
        aliases: {},
        mappings,
        settings: {
          index: {
            routing: { allocation: { include: { _tier_preference: 'data_content' } } },
            number_of_shards: String(shards),
            provided_name: INDEX,
            creation_date: '1715594400000',
            number_of_replicas: '1',
            uuid: 'hGr8nJ0eQw6hB2yVQ9yC2A',
            version: { created: '7171099' },
          },
        },
      },
    },
  };
}

export function refreshed(): CannedReply {
  return { status: 200, body: { _shards: { total: 2, successful: 1, failed: 0 } } };
}

/** `POST /<index>/_update_by_query|_delete_by_query?wait_for_completion=false`: the task to follow. */
export function byQueryStarted(task: string): CannedReply {
  return { status: 200, body: { task } };
}

type ByQueryAction = 'update' | 'delete';

function byQueryCounters(action: ByQueryAction, total: number, done: number, conflicts: number) {
  return {
    total,
    updated: action === 'update' ? done : 0,
    created: 0,
    deleted: action === 'delete' ? done : 0,
    batches: 1,
    version_conflicts: conflicts,
    noops: 0,
    retries: { bulk: 0, search: 0 },
    throttled_millis: 0,
    requests_per_second: -1.0,
    throttled_until_millis: 0,
  };
}

function taskInfo(task: string, action: ByQueryAction, status: object) {
  const [node, id] = task.split(':');
  return {
    node,
    id: Number(id),
    type: 'transport',
    action: `indices:data/write/${action}/byquery`,
    status,
    description: `${action}-by-query [${INDEX}]`,
    start_time_in_millis: 1715594400000,
    running_time_in_nanos: 5926893,
    cancellable: true,
    cancelled: false,
    headers: {},
  };
}

/** `GET /_tasks/<task>` while the by-query call runs: `completed: false`, progress in `task.status`. */
export function taskRunning(task: string, action: ByQueryAction, progress: { total: number; done: number; conflicts?: number }): CannedReply {
  return { status: 200, body: { completed: false, task: taskInfo(task, action, byQueryCounters(action, progress.total, progress.done, progress.conflicts ?? 0)) } };
}

/** `GET /_tasks/<task>` once it finished: the call's response under `response`, as 7.17 stores it. */
export function taskDone(task: string, action: ByQueryAction, counts: { done: number; conflicts?: number }): CannedReply {
  const counters = byQueryCounters(action, counts.done + (counts.conflicts ?? 0), counts.done, counts.conflicts ?? 0);
  return {
    status: 200,
    body: {
      completed: true,
      task: taskInfo(task, action, counters),
      response: { took: 53, timed_out: false, ...counters, throttled: '0s', throttled_until: '0s', failures: [] },
    },
  };
}

/** 403 for a user without the cluster privilege an action needs (e.g. `monitor` for `GET _tasks`). */
export function forbidden(action: string, user = 'dane', privileges = 'monitor,manage,all'): CannedReply {
  const reason = `action [${action}] is unauthorized for user [${user}] with roles [dane_writer], this action is granted by the cluster privileges [${privileges}]`;
  return { status: 403, body: errorBody(403, 'security_exception', reason) };
}

/** A gateway timeout from a proxy in front of the cluster (the request may or may not have been applied). */
export function gatewayTimeout(): CannedReply {
  return { status: 504, body: { message: 'Gateway Time-out' } };
}

/** A point-in-time id as 7.17 encodes one (base64 of the search contexts). */
export const PIT_ID =
  '46ToAwMDaWR5BXV1aWQyKwZub2RlXzMAAAAAAAAAACoBYwADaWR4BXV1aWQxAgZub2RlXzEAAAAAAAAAAAEBYQADaWR5BXV1aWQyKgZub2RlXzIAAAAAAAAAAAwBYgACBXV1aWQyAAAFdXVpZDEAAQltYXRjaF9hbGw_gAAAAA==';

/** `POST /<index>/_pit?keep_alive=1m`. */
export function pitOpened(id: string): CannedReply {
  return { status: 200, body: { id } };
}

/** `DELETE /_pit`. */
export function pitClosed(): CannedReply {
  return { status: 200, body: { succeeded: true, num_freed: 1 } };
}

/** A search in a point in time: `pit_id` beside the hits, and each hit's sort values end with its `_shard_doc`. */
export function pitHits(docs: Stored[], total = docs.length, withVersions = false): CannedReply {
  const reply = hits(
    docs.map((d, i) => ({ ...d, sort: [...(d.sort ?? [d.seqNo ?? 0]), i] })),
    total,
    withVersions,
  );
  return { ...reply, body: { pit_id: PIT_ID, ...(reply.body as object) } };
}
