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
