import { ValidationError, TIMESTAMP_PATTERN, TaskState } from '@dane/protocol';
import { makeDocument, makeTask } from '../sql/store-contract.fixtures';
import { INDEX, Stored, bulk, byQueryStarted, found, mget, missing, refreshed, taskDone, updated, versionConflict } from './testing/es-replies';
import { useRecordedStore } from './testing/recorded-store';

const S = TaskState;
const doc = makeDocument('ITM7');

/** A task as stored, at seq_no `seqNo`. */
function storedTask(key: string, state: number, seqNo: number, ext: Record<string, unknown> = {}): Stored {
  const task = makeTask(doc, key, { old: true });
  return {
    id: task._id,
    seqNo,
    routing: doc._id,
    source: {
      task: { key, state, msg: 'before', priority: 1 },
      role: { name: 'task', parent: doc._id },
      created_at: task.created_at,
      updated_at: task.updated_at,
      dane_node: { seq: 1, attempt: 1, retries: 0, depends_on: [], lease_until: 1_900_000_000_000, ...ext },
    },
  };
}

describe('Elasticsearch task transitions: conditional writes with if_seq_no/if_primary_term', () => {
  const recorded = useRecordedStore();

  it('reads the task (realtime GET), checks `from`, and updates at that version with the original partial-doc shape', async () => {
    const t = storedTask('ASR', S.QUEUED, 7);
    recorded.es.on('GET', `/${INDEX}/_doc/${t.id}`, found(t));
    recorded.es.on('POST', `/${INDEX}/_update/${t.id}`, updated(t.id, 8));
    const after = await recorded.store.tasks.transition({ id: t.id, from: [S.QUEUED], to: S.SUCCESS, msg: 'Success', attempt: 1 });
    expect(recorded.es.calls.map((r) => `${r.method} ${r.path}`)).toEqual([`GET /${INDEX}/_doc/${t.id}`, `POST /${INDEX}/_update/${t.id}`]);
    const update = recorded.es.calls[1];
    expect(update.query).toEqual({ routing: doc._id, if_seq_no: '7', if_primary_term: '1', refresh: 'wait_for' });
    const body = update.body as { doc: Record<string, any> };
    expect(body).toEqual({
      doc: {
        task: { state: S.SUCCESS, msg: 'Success' },
        updated_at: expect.stringMatching(TIMESTAMP_PATTERN),
        dane_node: { state_changed_at: expect.any(Number), lease_until: null },
      },
    });
    expect(after).toMatchObject({ _id: t.id, state: S.SUCCESS, msg: 'Success', attempt: 1, updated_at: body.doc.updated_at, document_id: doc._id });
  });

  it('claims one task by id for a batch run: realtime GET, then 102, attempt + 1 and a lease at that version; nothing from another state', async () => {
    const t = storedTask('ASR', S.ERROR, 11, { attempt: 2, not_before: 1_900_000_000_000, heartbeat_at: 1_800_000_000_000 });
    recorded.es.on('GET', `/${INDEX}/_doc/${t.id}`, found(t));
    recorded.es.once('POST', `/${INDEX}/_update/${t.id}`, updated(t.id, 12));
    const before = Date.now();
    const claimed = await recorded.store.tasks.claimOne(t.id, [S.CREATED, S.ERROR], 60_000, 'Claimed by a batch run');
    expect(claimed).toMatchObject({ _id: t.id, state: S.QUEUED, msg: 'Claimed by a batch run', attempt: 3 });
    const update = recorded.es.calls[1];
    expect(`${update.method} ${update.path}`).toBe(`POST /${INDEX}/_update/${t.id}`);
    expect(update.query).toMatchObject({ routing: doc._id, if_seq_no: '11', if_primary_term: '1' });
    const body = update.body as { doc: { task: Record<string, unknown>; dane_node: Record<string, number | null> } };
    expect(body.doc.task).toEqual({ state: S.QUEUED, msg: 'Claimed by a batch run' });
    expect(body.doc.dane_node).toMatchObject({ attempt: 3, heartbeat_at: null, not_before: null });
    expect(body.doc.dane_node.lease_until).toBeGreaterThanOrEqual(before + 60_000);
    // In 500 but asked only from 201: no write.
    expect(await recorded.store.tasks.claimOne(t.id, [S.CREATED], 60_000, 'x')).toBeNull();
    expect(recorded.es.calls.filter((r) => r.method === 'POST')).toHaveLength(1);
  });

  it('writes nothing when the condition does not hold, or the task does not exist', async () => {
    const t = storedTask('ASR', S.QUEUED, 7);
    recorded.es.on('GET', `/${INDEX}/_doc/${t.id}`, found(t));
    recorded.es.on('GET', `/${INDEX}/_doc/${'f'.repeat(40)}`, missing('f'.repeat(40)));
    expect(await recorded.store.tasks.transition({ id: t.id, from: [S.CREATED], to: S.SUCCESS, msg: 'x' })).toBeNull();
    expect(await recorded.store.tasks.transition({ id: t.id, from: [S.QUEUED], to: S.SUCCESS, msg: 'late', attempt: 0 })).toBeNull();
    expect(await recorded.store.tasks.transition({ id: 'f'.repeat(40), from: [S.CREATED], to: S.SUCCESS, msg: 'x' })).toBeNull();
    expect(recorded.es.calls.every((r) => r.method === 'GET')).toBe(true);
  });

  it('returns null when another writer won the race (409, then the condition no longer holds)', async () => {
    const t = storedTask('ASR', S.QUEUED, 7);
    recorded.es.once('GET', `/${INDEX}/_doc/${t.id}`, found(t));
    recorded.es.once('POST', `/${INDEX}/_update/${t.id}`, versionConflict(t.id, 7, 8));
    recorded.es.once('GET', `/${INDEX}/_doc/${t.id}`, found(storedTask('ASR', S.ERROR, 8)));
    expect(await recorded.store.tasks.transition({ id: t.id, from: [S.QUEUED], to: S.SUCCESS, msg: 'Success', attempt: 1 })).toBeNull();
    expect(recorded.es.calls.map((r) => r.method)).toEqual(['GET', 'POST', 'GET']);
  });

  it('decides again after a 409 that left the condition true (a heartbeat came between)', async () => {
    const t = storedTask('ASR', S.QUEUED, 7);
    recorded.es.once('GET', `/${INDEX}/_doc/${t.id}`, found(t));
    recorded.es.once('POST', `/${INDEX}/_update/${t.id}`, versionConflict(t.id, 7, 8));
    recorded.es.once('GET', `/${INDEX}/_doc/${t.id}`, found(storedTask('ASR', S.QUEUED, 8)));
    recorded.es.once('POST', `/${INDEX}/_update/${t.id}`, updated(t.id, 9));
    expect(await recorded.store.tasks.transition({ id: t.id, from: [S.QUEUED], to: S.SUCCESS, msg: 'Success', attempt: 1 })).toMatchObject({ state: S.SUCCESS });
    expect(recorded.es.calls[3].query).toMatchObject({ if_seq_no: '8', if_primary_term: '1' });
  });

  it('applies many with one MGET and one _bulk of versioned updates; a lost item is decided again', async () => {
    const [a, b, c] = [storedTask('A', S.CREATED, 3), storedTask('B', S.QUEUED, 4), storedTask('C', S.CREATED, 5)];
    recorded.es.once('POST', `/${INDEX}/_mget`, mget([a, b, c]));
    recorded.es.once(
      'POST',
      `/${INDEX}/_bulk`,
      bulk([
        { action: 'update', id: a.id, status: 200, seqNo: 6 },
        { action: 'update', id: c.id, status: 409, seqNo: 5 },
      ]),
    );
    recorded.es.once('POST', `/${INDEX}/_mget`, mget([storedTask('C', S.SUCCESS, 7)]));
    const results = await recorded.store.tasks.transitionMany([
      { id: a.id, from: [S.CREATED], to: S.UNFINISHED_DEPENDENCY, msg: 'waits', dependsOn: ['B'], notBefore: null, retries: 'increment' },
      { id: b.id, from: [S.CREATED], to: S.SUCCESS, msg: 'wrong state' },
      { id: c.id, from: [S.CREATED], to: S.ERROR, msg: 'lost race' },
    ]);
    expect(results.map((t) => t && [t.key, t.state, t.depends_on, t.retries])).toEqual([['A', S.UNFINISHED_DEPENDENCY, ['B'], 1], null, null]);
    expect(recorded.es.calls.map((r) => r.path)).toEqual([`/${INDEX}/_mget`, `/${INDEX}/_bulk`, `/${INDEX}/_mget`]);
    expect(recorded.es.calls[0].body).toEqual({ ids: [a.id, b.id, c.id] });
    expect(recorded.es.calls[1].query).toEqual({ refresh: 'wait_for' });
    expect(recorded.es.calls[1].body).toEqual([
      { update: { _id: a.id, routing: doc._id, if_seq_no: 3, if_primary_term: 1 } },
      {
        doc: {
          task: { state: S.UNFINISHED_DEPENDENCY, msg: 'waits' },
          updated_at: expect.stringMatching(TIMESTAMP_PATTERN),
          dane_node: { not_before: null, retries: 1, depends_on: ['B'], state_changed_at: expect.any(Number), lease_until: null },
        },
      },
      { update: { _id: c.id, routing: doc._id, if_seq_no: 5, if_primary_term: 1 } },
      { doc: expect.objectContaining({ task: { state: S.ERROR, msg: 'lost race' } }) },
    ]);
  });

  it('mass-resets with _update_by_query and a painless script, updated_at untouched, refreshed once', async () => {
    const task = 'oTUltX4IQMOUUVeiohTt8A:41';
    recorded.es.on('POST', `/${INDEX}/_update_by_query`, byQueryStarted(task));
    recorded.es.on('GET', `/_tasks/${task}`, taskDone(task, 'update', { done: 2 }));
    recorded.es.on('GET', `/${INDEX}/_refresh`, refreshed());
    expect(await recorded.store.tasks.transitionAll({ key: 'ASR', state: S.ERROR }, S.TASK_RESET, 'Manual reset')).toBe(2);
    expect(recorded.es.calls.map((r) => `${r.method} ${r.path}`)).toEqual([`POST /${INDEX}/_update_by_query`, `GET /_tasks/${task}`, `GET /${INDEX}/_refresh`]);
    expect(recorded.es.calls[0].query).toEqual({ conflicts: 'proceed', wait_for_completion: 'false' });
    const body = recorded.es.calls[0].body as Record<string, any>;
    expect(body.query).toEqual({ bool: { must: [{ exists: { field: 'task.key' } }, { match: { 'task.key': 'ASR' } }, { terms: { 'task.state': [S.ERROR] } }] } });
    expect(body.script).toMatchObject({ lang: 'painless', params: { to: S.TASK_RESET, msg: 'Manual reset', from: S.ERROR } });
    expect(body.script.source).not.toContain('updated_at');
  });

  it('refuses a NUL character before sending anything', async () => {
    const reply = { id: 'a'.repeat(40), from: [S.CREATED], to: S.ERROR, msg: 'bad \u0000 byte' };
    await expect(recorded.store.tasks.transition(reply)).rejects.toThrow(ValidationError);
    await expect(recorded.store.tasks.transitionMany([reply])).rejects.toThrow(ValidationError);
    expect(recorded.es.calls).toEqual([]);
  });
});
