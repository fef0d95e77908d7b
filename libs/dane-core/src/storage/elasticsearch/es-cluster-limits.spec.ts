import { Logger } from '@nestjs/common';
import { ConfigError, StorageUnavailableError, TaskState } from '@dane/protocol';
import { makeDocument } from '../sql/store-contract.fixtures';
import { createElasticsearchStore } from './create-store';
import { ElasticsearchStore } from './es-store';
import { DANE_MAPPING, EXTENSION_MAPPING } from './index-layout';
import { refreshModeOf } from './refresh-policy';
import { INDEX, Stored, acknowledged, created, found, hits, indexDefinition, missing, mget, refreshed, updated } from './testing/es-replies';
import { bulkIndexGone, forbidden, indexGone, mgetIndexGone } from './testing/es-refusals';
import { STORED_MAPPING, testSettings } from './testing/recorded-store';
import { CannedReply, RecordingElasticsearch } from './testing/recording-elasticsearch';
import { storedTasksOf } from './testing/stored-task';

const S = TaskState;
const doc = makeDocument('ITM16');
const docStored: Stored = { id: doc._id, source: { target: doc.target, creator: doc.creator, created_at: doc.created_at, updated_at: doc.updated_at, role: 'document' } };
const storedTask = storedTasksOf(doc);

/** `GET /<index>` of an index with `settings.index` extended by `extra` (as ES renders them: strings). */
function definitionWith(mappings: unknown, extra: Record<string, string>): CannedReply {
  const reply = indexDefinition(mappings) as { status: number; body: Record<string, { settings: { index: Record<string, unknown> } }> };
  reply.body[INDEX].settings.index = { ...reply.body[INDEX].settings.index, ...extra };
  return reply;
}

const MAPPING_PUT = forbidden('indices:admin/mapping/put', ['manage', 'all']);
const REFRESH = forbidden('indices:admin/refresh', ['maintenance', 'manage', 'all']);

/** Log lines of one kind (`{"event": …}` JSON strings), parsed. */
function events(spy: jest.SpyInstance, event: string): Record<string, unknown>[] {
  return spy.mock.calls.map(([line]) => (typeof line === 'string' && line.startsWith('{') ? (JSON.parse(line) as Record<string, unknown>) : {})).filter((e) => e.event === event);
}

