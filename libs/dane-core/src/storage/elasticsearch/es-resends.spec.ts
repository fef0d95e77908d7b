import { DocumentExistsError, TaskAssignedError, TaskState } from '@dane/protocol';
import { makeDocument, makeTask } from '../sql/store-contract.fixtures';
import { mergeDoc } from './source-merge';
import {
  INDEX,
  Stored,
  alreadyExists,
  bulk,
  byQuery,
  byQueryStarted,
  created,
  forbidden,
  found,
  gatewayTimeout,
  hits,
  mget,
  refreshed,
  taskDone,
  taskRunning,
} from './testing/es-replies';
import { useRecordedStore } from './testing/recorded-store';
import { RecordedRequest } from './testing/recording-elasticsearch';
import { storedTasksOf } from './testing/stored-task';

const S = TaskState;
/** Longer than the store's request timeout below: Elasticsearch applies the request, the client gives up on it. */
const TOO_LATE = 1_500;

/**
 * Issue 16, item 3: writes are never resent by the client; EsIndex resends conditional writes after a
 * timeout or a 502/503/504 and reads back a 409 that follows, and runs by-query calls as tasks it follows.
 */
describe('Elasticsearch writes after a timeout, and by-query tasks', () => {
  // A 0.5 s request timeout and one resend (ELASTICSEARCH.TIMEOUT / MAX_RETRIES).
  const recorded = useRecordedStore(undefined, { TIMEOUT: 0.5, MAX_RETRIES: 1 });
  const doc = makeDocument('ITM16');
  const docStored: Stored = { id: doc._id, source: { target: doc.target, creator: doc.creator, created_at: doc.created_at, updated_at: doc.updated_at, role: 'document' } };
  const sent = (path: string, n = 0): RecordedRequest => recorded.es.calls.filter((c) => c.path === path)[n];
  /** The calls but the explicit refreshes by-query calls are followed by (refresh-policy.ts). */
  const writes = () => recorded.es.calls.filter((c) => !c.path.endsWith('/_refresh'));
  beforeEach(() => recorded.es.on('GET', `/${INDEX}/_refresh`, refreshed()));

  it('a create that was applied but timed out, resent and answered 409, is created — not a DocumentExistsError', async () => {
    const path = `/${INDEX}/_doc/${doc._id}`;
    recorded.es.once('PUT', path, { ...created(doc._id), delayMs: TOO_LATE });
    recorded.es.once('PUT', path, alreadyExists(doc._id));
    // The stored document is the one the first send wrote.
    recorded.es.once('GET', path, () => found({ id: doc._id, source: sent(path).body }));
    await expect(recorded.store.documents.insert(doc)).resolves.toBeUndefined();
    expect(recorded.es.calls.map((c) => `${c.method} ${c.path}`)).toEqual([`PUT ${path}`, `PUT ${path}`, `GET ${path}`]);
    expect(sent(path, 1).body).toEqual(sent(path, 0).body);
    expect(sent(path, 1).query).toEqual({ op_type: 'create', refresh: 'wait_for' });
  });

  it('a resent create whose id holds someone else`s document is still a DocumentExistsError', async () => {
    const path = `/${INDEX}/_doc/${doc._id}`;
    recorded.es.once('PUT', path, gatewayTimeout());
    recorded.es.once('PUT', path, alreadyExists(doc._id));
    recorded.es.once('GET', path, found({ ...docStored, source: { ...(docStored.source as object), created_at: '2020-01-01T00:00:00' } }));
    await expect(recorded.store.documents.insert(doc)).rejects.toThrow(DocumentExistsError);
    expect(recorded.es.calls.map((c) => c.method)).toEqual(['PUT', 'PUT', 'GET']);
  });

  it('a task assignment resent after a timeout is ours by its insertion sequence, even once claimed', async () => {
    const task = makeTask(doc, 'ASR');
    const path = `/${INDEX}/_doc/${task._id}`;
    recorded.es.on('GET', `/${INDEX}/_doc/${doc._id}`, found(docStored));
    recorded.es.once('PUT', path, { ...created(task._id), delayMs: TOO_LATE });
    recorded.es.once('PUT', path, alreadyExists(task._id));
    recorded.es.once('GET', path, () => {
      const first = sent(path).body as Record<string, any>;
      return found({ id: task._id, routing: doc._id, source: { ...first, task: { ...first.task, state: S.QUEUED }, dane_node: { ...first.dane_node, attempt: 1 } } });
    });
    recorded.es.on('POST', `/${INDEX}/_mget`, mget([docStored]));
    await expect(recorded.store.tasks.insert(task)).resolves.toBeUndefined();

    // Another server's task under that id (another insertion sequence): the assignment is refused.
    recorded.es.once('PUT', path, gatewayTimeout());
    recorded.es.once('PUT', path, alreadyExists(task._id));
    recorded.es.once('GET', path, () => found({ id: task._id, routing: doc._id, source: { ...(sent(path).body as object), dane_node: { seq: 1 } } }));
    await expect(recorded.store.tasks.insert(task)).rejects.toThrow(TaskAssignedError);
  });

  it('a claim _bulk resent after a timeout keeps the tasks it had claimed (same attempt and lease), not those claimed by others', async () => {
    const storedTask = storedTasksOf(doc);
    const [mine, theirs] = [storedTask('ASR', S.CREATED, 11), storedTask('NER', S.CREATED, 12)];
    recorded.es.once('POST', `/${INDEX}/_search`, hits([mine, theirs], 2, true));
    recorded.es.once('POST', `/${INDEX}/_mget`, mget([docStored]));
    recorded.es.once('POST', `/${INDEX}/_bulk`, { ...bulk([{ action: 'update', id: mine.id, status: 200, seqNo: 13 }]), delayMs: TOO_LATE });
    recorded.es.once(
      'POST',
      `/${INDEX}/_bulk`,
      bulk([
        { action: 'update', id: mine.id, status: 409, seqNo: 11 },
        { action: 'update', id: theirs.id, status: 409, seqNo: 12 },
      ]),
    );
    // Read back: ASR as our first send left it; NER claimed by another dispatcher (its own attempt and lease).
    recorded.es.once('POST', `/${INDEX}/_mget`, () => {
      const claim = sent(`/${INDEX}/_bulk`).body as Array<Record<string, any>>;
      const asMine = { ...mine, seqNo: 13, source: mergeDoc(mine.source as Record<string, unknown>, claim[1].doc) };
      const byOthers = {
        ...theirs,
        seqNo: 14,
        source: mergeDoc(theirs.source as Record<string, unknown>, { ...claim[3].doc, dane_node: { ...claim[3].doc.dane_node, lease_until: 1 } }),
      };
      return mget([asMine, byOthers]);
    });
    const claims = await recorded.store.tasks.claimRunnable(2, 60_000);
    expect(claims.map((c) => [c.task.key, c.task.attempt])).toEqual([['ASR', 1]]);
    const bulks = recorded.es.calls.filter((c) => c.path === `/${INDEX}/_bulk`);
    expect(bulks).toHaveLength(2);
    expect(bulks[1].body).toEqual(bulks[0].body);
    expect(recorded.es.calls.at(-1)!.body).toEqual({ ids: [mine.id, theirs.id] });
  });

  it('a claim that answers 409 without a resend is lost at once, with no read back', async () => {
    const t = storedTasksOf(doc)('ASR', S.CREATED, 21);
    recorded.es.once('POST', `/${INDEX}/_search`, hits([t], 1, true));
    recorded.es.once('POST', `/${INDEX}/_mget`, mget([docStored]));
    recorded.es.once('POST', `/${INDEX}/_update/${t.id}`, { status: 409, body: { error: { type: 'version_conflict_engine_exception', reason: 'conflict' }, status: 409 } });
    expect(await recorded.store.tasks.claimRunnable(1, 60_000)).toEqual([]);
    expect(recorded.es.calls.map((c) => c.path)).toEqual([`/${INDEX}/_search`, `/${INDEX}/_mget`, `/${INDEX}/_update/${t.id}`]);
  });

  it('runs _delete_by_query as a task (wait_for_completion=false) and follows it with GET _tasks until it completes', async () => {
    const task = 'oTUltX4IQMOUUVeiohTt8A:12345';
    recorded.es.on('POST', `/${INDEX}/_mget`, mget([docStored]));
    recorded.es.on('POST', `/${INDEX}/_bulk`, bulk([{ action: 'delete', id: doc._id, status: 200, seqNo: 9 }]));
    recorded.es.once('POST', `/${INDEX}/_delete_by_query`, byQueryStarted(task));
    recorded.es.once('GET', `/_tasks/${task}`, taskRunning(task, 'delete', { total: 3, done: 1 }));
    recorded.es.once('GET', `/_tasks/${task}`, taskDone(task, 'delete', { done: 3 }));
    expect(await recorded.store.documents.delete(doc._id)).toBe(true);
    expect(writes().map((c) => `${c.method} ${c.path}`)).toEqual([
      `POST /${INDEX}/_mget`,
      `POST /${INDEX}/_bulk`,
      `POST /${INDEX}/_delete_by_query`,
      `GET /_tasks/${task}`,
      `GET /_tasks/${task}`,
    ]);
    expect(sent(`/${INDEX}/_delete_by_query`).query).toMatchObject({ conflicts: 'proceed', wait_for_completion: 'false' });
  });

  it('repeats a mass reset while the task reports conflicts, adding up what each task updated', async () => {
    const [first, second] = ['oTUltX4IQMOUUVeiohTt8A:1', 'oTUltX4IQMOUUVeiohTt8A:2'];
    recorded.es.once('POST', `/${INDEX}/_update_by_query`, byQueryStarted(first));
    recorded.es.once('GET', `/_tasks/${first}`, taskDone(first, 'update', { done: 4, conflicts: 1 }));
    recorded.es.once('POST', `/${INDEX}/_update_by_query`, byQueryStarted(second));
    recorded.es.once('GET', `/_tasks/${second}`, taskDone(second, 'update', { done: 1 }));
    expect(await recorded.store.tasks.transitionAll({ key: 'ASR', state: S.ERROR }, S.TASK_RESET, 'Manual reset')).toBe(5);
    expect(writes().map((c) => `${c.method} ${c.path}`)).toEqual([
      `POST /${INDEX}/_update_by_query`,
      `GET /_tasks/${first}`,
      `POST /${INDEX}/_update_by_query`,
      `GET /_tasks/${second}`,
    ]);
  });

  it('without the monitor privilege (403 on GET _tasks) runs the call again waiting in the request, and later calls at once', async () => {
    const task = 'oTUltX4IQMOUUVeiohTt8A:7';
    recorded.es.once('POST', `/${INDEX}/_update_by_query`, byQueryStarted(task));
    recorded.es.once('GET', `/_tasks/${task}`, forbidden('cluster:monitor/task/get'));
    recorded.es.on('POST', `/${INDEX}/_update_by_query`, (req) =>
      req.query.wait_for_completion === 'true'
        ? byQuery({ updated: 2 })
        : { status: 500, body: { error: { type: 'unexpected', reason: 'should wait in the request' }, status: 500 } },
    );
    expect(await recorded.store.tasks.transitionAll({ key: 'ASR', state: S.ERROR }, S.TASK_RESET, 'Manual reset')).toBe(2);
    expect(await recorded.store.tasks.transitionAll({ key: 'NER', state: S.ERROR }, S.TASK_RESET, 'Manual reset')).toBe(2);
    expect(writes().map((c) => `${c.method} ${c.path} ${c.query.wait_for_completion}`)).toEqual([
      `POST /${INDEX}/_update_by_query false`,
      `GET /_tasks/${task} undefined`,
      `POST /${INDEX}/_update_by_query true`,
      `POST /${INDEX}/_update_by_query true`,
    ]);
  });

  it('a by-query task that fails is an error naming it', async () => {
    const task = 'oTUltX4IQMOUUVeiohTt8A:9';
    recorded.es.once('POST', `/${INDEX}/_update_by_query`, byQueryStarted(task));
    const done = taskDone(task, 'update', { done: 0 }).body as Record<string, any>;
    const failure = { index: INDEX, type: '_doc', id: 'x', cause: { type: 'mapper_parsing_exception', reason: 'failed to parse' }, status: 400 };
    recorded.es.once('GET', `/_tasks/${task}`, { status: 200, body: { ...done, response: { ...done.response, failures: [failure] } } });
    await expect(recorded.store.tasks.transitionAll({ key: 'ASR', state: S.ERROR }, S.TASK_RESET, 'Manual reset')).rejects.toThrow(/failed to parse/);
  });
});
