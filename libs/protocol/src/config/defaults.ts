/**
 * Built-in configuration defaults: the original's keys (docs/protocol.md, Configuration) plus our own sections
 * (STORAGE, SCHEDULER, WORKER). Section names are upper-case, like the original's yacs config.
 */
export const CORE_SECTIONS = ['DANE', 'RABBITMQ', 'ELASTICSEARCH', 'CONFIG', 'STORAGE', 'SCHEDULER', 'LOGGING', 'PATHS', 'AUTH', 'LIMITS'] as const;

export function builtInDefaults(home: string): DaneConfig {
  return {
    DANE: {
      HOST: '0.0.0.0',
      PORT: 5500,
      HOME_DIR: home,
      API_URL: 'http://localhost:5500/DANE/',
      API_TOKEN: null, // key workers send to API_URL (read role); DANE_TOKEN wins; env DANE_DANE__API_TOKEN
      MANAGE_URL: 'http://localhost:5500/manage/',
      MAX_BODY_BYTES: 10 * 1024 * 1024,
      /** V8's heap growing factor past the live heap, in percent (0 = V8's own, up to 4×); docs/operations.md. */
      HEAP_GROWING_PERCENT: 50,
    },
    RABBITMQ: {
      HOST: 'localhost',
      PORT: 5672,
      EXCHANGE: 'DANE-exchange',
      RESPONSE_QUEUE: 'DANE-response-queue',
      USER: 'guest',
      PASSWORD: 'guest',
      VHOST: '/',
      MANAGEMENT: true,
      MANAGEMENT_PORT: 15672,
      MANAGEMENT_HOST: 'localhost',
      HEARTBEAT: 30,
      /** amqps; the files below are PEM paths ('' = the system's CAs / no client certificate). */
      TLS: false,
      TLS_CA_FILE: '',
      TLS_CERT_FILE: '',
      TLS_KEY_FILE: '',
      /**
       * Durable topic exchange of notifications after committed changes (task.<KEY>.<state>,
       * document.registered, document.deleted, result.<KEY>.stored); see docs/events.md.
       */
      EVENTS_EXCHANGE: 'DANE-events',
      /** false: this process publishes no events (the scheduler then finds new work by its sweep only). */
      EVENTS: true,
      /** Type of the server's own durable queues (response, results, scheduler wake-ups): classic | quorum (RabbitMQ clusters). */
      QUEUE_TYPE: 'classic',
    },
    ELASTICSEARCH: {
      HOST: ['localhost'],
      PORT: 9200,
      USER: 'elastic',
      PASSWORD: 'changeme',
      SCHEME: 'http',
      SHARDS: 1,
      REPLICAS: 1,
      TIMEOUT: 30,
      MAX_RETRIES: 3,
      INDEX: 'dane-index',
      /** PEM file of the CA that signed the cluster's certificate (SCHEME https); '' = the system's CAs. */
      CA_FILE: '',
    },
    CONFIG: { REQUIRED: false },
    STORAGE: {
      /** postgres | pglite | elasticsearch */
      TYPE: 'pglite',
      /** PGlite data directory; relative paths are relative to DANE.HOME_DIR. */
      DATA_DIR: 'data',
      /**
       * PostgreSQL memory settings inside PGlite (sizes such as '16MB'; '' = PostgreSQL's default). Its
       * WebAssembly memory never shrinks, so these bound the server's RSS: shared_buffers is resident in
       * full from the start (PostgreSQL's default, 128MB, made the single-machine server ~900 MB at peak).
       */
      PGLITE_SHARED_BUFFERS: '16MB',
      /** '' = 1/32 of shared_buffers. */
      PGLITE_WAL_BUFFERS: '',
      /** Per sort/hash step of a statement before it spills to disk. */
      PGLITE_WORK_MEM: '4MB',
      /** CREATE INDEX (migrations), VACUUM. */
      PGLITE_MAINTENANCE_WORK_MEM: '16MB',
      /** Only used by temporary tables (the store has none). */
      PGLITE_TEMP_BUFFERS: '8MB',
      /** false: PGlite's WebAssembly on V8's baseline compiler only (--liftoff-only): ~60 MB less RSS under load. */
      PGLITE_WASM_TIER_UP: false,
      POSTGRES_URL: 'postgres://postgres@localhost:5432/dane',
      POOL_SIZE: 10,
      /** TLS to PostgreSQL (sslmode in POSTGRES_URL works too); files are PEM paths. */
      POSTGRES_SSL: false,
      POSTGRES_SSL_CA_FILE: '',
      POSTGRES_SSL_CERT_FILE: '',
      POSTGRES_SSL_KEY_FILE: '',
      POSTGRES_SSL_REJECT_UNAUTHORIZED: true,
    },
    SCHEDULER: {
      /** A started task (its worker heartbeats) without a heartbeat for this long is dispatched again. */
      LEASE_SECONDS: 300,
      /**
       * A dispatched task that no worker has started yet (still in its durable queue, or on a worker that
       * never heartbeats, like Python DANE workers) is dispatched again after this long.
       */
      QUEUE_LEASE_SECONDS: 21600,
      /**
       * For this long after the scheduler's broker channel (re)opens, an unroutable task is retried after
       * a pause instead of stored as 422: after a broker restart, workers may not have re-bound their
       * queues yet (the non-durable exchange lost its bindings; docs/protocol.md, Topology).
       */
      UNROUTABLE_GRACE_SECONDS: 30,
      SWEEP_INTERVAL_MS: 1000,
      BATCH_SIZE: 200,
      /**
       * At most this many tasks of one key in 102 (dispatched, queued or running) at a time; 0 = no limit. With a
       * limit, a backlog stays in the store, where the claim takes turns between creators (docs/architecture.md,
       * principle 2), instead of queueing in the worker queue in submission order. Keep it above the key's workers'
       * total prefetch.
       */
      MAX_IN_FLIGHT_PER_KEY: 0,
      MAX_RETRIES: 5,
      RETRY_BASE_MS: 2000,
      RETRY_MAX_MS: 600000,
      /** Per task key overrides of MAX_RETRIES, e.g. {ASR: 10}. */
      MAX_RETRIES_PER_KEY: {},
      STUCK_AFTER_SECONDS: 3600,
    },
    LOGGING: { LEVEL: 'INFO', DIR: '', FORMAT: 'json' },
    PATHS: { TEMP_FOLDER: './TEMP', OUT_FOLDER: './OUT' },
    AUTH: {
      /** API keys (`Authorization: Bearer dane_<id>_<secret>`) on every /DANE and /manage data route. */
      ENABLED: true,
      /** GET routes without a key. */
      ANONYMOUS_READ: false,
      /** An admin key given by the environment (containers, tests); also read from DANE_ADMIN_TOKEN. At least 16 characters. */
      ADMIN_TOKEN: null,
      /** Submission requests (POST document(s)/task) per key (or client address) per minute; 0 = no limit. Admin keys are not limited. */
      RATE_LIMIT_PER_MINUTE: 600,
    },
    LIMITS: {
      /** target.id, creator.id, document and task ids. */
      MAX_ID_LENGTH: 1024,
      MAX_URL_LENGTH: 8192,
      /** Task keys, depends_on keys, generator name/id. */
      MAX_KEY_LENGTH: 128,
      MAX_MSG_LENGTH: 8192,
      /** Nesting of task args and result payloads. */
      MAX_JSON_DEPTH: 10,
      /** JSON size of one task's args / one result's payload. */
      MAX_ARGS_BYTES: 65536,
      MAX_PAYLOAD_BYTES: 8388608,
      /** Elements of a bulk list (POST /DANE/documents/, a task's document_id list). */
      MAX_BULK_ITEMS: 10000,
    },
    INPUT: { DELETE_ON_COMPLETION: false },
    OUTPUT: { DELETE_ON_COMPLETION: false, TRANSFER_ON_COMPLETION: false, S3_ENDPOINT_URL: null, S3_BUCKET: null, S3_FOLDER_IN_BUCKET: null },
    CUDA: { VISIBLE_DEVICES: '1' },
  };
}

export type ConfigValue = string | number | boolean | null | ConfigValue[] | { [k: string]: ConfigValue };
export type DaneConfig = Record<string, Record<string, ConfigValue>>;
