import { createElasticsearchStore } from '../create-store';
import { ElasticsearchSettings } from '../es-settings';
import { ElasticsearchStore } from '../es-store';
import { DANE_MAPPING, EXTENSION_MAPPING } from '../index-layout';
import { INDEX, PIT_ID, acknowledged, indexDefinition, pitClosed, pitOpened } from './es-replies';
import { RecordingElasticsearch } from './recording-elasticsearch';

/** The built-in ELASTICSEARCH defaults (docs/protocol.md, Configuration), pointed at `url`, without client retries. */
export function testSettings(url: string, overrides: Partial<ElasticsearchSettings> = {}): ElasticsearchSettings {
  return {
    HOST: [url],
    PORT: 9200,
    USER: 'elastic',
    PASSWORD: 'changeme',
    SCHEME: 'http',
    TIMEOUT: 5,
    MAX_RETRIES: 0,
    INDEX,
    SHARDS: 1,
    REPLICAS: 1,
    ...overrides,
  };
}

/** The mapping as ES renders an index this adapter created. */
export const STORED_MAPPING = { properties: { ...DANE_MAPPING.properties, ...EXTENSION_MAPPING } };

/**
 * Standing answers for points in time (scans and deep pages, paging.ts): opening one on the DANE index
 * gives PIT_ID, closing any succeeds. Searches in it go to `POST /_search`; a test answers those.
 */
function servePointsInTime(es: RecordingElasticsearch): void {
  es.on('POST', `/${INDEX}/_pit`, pitOpened(PIT_ID));
  es.on('DELETE', '/_pit', pitClosed());
}

/** A store opened against the recording server on an existing DANE index; the start-up requests are forgotten. */
async function openRecordedStore(es: RecordingElasticsearch, settings: Partial<ElasticsearchSettings>): Promise<ElasticsearchStore> {
  es.on('GET', `/${INDEX}`, indexDefinition(STORED_MAPPING));
  es.on('PUT', `/${INDEX}/_mapping`, acknowledged());
  const store = await createElasticsearchStore(testSettings(es.url, settings));
  es.reset();
  servePointsInTime(es);
  return store;
}

export interface RecordedStore {
  readonly es: RecordingElasticsearch;
  readonly store: ElasticsearchStore;
}

/**
 * Registers beforeEach/afterEach hooks that start a recording server, open a store on it
 * (with `settings` over testSettings; then run `prepare`, if given) and close both again; read
 * `es`/`store` inside a test.
 */
export function useRecordedStore(prepare?: (es: RecordingElasticsearch) => void, settings: Partial<ElasticsearchSettings> = {}): RecordedStore {
  let es: RecordingElasticsearch;
  let store: ElasticsearchStore;
  beforeEach(async () => {
    es = await new RecordingElasticsearch().start();
    store = await openRecordedStore(es, settings);
    prepare?.(es);
  });
  afterEach(async () => {
    await store.close();
    await es.stop();
  });
  return {
    get es() {
      return es;
    },
    get store() {
      return store;
    },
  };
}