describe('Elasticsearch on real clusters (issue 16): least-privilege users, refresh_interval -1, a deleted index', () => {
  let es: RecordingElasticsearch;
  let store: ElasticsearchStore | undefined;
  let warn: jest.SpyInstance;
  let error: jest.SpyInstance;

  beforeEach(async () => {
    es = await new RecordingElasticsearch().start();
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });
  afterEach(async () => {
    await store?.close();
    store = undefined;
    await es.stop();
    jest.restoreAllMocks();
  });

  /** Opens the store on the recording server; what it sent at start stays in `es.calls` until `forget`. */
  async function open(definition: CannedReply): Promise<ElasticsearchStore> {
    es.on('GET', `/${INDEX}`, definition);
    store = await createElasticsearchStore(testSettings(es.url));
    return store;
  }

  describe('a user with create_index, read, write and view_index_metadata only (items 1 and 2)', () => {
    it('starts on an index that has our mapping without PUT _mapping, which would answer it 403', async () => {
      es.on('PUT', `/${INDEX}/_mapping`, MAPPING_PUT);
      await open(indexDefinition(STORED_MAPPING));
      expect(es.calls.map((r) => `${r.method} ${r.path}`)).toEqual([`GET /${INDEX}`]);
    });

    it('refuses to start on an index without dane_node it may not extend, naming the privilege and the request to send', async () => {
      es.on('PUT', `/${INDEX}/_mapping`, MAPPING_PUT);
      const opening = open(indexDefinition(DANE_MAPPING));
      await expect(opening).rejects.toBeInstanceOf(ConfigError);
      await expect(opening).rejects.toThrow(
        /dane-index lacks our `dane_node` mapping \(seq, attempt, .*dedup_key\) and this user may not add it \(403: action \[indices:admin\/mapping\/put\] is unauthorized for user \[dane\] with roles \[dane_writer\].*`manage` index privilege.*PUT \/dane-index\/_mapping \{"properties":\{"dane_node":/,
      );
      expect(es.calls.filter((r) => r.method === 'PUT').map((r) => r.body)).toEqual([{ properties: EXTENSION_MAPPING }]);
    });

    it('extends an index whose dane_node lacks a field (an older release) where the user may', async () => {
      const older = { properties: { ...DANE_MAPPING.properties, dane_node: { dynamic: 'false', properties: { seq: { type: 'long' } } } } };
      es.on('PUT', `/${INDEX}/_mapping`, acknowledged());
      await open(indexDefinition(older));
      expect(es.calls.map((r) => `${r.method} ${r.path}`)).toEqual([`GET /${INDEX}`, `PUT /${INDEX}/_mapping`]);
    });

    it('sweeps leases without _refresh once it answered 403, logging that once', async () => {
      await open(indexDefinition(STORED_MAPPING));
      es.reset();
      const t = storedTask('ASR', S.QUEUED, 30, { attempt: 1, lease_until: Date.now() - 10 });
      es.on('GET', `/${INDEX}/_refresh`, REFRESH);
      es.on('POST', `/${INDEX}/_search`, hits([t], 1, true));
      es.on('POST', `/${INDEX}/_update/${t.id}`, updated(t.id, 31));
      for (let sweep = 0; sweep < 2; sweep++) {
        const expired = await store!.tasks.expireLeases(10);
        expect(expired.map((x) => [x.key, x.state])).toEqual([['ASR', S.CREATED]]);
      }
      expect(es.calls.map((r) => `${r.method} ${r.path}`)).toEqual([
        `GET /${INDEX}/_refresh`,
        `POST /${INDEX}/_search`,
        `POST /${INDEX}/_update/${t.id}`,
        `POST /${INDEX}/_search`,
        `POST /${INDEX}/_update/${t.id}`,
      ]);
      const [line] = events(warn, 'es_refresh_forbidden');
      expect(events(warn, 'es_refresh_forbidden')).toHaveLength(1);
      expect(line).toMatchObject({ index: INDEX, refresh_mode: 'scheduled', reason: expect.stringContaining('granted by the index privileges [maintenance,manage,all]') });
    });

    it('still refreshes before a sweep where the user may', async () => {
      await open(indexDefinition(STORED_MAPPING));
      es.reset();
      es.on('GET', `/${INDEX}/_refresh`, refreshed());
      es.on('POST', `/${INDEX}/_search`, hits([], 0, true));
      await store!.tasks.expireLeases(10);
      await store!.tasks.expireLeases(10);
      expect(es.calls.filter((r) => r.path === `/${INDEX}/_refresh`)).toHaveLength(2);
    });
  });

  describe('an index with refresh_interval -1 (item 4)', () => {
    it('refreshes what must become searchable itself (refresh=true), heartbeats not, and says so at start', async () => {
      await open(definitionWith(STORED_MAPPING, { refresh_interval: '-1' }));
      expect(events(warn, 'es_refresh_manual')).toEqual([expect.objectContaining({ index: INDEX, refresh_interval: '-1' })]);
      es.reset();

      es.on('PUT', `/${INDEX}/_doc/${doc._id}`, created(doc._id));
      await store!.documents.insert(doc);
      const t = storedTask('ASR', S.CREATED, 12);
      es.once('POST', `/${INDEX}/_search`, hits([t], 1, true));
      es.on('POST', `/${INDEX}/_mget`, mget([docStored]));
      es.once('POST', `/${INDEX}/_update/${t.id}`, updated(t.id, 13));
      expect(await store!.tasks.claimRunnable(1, 60_000)).toHaveLength(1);
      const claimed = storedTask('ASR', S.QUEUED, 13, { attempt: 1, lease_until: Date.now() + 60_000 });
      es.on('GET', `/${INDEX}/_doc/${t.id}`, found(claimed));
      es.once('POST', `/${INDEX}/_update/${t.id}`, updated(t.id, 14));
      expect(await store!.tasks.heartbeat(t.id, 1, 60_000)).toBe(true);
      es.once('POST', `/${INDEX}/_update/${t.id}`, updated(t.id, 15));
      expect(await store!.tasks.transition({ id: t.id, from: [S.QUEUED], to: S.SUCCESS, msg: 'Success', attempt: 1 })).not.toBeNull();

      const writes = es.calls.filter((r) => r.method !== 'GET' && !r.path.endsWith('_search') && !r.path.endsWith('_mget'));
      expect(writes.map((r) => [r.path, r.query.refresh])).toEqual([
        [`/${INDEX}/_doc/${doc._id}`, 'true'],
        [`/${INDEX}/_update/${t.id}`, 'true'],
        [`/${INDEX}/_update/${t.id}`, 'false'],
        [`/${INDEX}/_update/${t.id}`, 'true'],
      ]);
    });

    it('keeps wait_for on an index that refreshes by itself', async () => {
      await open(definitionWith(STORED_MAPPING, { refresh_interval: '1s' }));
      expect(events(warn, 'es_refresh_manual')).toEqual([]);
      es.reset();
      es.on('PUT', `/${INDEX}/_doc/${doc._id}`, created(doc._id));
      await store!.documents.insert(doc);
      expect(es.calls[0].query).toMatchObject({ refresh: 'wait_for' });
    });

    it('takes -1, or an interval no shorter than a request may wait, as manual', () => {
      expect(refreshModeOf(undefined, 30_000)).toBe('scheduled');
      expect(refreshModeOf('-1', 30_000)).toBe('manual');
      expect(refreshModeOf('1s', 30_000)).toBe('scheduled');
      expect(refreshModeOf('500ms', 30_000)).toBe('scheduled');
      expect(refreshModeOf('30s', 30_000)).toBe('manual');
      expect(refreshModeOf('1h', 30_000)).toBe('manual');
    });
  });

  describe('an index deleted while the server runs (item 6)', () => {
    const GONE = /Elasticsearch 127\.0\.0\.1:\d+\/dane-index does not exist \(index_not_found_exception: no such index \[dane-index\]\): it was deleted while the server ran/;
    const t = storedTask('ASR', S.QUEUED, 7, { attempt: 1 });

    beforeEach(async () => {
      await open(indexDefinition(STORED_MAPPING));
      es.reset();
    });

    /** After the first index_not_found, nothing more is sent: a write would create the index again with a dynamic mapping. */
    async function expectFenced(): Promise<void> {
      const sent = es.calls.length;
      await expect(store!.documents.insert(doc)).rejects.toThrow(GONE);
      await expect(store!.tasks.expireLeases(10)).rejects.toThrow(GONE);
      await expect(store!.ping()).rejects.toThrow(GONE);
      expect(es.calls.length).toBe(sent);
      expect(events(error, 'es_index_missing')).toEqual([expect.objectContaining({ index: INDEX, reason: 'no such index [dane-index]' })]);
    }

    it('tells a missing document (null) from a missing index (an error naming it) on GET', async () => {
      es.once('GET', `/${INDEX}/_doc/${t.id}`, missing(t.id));
      expect(await store!.tasks.findById(t.id)).toBeNull();
      es.once('GET', `/${INDEX}/_doc/${t.id}`, indexGone());
      const reading = store!.tasks.findById(t.id);
      await expect(reading).rejects.toBeInstanceOf(StorageUnavailableError);
      await expect(reading).rejects.toThrow(GONE);
      await expectFenced();
    });

    it('does not read a 404 index_not_found on an update as "the task is gone"', async () => {
      es.on('GET', `/${INDEX}/_doc/${t.id}`, found(t));
      es.on('POST', `/${INDEX}/_update/${t.id}`, indexGone());
      await expect(store!.tasks.transition({ id: t.id, from: [S.QUEUED], to: S.SUCCESS, msg: 'Success', attempt: 1 })).rejects.toThrow(GONE);
      await expectFenced();
    });

    it('takes the per-doc errors of an mget on a deleted index for what they are', async () => {
      es.on('POST', `/${INDEX}/_search`, hits([storedTask('ASR', S.CREATED, 3)], 1, true));
      es.on('POST', `/${INDEX}/_mget`, mgetIndexGone([doc._id]));
      await expect(store!.tasks.claimRunnable(1, 60_000)).rejects.toThrow(GONE);
      await expectFenced();
    });

    it('takes 404 index_not_found bulk items for a deleted index, not for tasks gone', async () => {
      const [a, b] = [storedTask('A', S.CREATED, 3), storedTask('B', S.CREATED, 4)];
      es.on('POST', `/${INDEX}/_search`, hits([a, b], 2, true));
      es.on('POST', `/${INDEX}/_mget`, mget([docStored]));
      es.on(
        'POST',
        `/${INDEX}/_bulk`,
        bulkIndexGone([
          { action: 'update', id: a.id },
          { action: 'update', id: b.id },
        ]),
      );
      await expect(store!.tasks.claimRunnable(2, 60_000)).rejects.toThrow(GONE);
      await expectFenced();
    });

    it('stops at a search answered 404 index_not_found', async () => {
      es.on('POST', `/${INDEX}/_search`, indexGone());
      await expect(store!.tasks.claimRunnable(1, 60_000)).rejects.toThrow(GONE);
      await expectFenced();
    });
  });
});
