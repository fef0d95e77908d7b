import { Client } from '@elastic/elasticsearch';
import { ConfigError } from '@dane/protocol';
import { randomBytes } from 'node:crypto';
import { describeStoreContract } from '../sql/store-contract';
import { makeDocument, makeTask } from '../sql/store-contract.fixtures';
import { createElasticsearchStore } from './create-store';
import { EsIndex } from './es-index';
import { ElasticsearchSettings } from './es-settings';
import { TASK_ORDER, scanPages } from './paging';
import { IS_TASK, bool, routedTo } from './queries';
import { TaskSource } from './sources';
import { DANE_MAPPING, indexDefinition } from './index-layout';

/**
 * The shared store contract against a real Elasticsearch 7.x, plus the checks of issue 16 that only a real
 * cluster answers. Not part of the default test run (its name does not match the jest testRegex); run it with
 *   ELASTICSEARCH_URL=http://localhost:9200 npm run test:es
 * Credentials may be given in the URL (http://elastic:secret@host:9200). Each run uses indices of its own
 * (`dane-contract-*`), deleted afterwards. docs/operations.md, Elasticsearch, has the commands for these knobs:
 * - ELASTICSEARCH_ADMIN_URL: a user who may create and delete indices of any layout (default ELASTICSEARCH_URL);
 *   ELASTICSEARCH_URL may then be the least-privilege user the server runs as.
 * - ES_LIVE_LEAST_PRIVILEGE=1: ELASTICSEARCH_URL's user lacks `manage` (it must then be refused an index without
 *   our mapping) — the role of docs/operations.md.
 * - ES_LIVE_REFRESH_INTERVAL=-1: the contract runs on an index created beforehand with that refresh_interval.
 */
const url = process.env.ELASTICSEARCH_URL;
if (!url) throw new Error('es-store.live-spec.ts needs ELASTICSEARCH_URL (e.g. http://localhost:9200)');
const adminUrl = process.env.ELASTICSEARCH_ADMIN_URL || url;
const leastPrivilege = process.env.ES_LIVE_LEAST_PRIVILEGE === '1';
const refreshInterval = process.env.ES_LIVE_REFRESH_INTERVAL;

const target = new URL(url);
const index = `dane-contract-${process.pid}-${randomBytes(3).toString('hex')}`;
const admin = new Client({ node: adminUrl });

function liveSettings(name = index): ElasticsearchSettings {
  return {
    HOST: [`${target.protocol}//${target.host}`],
    PORT: Number(target.port || 9200),
    USER: decodeURIComponent(target.username) || undefined,
    PASSWORD: decodeURIComponent(target.password),
    SCHEME: target.protocol.replace(':', ''),
    TIMEOUT: 30,
    MAX_RETRIES: 0,
    INDEX: name,
    SHARDS: 1,
    // A single-node test cluster has nowhere to put a replica.
    REPLICAS: 0,
  };
}

beforeAll(async () => {
  if (!refreshInterval) return;
  // Item 4: the index exists before the store opens, as a bulk load would leave it.
  const definition = indexDefinition(1, 0);
  await admin.indices.create({ index, body: { ...definition, settings: { ...definition.settings, refresh_interval: refreshInterval } } });
});

afterAll(async () => {
  await admin.indices.delete({ index: `${index}*` }, { ignore: [404] });
  await admin.close();
});

describeStoreContract('Elasticsearch', () => createElasticsearchStore(liveSettings()));

describe('Elasticsearch point-in-time scans (issue 16, item 5)', () => {
  it('a scan sees tasks written like Python (no dane_node.seq, one created_at second) once each while they are updated mid-walk', async () => {
    const store = await createElasticsearchStore(liveSettings());
    const client = new Client({ node: url });
    try {
      const doc = makeDocument();
      await store.documents.insert(doc);
      const keys = ['A', 'B', 'C', 'D', 'E'];
      for (const key of keys) {
        const task = makeTask(doc, key);
        const source = {
          task: { key, state: 412, msg: 'waiting', priority: 1 },
          role: { name: 'task', parent: doc._id },
          created_at: '2021-01-14T10:00:00',
          updated_at: '2021-01-14T10:00:00',
        };
        await client.index({ index, id: task._id, routing: doc._id, op_type: 'create', refresh: true, body: source });
      }
      const es = new EsIndex(client, index, `live/${index}`);
      const seen: string[] = [];
      for await (const page of scanPages<TaskSource>(es, { query: bool([routedTo(doc._id), IS_TASK]) }, TASK_ORDER, 2)) {
        // Each page moves the first task seen to a new _seq_no, searchable at once.
        await client.update({ index, id: makeTask(doc, 'A')._id, routing: doc._id, refresh: true, body: { doc: { task: { msg: `page ${seen.length}` } } } });
        seen.push(...page.map((h) => h._source.task.key));
      }
      expect([...seen].sort()).toEqual(keys);
    } finally {
      await client.close();
      await store.close();
    }
  });
});

describe('Elasticsearch on a real cluster (issue 16)', () => {
  it('starts again on its own index without a mapping update (item 1: PUT _mapping needs manage)', async () => {
    const first = await createElasticsearchStore(liveSettings());
    await first.close();
    const again = await createElasticsearchStore(liveSettings());
    await again.close();
  });

  it(`on an index without dane_node: ${leastPrivilege ? 'refused, naming the privilege' : 'extends it'} (item 1)`, async () => {
    const python = `${index}-python`;
    await admin.indices.create({ index: python, body: { settings: { number_of_shards: 1, number_of_replicas: 0 }, mappings: DANE_MAPPING } });
    const opening = createElasticsearchStore(liveSettings(python));
    if (leastPrivilege) {
      await expect(opening).rejects.toBeInstanceOf(ConfigError);
      await expect(opening).rejects.toThrow(/`manage` index privilege/);
    } else {
      await (await opening).close();
    }
  });

  it('sweeps leases whether or not the user may _refresh (item 2)', async () => {
    const store = await createElasticsearchStore(liveSettings());
    try {
      await expect(store.tasks.expireLeases(10)).resolves.toEqual(expect.any(Array));
      await expect(store.tasks.expireLeases(10)).resolves.toEqual(expect.any(Array));
    } finally {
      await store.close();
    }
  });

  it('a write that must become searchable returns well within TIMEOUT, whatever refresh_interval (item 4)', async () => {
    const store = await createElasticsearchStore(liveSettings());
    try {
      const started = Date.now();
      const doc = makeDocument();
      await store.documents.insert(doc);
      expect(Date.now() - started).toBeLessThan(10_000);
      expect((await store.documents.search({ targetId: String(doc.target.id) }, { page: 1, size: 10 })).items.map((d) => d._id)).toEqual([doc._id]);
    } finally {
      await store.close();
    }
  });

  it('refuses to go on when its index is deleted under it, and does not create it again (item 6)', async () => {
    const gone = `${index}-gone`;
    const store = await createElasticsearchStore(liveSettings(gone));
    try {
      await admin.indices.delete({ index: gone });
      await expect(store.tasks.findById('0'.repeat(40))).rejects.toThrow(/does not exist \(index_not_found_exception/);
      await expect(store.documents.insert(makeDocument())).rejects.toThrow(/does not exist/);
      expect((await admin.indices.exists({ index: gone })).body).toBe(false);
    } finally {
      await store.close();
    }
  });
});
