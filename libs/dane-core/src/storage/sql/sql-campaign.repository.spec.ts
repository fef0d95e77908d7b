import { TaskState, createResult } from '@dane/protocol';
import type { DaneStore } from '../store.port';
import type { CampaignRepository } from '../campaign.port';
import { createSqlStore } from './create-store';
import { testSchema } from './postgres-test-db';
import { makeDocument, makeTask } from './store-contract.fixtures';

/** The campaign tables on PostgreSQL: selections as exact counts, the feed under a lease, progress by task state. */
describe('SqlCampaignRepository (PostgreSQL)', () => {
  const schema = testSchema('campaigns');
  let store: DaneStore;
  let repo: CampaignRepository;

  beforeAll(async () => {
    await schema.create();
    store = await createSqlStore({ kind: 'postgres', url: schema.url, poolSize: 4 });
    repo = store.campaigns!;
  });
  afterAll(async () => {
    await store?.close();
    await schema.drop();
  });

  it('selects, stores, leases to one feeder, feeds and counts progress', async () => {
    const docs = Array.from({ length: 6 }, (_, i) => makeDocument(`CMP-${i}`, i < 4 ? 'CMP-A' : 'CMP-B'));
    await store.documents.insertMany(docs);
    const tasks = docs.slice(0, 3).map((d, i) => makeTask(d, 'CMPKEY', { state: i === 2 ? TaskState.ERROR : TaskState.SUCCESS }));
    await store.tasks.insertMany(tasks);
    const gen = (version?: string) => ({ id: 'g', name: 'CMPGEN', type: 'Software' as const, homepage: null, ...(version ? { version } : {}) });
    await store.results.insert(createResult({ _id: tasks[0]._id, document_id: tasks[0].document_id, key: 'CMPKEY' }, { generator: gen('1.9.1'), payload: {} }));
    await store.results.insert(createResult({ _id: tasks[1]._id, document_id: tasks[1].document_id, key: 'CMPKEY' }, { generator: gen('2.0'), payload: {} }));
    await store.results.insert(createResult({ _id: tasks[2]._id, document_id: tasks[2].document_id, key: 'CMPKEY' }, { generator: gen(), payload: {} }));

    expect(await repo.preview('assign', { key: 'CMPKEY', creatorId: 'CMP-A' }, 10)).toEqual({
      matched: 1,
      byState: {},
      sample: [{ document_id: docs[3]._id, task_id: makeTask(docs[3], 'CMPKEY')._id, state: null }],
    });
    expect((await repo.preview('assign', { key: 'CMPKEY', creatorId: 'CMP-*' }, 10)).matched).toBe(3);
    expect((await repo.preview('rerun', { key: 'CMPKEY' }, 10)).byState).toEqual({ '200': 2, '500': 1 });
    const older = await repo.preview('rerun', { key: 'CMPKEY', generator: { name: 'CMPGEN', versionBelow: '2.0' } }, 10);
    expect(older.sample.map((s) => s.task_id)).toEqual([tasks[0]._id, tasks[2]._id]);
    expect((await repo.preview('rerun', { key: 'CMPKEY', generator: { version: '2.0' } }, 10)).sample.map((s) => s.task_id)).toEqual([tasks[1]._id]);
    expect((await repo.preview('rerun', { key: 'CMPKEY', targetId: 'CMP-?', states: [TaskState.ERROR] }, 10)).matched).toBe(1);

    const c = await repo.create({
      id: 'cmp1',
      name: null,
      action: 'assign',
      selection: { key: 'CMPKEY', creatorId: 'CMP-*' },
      maxInFlight: 2,
      priority: 1,
      args: {},
      createdAt: '2024-01-01T00:00:00',
    });
    expect(c).toMatchObject({ status: 'running', matched: 3 });
    expect(await repo.lease('feeder-a', 60_000, 10)).toHaveLength(1);
    expect(await repo.lease('feeder-b', 60_000, 10)).toEqual([]);
    expect(await repo.takeNext('cmp1', 'feeder-b', 2)).toEqual([]);
    const taken = await repo.takeNext('cmp1', 'feeder-a', 2);
    expect(taken.map((i) => i.documentId)).toEqual([docs[3]._id, docs[4]._id]);
    expect(await repo.feeding('cmp1')).toEqual(taken);
    expect(await repo.progress('cmp1')).toMatchObject({ matched: 3, pending: 1, feeding: 2 });
    await store.tasks.insertMany(
      taken.map((i) =>
        makeTask(
          docs.find((d) => d._id === i.documentId)!,
          'CMPKEY',
        ),
      ),
    );
    await repo.markFed('cmp1', [taken[0].seq, taken[1].seq]);
    expect(await repo.progress('cmp1')).toMatchObject({ pending: 1, feeding: 0, queued: 2, done: 0 });
    expect((await repo.unfinishedTaskIds('cmp1')).sort()).toEqual(taken.map((i) => i.taskId).sort());
    expect(await repo.setStatus('cmp1', ['running'], 'paused')).toMatchObject({ status: 'paused', finishedAt: null });
    expect(await repo.takeNext('cmp1', 'feeder-a', 1)).toEqual([]);
    expect(await repo.setStatus('cmp1', ['running'], 'paused')).toBeNull();
    expect(await repo.setStatus('cmp1', ['paused'], 'cancelled')).toMatchObject({ status: 'cancelled', finishedAt: expect.any(String) });
    await repo.release('feeder-a');
    expect(await repo.lease('feeder-b', 60_000, 10)).toEqual([]);
    expect((await repo.list({ page: 1, size: 10 })).items.map((r) => r.id)).toEqual(['cmp1']);
  });
});
