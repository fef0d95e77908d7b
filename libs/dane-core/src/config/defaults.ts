/**
 * Built-in configuration defaults: the original's keys (dane-protocol.md §5.5) plus our own sections
 * (STORAGE, SCHEDULER, WORKER). Section names are upper-case, like the original's yacs config.
 */
export const CORE_SECTIONS = ['DANE', 'RABBITMQ', 'ELASTICSEARCH', 'CONFIG', 'STORAGE', 'SCHEDULER', 'LOGGING', 'PATHS'] as const;

export function builtInDefaults(home: string): DaneConfig {
  return {
    DANE: {
      HOST: '0.0.0.0',
      PORT: 5500,
      HOME_DIR: home,
      API_URL: 'http://localhost:5500/DANE/',
      MANAGE_URL: 'http://localhost:5500/manage/',
      MAX_BODY_BYTES: 10 * 1024 * 1024,
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
      TLS: false,
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
    },
    CONFIG: { REQUIRED: false },
    STORAGE: {
      /** postgres | pglite | elasticsearch */
      TYPE: 'pglite',
      /** PGlite data directory; relative paths are relative to DANE.HOME_DIR. */
      DATA_DIR: 'data',
      POSTGRES_URL: 'postgres://postgres@localhost:5432/dane',
      POOL_SIZE: 10,
    },
    SCHEDULER: {
      LEASE_SECONDS: 300,
      SWEEP_INTERVAL_MS: 1000,
      BATCH_SIZE: 200,
      MAX_RETRIES: 5,
      RETRY_BASE_MS: 2000,
      RETRY_MAX_MS: 600000,
      /** Per task key overrides of MAX_RETRIES, e.g. {ASR: 10}. */
      MAX_RETRIES_PER_KEY: {},
      STUCK_AFTER_SECONDS: 3600,
    },
    LOGGING: { LEVEL: 'INFO', DIR: '', FORMAT: 'json' },
    PATHS: { TEMP_FOLDER: './TEMP', OUT_FOLDER: './OUT' },
    INPUT: { DELETE_ON_COMPLETION: false },
    OUTPUT: { DELETE_ON_COMPLETION: false, TRANSFER_ON_COMPLETION: false, S3_ENDPOINT_URL: null, S3_BUCKET: null, S3_FOLDER_IN_BUCKET: null },
    CUDA: { VISIBLE_DEVICES: '1' },
  };
}

export type ConfigValue = string | number | boolean | null | ConfigValue[] | { [k: string]: ConfigValue };
export type DaneConfig = Record<string, Record<string, ConfigValue>>;
