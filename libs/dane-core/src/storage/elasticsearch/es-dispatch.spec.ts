import { taskId, DISPATCHABLE_STATES, TaskState } from '@dane/protocol';
import { makeDocument } from '../sql/store-contract.fixtures';
import { INDEX, PIT_ID, Stored, bulk, found, hits, mget, pitHits, refreshed, updated } from './testing/es-replies';
import { useRecordedStore } from './testing/recorded-store';
import { storedTasksOf } from './testing/stored-task';

const S = TaskState;
const doc = makeDocument('ITM5');
const docStored: Stored = { id: doc._id, source: { target: doc.target, creator: doc.creator, created_at: doc.created_at, updated_at: doc.updated_at, role: 'document' } };

const storedTask = storedTasksOf(doc);
const TASK_SORT = [{ 'dane_node.seq': { order: 'asc', missing: 0 } }, { created_at: { order: 'asc', missing: 0 } }, { _seq_no: 'asc' }];

describe('Elasticsearch dispatch: claims, leases and dependency release', () => {
  const recorded = useRecordedStore();

  it('claims candidates at the versions the search returned, without refresh, passing over the ones that moved on', async () => {
    const [high, taken, low] = [storedTask('HIGH', S.ERROR_PROXY, 11), storedTask('TAKEN', S.CREATED, 12), storedTask('LOW', S.CREATED, 13)];
    recorded.es.once('POST', `/${INDEX}/_search`, hits([high, taken, low], 3, true));
    recorded.es.on('POST', `/${INDEX}/_mget`, mget([docStored]));
    recorded.es.once(
      'POST',
      `/${INDEX}/_bulk`,
      bulk([
        { action: 'update', id: high.id, status: 200, seqNo: 14 },
        { action: 'update', id: taken.id, status: 409, seqNo: 12 },
      ]),
    );
    recorded.es.once('POST', `/${INDEX}/_update/${low.id}`, updated(low.id, 15));
    const before = Date.now();
    const claims = await recorded.store.tasks.claimRunnable(2, 60_000);

    expect(claims.map((c) => [c.task.key, c.task.state, c.task.msg, c.task.attempt])).toEqual([
      ['HIGH', S.ERROR_PROXY, 'msg of HIGH', 1],
      ['LOW', S.CREATED, 'msg of LOW', 1],
    ]);
    expect(claims[0].document).toEqual(doc);
    expect(claims[0].leaseUntil.getTime()).toBeGreaterThanOrEqual(before + 60_000);

    const search = recorded.es.calls[0].body as Record<string, any>;
    expect(search).toMatchObject({ size: 14, seq_no_primary_term: true });
    expect(search.sort).toEqual([{ 'task.priority': 'desc' }, { 'dane_node.seq': { order: 'asc', missing: 0 } }, { created_at: { order: 'asc', missing: 0 } }, { _seq_no: 'asc' }]);
    expect(search.query.bool.must.slice(0, 2)).toEqual([{ exists: { field: 'task.key' } }, { terms: { 'task.state': [...DISPATCHABLE_STATES] } }]);
    expect(search.query.bool.must[2].bool.should[1]).toEqual({ range: { 'dane_node.not_before': { lte: expect.any(Number) } } });

    const claim = recorded.es.calls[2];
    expect(claim.query).toEqual({ refresh: 'false' });
    expect((claim.body as object[])[0]).toEqual({ update: { _id: high.id, routing: doc._id, if_seq_no: 11, if_primary_term: 1 } });
    expect((claim.body as object[])[1]).toEqual({
      doc: {
        task: { state: S.QUEUED, msg: 'Queued' },
        updated_at: expect.any(String),
        dane_node: { attempt: 1, lease_until: expect.any(Number), heartbeat_at: null, not_before: null, state_changed_at: expect.any(Number) },
      },
    });
    expect(recorded.es.calls[3].query).toEqual({ routing: doc._id, if_seq_no: '13', if_primary_term: '1', refresh: 'false' });
  });

  it('never claims a task whose document is gone', async () => {
    const orphan = storedTask('ORPHAN', S.CREATED, 3);
    recorded.es.once('POST', `/${INDEX}/_search`, hits([orphan], 1, true));
    recorded.es.on('POST', `/${INDEX}/_mget`, mget([doc._id]));
    expect(await recorded.store.tasks.claimRunnable(1, 1000)).toEqual([]);
    expect(recorded.es.calls.map((r) => r.path)).toEqual([`/${INDEX}/_search`, `/${INDEX}/_mget`]);
  });

  it('extends a lease with refresh=false, at the current attempt only', async () => {
    const t = storedTask('ASR', S.QUEUED, 20, { attempt: 2, lease_until: Date.now() + 1000 });
    recorded.es.on('GET', `/${INDEX}/_doc/${t.id}`, found(t));
    recorded.es.on('POST', `/${INDEX}/_update/${t.id}`, updated(t.id, 21));
    expect(await recorded.store.tasks.heartbeat(t.id, 1, 60_000)).toBe(false);
    expect(await recorded.store.tasks.heartbeat(t.id, 2, 60_000, '40% done')).toBe(true);
    const update = recorded.es.calls.find((r) => r.method === 'POST')!;
    expect(update.query).toEqual({ routing: doc._id, if_seq_no: '20', if_primary_term: '1', refresh: 'false' });
    expect(update.body).toEqual({
      doc: { dane_node: { lease_until: expect.any(Number), heartbeat_at: expect.any(Number) }, task: { msg: '40% done' }, updated_at: expect.any(String) },
    });
  });

  it('refreshes once before looking for expired leases, then sends them back to 201', async () => {
    const t = storedTask('ASR', S.QUEUED, 30, { attempt: 1, lease_until: Date.now() - 10 });
    recorded.es.on('GET', `/${INDEX}/_refresh`, refreshed());
    recorded.es.on('POST', `/${INDEX}/_search`, hits([t], 1, true));
    recorded.es.on('POST', `/${INDEX}/_update/${t.id}`, updated(t.id, 31));
    const expired = await recorded.store.tasks.expireLeases(10);
    expect(expired.map((x) => [x.key, x.state, x.msg])).toEqual([['ASR', S.CREATED, 'Lease expired (attempt 1); dispatching again']]);
    expect(recorded.es.calls.map((r) => `${r.method} ${r.path}`)).toEqual([`GET /${INDEX}/_refresh`, `POST /${INDEX}/_search`, `POST /${INDEX}/_update/${t.id}`]);
    expect((recorded.es.calls[1].body as Record<string, any>).query.bool.must[2]).toEqual({ range: { 'dane_node.lease_until': { lt: expect.any(Number) } } });
    expect(recorded.es.calls[2].query).toMatchObject({ if_seq_no: '30', refresh: 'wait_for' });
  });

  it('reads dependencies by their ids to release a waiting task', async () => {
    const waiting = storedTask('ASR', S.UNFINISHED_DEPENDENCY, 40, { depends_on: ['DOWNLOAD'] });
    const download = storedTask('DOWNLOAD', S.SUCCESS, 41);
    recorded.es.on('POST', '/_search', pitHits([{ ...waiting, sort: [40, 0, 40] }], 1));
    recorded.es.once('POST', `/${INDEX}/_mget`, mget([download]));
    recorded.es.once('POST', `/${INDEX}/_mget`, mget([waiting]));
    recorded.es.on('POST', `/${INDEX}/_update/${waiting.id}`, updated(waiting.id, 42));
    const released = await recorded.store.tasks.releaseDependants([doc._id]);
    expect(released.map((t) => [t.key, t.state, t.msg])).toEqual([['ASR', S.CREATED, 'Dependencies done']]);
    // The scan runs in a point in time, opened first and closed last.
    expect(recorded.es.calls[0]).toMatchObject({ method: 'POST', path: `/${INDEX}/_pit`, query: { keep_alive: '1m' } });
    expect(recorded.es.calls.at(-1)).toMatchObject({ method: 'DELETE', path: '/_pit', body: { id: PIT_ID } });
    expect(recorded.es.calls[1].body).toMatchObject({ pit: { id: PIT_ID, keep_alive: '1m' }, sort: [...TASK_SORT, { _shard_doc: 'asc' }] });
    expect((recorded.es.calls[1].body as Record<string, any>).query).toEqual({
      bool: {
        must: [
          { terms: { _routing: [doc._id] } },
          { exists: { field: 'task.key' } },
          { terms: { 'task.state': [S.UNFINISHED_DEPENDENCY] } },
          { exists: { field: 'dane_node.depends_on' } },
        ],
      },
    });
    expect(recorded.es.calls[2].body).toEqual({ ids: [taskId(doc._id, 'DOWNLOAD')] });
  });

  it('finds the next back-off among candidates re-read by id, passing over a task claimed since', async () => {
    const claimedSince = storedTask('NER', S.ERROR_PROXY, 50, { not_before: 1_000 });
    const due = storedTask('ASR', S.ERROR_PROXY, 51, { not_before: 2_000 });
    recorded.es.on('POST', `/${INDEX}/_search`, hits([claimedSince, due], 2));
    recorded.es.on('POST', `/${INDEX}/_mget`, mget([storedTask('NER', S.QUEUED, 52, { not_before: null }), due]));
    expect(await recorded.store.tasks.nextDueAt()).toEqual(new Date(2_000));
    expect(recorded.es.calls[0].body).toMatchObject({ sort: [{ 'dane_node.not_before': 'asc' }], _source: false });
  });
});
