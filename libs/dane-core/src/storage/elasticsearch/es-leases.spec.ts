import { TaskState } from '@dane/protocol';
import { makeDocument } from '../sql/store-contract.fixtures';
import { expireDoc } from './task-changes';
import { TaskSource } from './sources';
import { INDEX, hits, mget, pitHits, refreshed, updated } from './testing/es-replies';
import { useRecordedStore } from './testing/recorded-store';
import { storedTasksOf } from './testing/stored-task';

const S = TaskState;
const doc = makeDocument('ITM7');

const storedTask = storedTasksOf(doc);

describe('Elasticsearch lease budget and stuck tasks', () => {
  it('decides an expiry like the SQL store: a retry while the budget lasts, then 500', () => {
    const now = new Date();
    const budget = { maxRetries: 1, maxRetriesPerKey: {} };
    // Claimed 12 s ago, a heartbeat 10.5 s ago (a worker had it), lease ran out 0.5 s ago.
    const claimedAt = now.getTime() - 12_000;
    const lost = (retries: number) =>
      storedTask('ASR', S.QUEUED, 1, { attempt: retries + 1, retries, state_changed_at: claimedAt, heartbeat_at: claimedAt + 1_500, lease_until: claimedAt + 11_500 })
        .source as TaskSource;
    expect(expireDoc(lost(0), now, budget)).toMatchObject({
      task: { state: S.CREATED, msg: 'Worker lost (lease expired on attempt 1); dispatching again — retry 1 of 1' },
      dane_node: { retries: 1, not_before: null, lease_until: null, heartbeat_at: null },
    });
    // No heartbeat (still in a queue): not counted.
    const queued = storedTask('ASR', S.QUEUED, 1, { attempt: 4, retries: 1, state_changed_at: claimedAt, lease_until: claimedAt + 10_000 }).source as TaskSource;
    expect(expireDoc(queued, now, budget)).toMatchObject({ task: { state: S.CREATED, msg: 'Lease expired (attempt 4); dispatching again' }, dane_node: { retries: 1 } });
    expect(expireDoc(lost(1), now, budget)).toMatchObject({
      task: { state: S.ERROR, msg: 'Worker lost (lease expired on attempt 2) — retries spent (1 of 1)' },
      dane_node: { retries: 1, lease_until: null },
    });
    const fresh = storedTask('ASR', S.QUEUED, 1, { attempt: 1, lease_until: now.getTime() + 1000 }).source as TaskSource;
    expect(expireDoc(fresh, now, budget)).toBeNull();
  });

  describe('against a recorded cluster', () => {
    const recorded = useRecordedStore();

    it('parks a task whose retries are spent in 500 at the version searched', async () => {
      const claimedAt = Date.now() - 5_000;
      const t = storedTask('ASR', S.QUEUED, 30, { attempt: 3, retries: 2, state_changed_at: claimedAt, heartbeat_at: claimedAt + 1_000, lease_until: claimedAt + 3_000 });
      recorded.es.on('GET', `/${INDEX}/_refresh`, refreshed());
      recorded.es.on('POST', `/${INDEX}/_search`, hits([t], 1, true));
      recorded.es.on('POST', `/${INDEX}/_update/${t.id}`, updated(t.id, 31));
      const [lost] = await recorded.store.tasks.expireLeases(10, { maxRetries: 2, maxRetriesPerKey: {} });
      expect(lost).toMatchObject({ key: 'ASR', state: S.ERROR, retries: 2, msg: 'Worker lost (lease expired on attempt 3) — retries spent (2 of 2)' });
      expect(recorded.es.calls[2].query).toMatchObject({ if_seq_no: '30' });
    });

    it('finds stuck tasks of each reason, re-reading the candidates by id', async () => {
      const old = Date.now() - 120_000;
      const lost = storedTask('LOST', S.QUEUED, 1, { attempt: 1, lease_until: old, state_changed_at: old });
      const runnable = storedTask('IDLE', S.CREATED, 2, { state_changed_at: old });
      const movedOn = storedTask('MOVED', S.CREATED, 3, { state_changed_at: old });
      const download = storedTask('DOWNLOAD', S.SUCCESS, 4, { state_changed_at: old + 1000 });
      const waiting = storedTask('ASR', S.UNFINISHED_DEPENDENCY, 5, { depends_on: ['DOWNLOAD'], state_changed_at: old });
      const blocked = storedTask('NER', S.UNFINISHED_DEPENDENCY, 6, { depends_on: ['SHOTS'], state_changed_at: old });
      recorded.es.once('POST', `/${INDEX}/_search`, hits([lost]));
      recorded.es.once('POST', `/${INDEX}/_mget`, mget([lost]));
      recorded.es.once('POST', `/${INDEX}/_search`, hits([runnable, movedOn]));
      // MOVED was claimed since the search's refresh: the realtime read says 102.
      recorded.es.once('POST', `/${INDEX}/_mget`, mget([runnable, storedTask('MOVED', S.QUEUED, 7, { attempt: 1, lease_until: Date.now() + 60_000 })]));
      recorded.es.once('POST', '/_search', pitHits([waiting, blocked]));
      recorded.es.once('POST', `/${INDEX}/_mget`, mget([download, storedTask('SHOTS', S.ERROR, 8)]));
      recorded.es.once('POST', `/${INDEX}/_mget`, mget([waiting]));

      const stuck = await recorded.store.tasks.findStuck(60_000, 10);
      expect(stuck.map((s) => [s.reason, s.task.key, s.since.getTime()])).toEqual([
        ['lease_not_swept', 'LOST', old],
        ['not_dispatched', 'IDLE', old],
        ['release_missed', 'ASR', old + 1000],
      ]);
      // The third, a scan, in a point in time (closed afterwards).
      const searches = recorded.es.calls.filter((c) => c.path.endsWith('/_search')).map((c) => (c.body as Record<string, any>).query.bool.must);
      expect(recorded.es.calls.filter((c) => c.path.endsWith('_pit')).map((c) => c.method)).toEqual(['POST', 'DELETE']);
      expect(searches[0][2]).toEqual({ range: { 'dane_node.lease_until': { lt: expect.any(Number) } } });
      expect(searches[1][2]).toEqual({ range: { 'dane_node.state_changed_at': { lt: expect.any(Number) } } });
      expect(searches[2][1]).toEqual({ terms: { 'task.state': [S.UNFINISHED_DEPENDENCY] } });
    });
  });
});
