import { ConfigError, StorageUnavailableError } from '@dane/protocol';
import { createElasticsearchStore } from './create-store';
import { INDEX, acknowledged, indexCreated, indexDefinition, indexExistsAlready, noSuchIndex } from './testing/es-replies';
import { STORED_MAPPING, testSettings } from './testing/recorded-store';
import { RecordingElasticsearch } from './testing/recording-elasticsearch';

/** docs/protocol.md, Index and mapping, copied from the document: the mapping Python components create and expect. */
const PROTOCOL_MAPPING = {
  properties: {
    role: { type: 'join', relations: { document: 'task', task: 'result' } },
    created_at: { type: 'date', format: 'date_hour_minute_second' },
    updated_at: { type: 'date', format: 'date_hour_minute_second' },
    target: { properties: { id: { type: 'keyword' }, url: { type: 'text' }, type: { type: 'keyword' } } },
    creator: { properties: { id: { type: 'keyword' }, type: { type: 'keyword' }, name: { type: 'text' } } },
    task: { properties: { priority: { type: 'byte' }, key: { type: 'keyword' }, state: { type: 'short' }, msg: { type: 'text' }, args: { type: 'object' } } },
    result: {
      properties: {
        generator: { properties: { id: { type: 'keyword' }, type: { type: 'keyword' }, name: { type: 'keyword' }, homepage: { type: 'text' } } },
        payload: { type: 'object' },
      },
    },
  },
};

const EXTENSION = {
  dane_node: {
    dynamic: false,
    properties: {
      seq: { type: 'long' },
      attempt: { type: 'integer' },
      retries: { type: 'integer' },
      depends_on: { type: 'keyword' },
      lease_until: { type: 'date', format: 'epoch_millis' },
      heartbeat_at: { type: 'date', format: 'epoch_millis' },
      not_before: { type: 'date', format: 'epoch_millis' },
      state_changed_at: { type: 'date', format: 'epoch_millis' },
      dedup_key: { type: 'keyword' },
    },
  },
};

describe('Elasticsearch index creation (docs/protocol.md, Index and mapping)', () => {
  let es: RecordingElasticsearch;

  beforeEach(async () => {
    es = await new RecordingElasticsearch().start();
  });
  afterEach(() => es.stop());

  it('creates a missing index with SHARDS/REPLICAS and the exact documented mapping plus dane_node', async () => {
    es.once('GET', `/${INDEX}`, noSuchIndex()).on('PUT', `/${INDEX}`, indexCreated());
    const store = await createElasticsearchStore(testSettings(es.url, { REPLICAS: 2 }));
    await store.close();
    expect(es.calls.map((r) => `${r.method} ${r.path}`)).toEqual([`GET /${INDEX}`, `PUT /${INDEX}`]);
    const { body } = es.calls[1];
    expect(body).toEqual({ settings: { number_of_shards: 1, number_of_replicas: 2 }, mappings: { properties: { ...PROTOCOL_MAPPING.properties, ...EXTENSION } } });
    // Python's basic auth from USER/PASSWORD (docs/protocol.md, Cluster requirements).
    expect(es.calls[1].headers.authorization).toBe(`Basic ${Buffer.from('elastic:changeme').toString('base64')}`);
  });

  it('accepts an index a Python component created, adding only the dane_node mapping', async () => {
    es.on('GET', `/${INDEX}`, indexDefinition(PROTOCOL_MAPPING)).on('PUT', `/${INDEX}/_mapping`, acknowledged());
    const store = await createElasticsearchStore(testSettings(es.url));
    await store.close();
    expect(es.calls.map((r) => `${r.method} ${r.path}`)).toEqual([`GET /${INDEX}`, `PUT /${INDEX}/_mapping`]);
    expect(es.calls[1].body).toEqual({ properties: EXTENSION });
  });

  it('accepts losing the creation race to another component', async () => {
    es.once('GET', `/${INDEX}`, noSuchIndex())
      .on('PUT', `/${INDEX}`, indexExistsAlready())
      .on('GET', `/${INDEX}`, indexDefinition(STORED_MAPPING))
      .on('PUT', `/${INDEX}/_mapping`, acknowledged());
    const store = await createElasticsearchStore(testSettings(es.url));
    await store.close();
    // The winner's index already has dane_node: no mapping update (it needs `manage`; es-cluster-limits.spec.ts).
    expect(es.calls.map((r) => `${r.method} ${r.path}`)).toEqual([`GET /${INDEX}`, `PUT /${INDEX}`, `GET /${INDEX}`]);
  });

  it('refuses more than one primary shard, configured or found', async () => {
    es.on('GET', `/${INDEX}`, noSuchIndex());
    await expect(createElasticsearchStore(testSettings(es.url, { SHARDS: 3 }))).rejects.toThrow(ConfigError);
    es.on('GET', `/${INDEX}`, indexDefinition(PROTOCOL_MAPPING, 2));
    await expect(createElasticsearchStore(testSettings(es.url))).rejects.toThrow(/has 2 primary shards; ELASTICSEARCH.SHARDS must be 1/);
    expect(es.calls.filter((r) => r.method === 'PUT')).toEqual([]);
  });

  it('refuses an index of the same name that is not a DANE index', async () => {
    es.on('GET', `/${INDEX}`, indexDefinition({ properties: { role: { type: 'keyword' } } }));
    await expect(createElasticsearchStore(testSettings(es.url))).rejects.toThrow(/is not a DANE index/);
  });

  it('names the cluster it cannot reach', async () => {
    await es.stop();
    const open = createElasticsearchStore(testSettings(es.url));
    await expect(open).rejects.toBeInstanceOf(StorageUnavailableError);
    await expect(open).rejects.toThrow(`Elasticsearch ${new URL(es.url).host}/${INDEX} did not answer`);
  });
});
