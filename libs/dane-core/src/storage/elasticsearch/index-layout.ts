/**
 * The index definition of docs/protocol.md, Index and mapping, byte for byte as data: Python components create
 * the same index when they find none, so whichever of us comes first, the other must accept it.
 * Dynamic mapping stays at the Elasticsearch default (`true`), as in the original.
 */
export const DANE_MAPPING = {
  properties: {
    role: { type: 'join', relations: { document: 'task', task: 'result' } },
    created_at: { type: 'date', format: 'date_hour_minute_second' },
    updated_at: { type: 'date', format: 'date_hour_minute_second' },
    target: { properties: { id: { type: 'keyword' }, url: { type: 'text' }, type: { type: 'keyword' } } },
    creator: { properties: { id: { type: 'keyword' }, type: { type: 'keyword' }, name: { type: 'text' } } },
    task: {
      properties: {
        priority: { type: 'byte' },
        key: { type: 'keyword' },
        state: { type: 'short' },
        msg: { type: 'text' },
        args: { type: 'object' },
      },
    },
    result: {
      properties: {
        generator: { properties: { id: { type: 'keyword' }, type: { type: 'keyword' }, name: { type: 'keyword' }, homepage: { type: 'text' } } },
        payload: { type: 'object' },
      },
    },
  },
} as const;

/** Our one top-level extension object (see sources.ts for why it lives there). */
const EXTENSION_FIELD = 'dane_node';

/**
 * Mapping of `dane_node`, added to an index a Python component created (adding fields is always
 * allowed). Explicit types, because dynamic mapping would make `depends_on` analysed text and the
 * epoch-millisecond times plain longs; `dynamic: false` keeps any future key out of the mapping.
 */
export const EXTENSION_MAPPING = {
  [EXTENSION_FIELD]: {
    dynamic: false,
    properties: {
      /** Insertion order of tasks (tasks are updated, so `_seq_no` cannot give it). */
      seq: { type: 'long' },
      attempt: { type: 'integer' },
      retries: { type: 'integer' },
      depends_on: { type: 'keyword' },
      lease_until: { type: 'date', format: 'epoch_millis' },
      heartbeat_at: { type: 'date', format: 'epoch_millis' },
      not_before: { type: 'date', format: 'epoch_millis' },
      state_changed_at: { type: 'date', format: 'epoch_millis' },
      /** Results only: the key that makes a redelivered result a no-op. */
      dedup_key: { type: 'keyword' },
    },
  },
} as const;

/** The body that creates the index: the settings and mapping of docs/protocol.md, Index and mapping, plus our extension. */
export function indexDefinition(shards: number, replicas: number) {
  return {
    settings: { number_of_shards: shards, number_of_replicas: replicas },
    mappings: { properties: { ...DANE_MAPPING.properties, ...EXTENSION_MAPPING } },
  };
}
