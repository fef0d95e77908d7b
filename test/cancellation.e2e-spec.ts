import { INestApplication } from '@nestjs/common';
import type { TestingModule } from '@nestjs/testing';
import request from 'supertest';
import { DaneDocument, DaneStore, loadConfig, TaskState } from '@dane/core';
import { createSqlStore } from '@dane/core/storage/sql';
import { ResultConsumer, ResultsModule } from '@dane/results';
import { ReplyConsumer, SchedulerModule } from '@dane/scheduler';
import { DaneWorker, TaskCancelledError, type TaskContext, type WorkerOutcome, type WorkerTask } from '@dane/worker';
import { createApiTestApp } from './support/api-test-app';
import { startApp, storeFor, TestBroker, testEnv, waitFor } from './support/scheduler-harness';
import { sleep } from './support/polling';

/**
 * Cancellation end to end (issue 14, item 1; docs/protocol.md, Cancellation) against the real RabbitMQ and PostgreSQL:
 * the API, the scheduler and the results app of this repository, and an SDK worker whose callback waits for its
 * ctx.signal. A cancelled task takes 499, is never dispatched again, its running callback is told and stops, and
 * the reply and results it sends anyway change nothing.
 */

/** Runs SLOW and BULK tasks until cancelled (then still answers 200 and saves a result: both must be ignored); QUICK ones at once. */
class CancellableWorker extends DaneWorker {
  readonly started = new Set<string>();
  readonly aborted = new Map<string, unknown>();

  async callback(task: WorkerTask, _document: DaneDocument, ctx: TaskContext): Promise<WorkerOutcome> {
    this.started.add(task._id);
    if (task.key === 'QUICK') return { state: TaskState.SUCCESS, message: 'quick' };
    await new Promise<void>((resolve) => {
      if (ctx.signal.aborted) return resolve();
      ctx.signal.addEventListener('abort', () => resolve(), { once: true });
      setTimeout(resolve, 30_000).unref();
    });
    if (!ctx.signal.aborted) return { state: TaskState.SUCCESS, message: 'never cancelled' };
    this.aborted.set(task._id, ctx.signal.reason);
    await ctx.saveResult({ late: true });
    return { state: TaskState.SUCCESS, message: 'finished after the cancel' };
  }
}

describe('cancelling tasks (API, scheduler, results, SDK worker; RabbitMQ, PostgreSQL)', () => {
  const broker = new TestBroker('cancel');
  const db = storeFor('postgres', 'cancel');
  const env: Record<string, string> = { ...testEnv(broker, db), DANE_LOGGING__LEVEL: 'ERROR' };
  let store: DaneStore;
  let api: INestApplication;
  let backend: TestingModule | undefined;
  let worker: CancellableWorker | undefined;
  let creatorSeq = 0;

  const http = () => request(api.getHttpServer());
  const task = async (id: string) => (await store.tasks.findById(id))!;

  async function document(creator = 'NISV'): Promise<string> {
    const res = await http()
      .post('/DANE/document/')
      .send({ target: { id: `CANCEL-${broker.id}-${++creatorSeq}`, url: 'http://example.com/a.mp4', type: 'Video' }, creator: { id: creator, type: 'Organization' } })
      .expect(200);
    return res.body._id;
  }

  async function assign(documentId: string, key: string, extra: Record<string, unknown> = {}): Promise<string> {
    const res = await http()
      .post('/DANE/task/')
      .send({ document_id: documentId, key, ...extra })
      .expect(201);
    return res.body._id;
  }

  /** Starts the scheduler, the results app and the worker (once). */
  async function startBackend(): Promise<void> {
    if (backend) return;
    backend = await startApp(env, SchedulerModule, ResultsModule);
    const config = loadConfig({ env, cwd: env.DANE_HOME }).config;
    worker = new CancellableWorker({
      queue: broker.queueName('cancellable'),
      bindingKey: ['#.SLOW', '#.BULK', '#.QUICK'],
      concurrency: 4,
      prefetch: 4,
      config,
      heartbeatIntervalMs: 500,
      generator: { id: 'test', name: 'CANCELLABLE', type: 'Software', homepage: null },
    });
    await worker.start();
  }

  const running = (id: string) => waitFor(`task ${id} running on the worker`, () => worker!.started.has(id), 20_000);

  beforeAll(async () => {
    await db.schema!.create();
    store = await createSqlStore({ kind: 'postgres', url: db.url! });
    api = await createApiTestApp(store, { broker: true, env });
  });

  afterAll(async () => {
    await worker?.stop(1000);
    await backend?.close();
    await api?.close();
    await store?.close();
    await broker.cleanup();
    await db.schema!.drop();
  });

  it('a task waiting to be dispatched (201): 499 at once, never dispatched afterwards; 404 unknown, 409 cancelled again or done', async () => {
    // No scheduler yet: the task stays in 201.
    const doc = await document();
    const id = await assign(doc, 'SLOW');
    expect((await task(id)).state).toBe(TaskState.CREATED);

    const res = await http().post(`/DANE/task/${id}/cancel`).expect(200);
    expect(res.body).toMatchObject({ task: { _id: id, state: String(TaskState.CANCELLED), msg: 'Cancelled' }, cascaded: [], blocked: [] });

    const again = await http().post(`/DANE/task/${id}/cancel`).expect(409);
    expect(again.body.message).toBe(`Task \`${id}\` is already cancelled (499 CANCELLED)`);
    const unknown = await http().post('/DANE/task/0000000000000000000000000000000000000000/cancel').expect(404);
    expect(unknown.body.message).toBe('No task with id `0000000000000000000000000000000000000000` found');

    // The dispatcher and the worker start: another task of the same document runs to 200, the cancelled one never comes.
    await startBackend();
    const quick = await assign(doc, 'QUICK');
    await waitFor('the other task done', async () => (await task(quick)).state === TaskState.SUCCESS, 20_000);
    await sleep(1000);
    expect(worker!.started.has(id)).toBe(false);
    expect(await task(id)).toMatchObject({ state: TaskState.CANCELLED, attempt: 0 });

    const done = await http().post(`/DANE/task/${quick}/cancel`).expect(409);
    expect(done.body.message).toBe(`Task \`${quick}\` is in state 200 SUCCESS; a finished task cannot be cancelled (reset or forceretry runs it again)`);
  });

  it('a task running on an SDK worker: its callback sees ctx.signal aborted and stops; its late reply and result change nothing', async () => {
    await startBackend();
    const replies = backend!.get(ReplyConsumer);
    const results = backend!.get(ResultConsumer);
    const staleBefore = replies.counters.stale;
    const droppedBefore = results.counters.cancelledTask;

    const id = await assign(await document(), 'SLOW');
    await running(id);
    expect((await task(id)).state).toBe(TaskState.QUEUED);
    await http().post(`/DANE/task/${id}/cancel`).expect(200);

    await waitFor('the callback told', () => worker!.aborted.has(id), 10_000);
    expect(worker!.aborted.get(id)).toBeInstanceOf(TaskCancelledError);
    // The reply (200) and the result the callback sent anyway arrive, and are ignored.
    await waitFor('the late reply ignored', () => replies.counters.stale > staleBefore, 10_000);
    await waitFor('the late result dropped', () => results.counters.cancelledTask > droppedBefore, 10_000);
    expect(await task(id)).toMatchObject({ state: TaskState.CANCELLED, msg: 'Cancelled' });
    const stored = await http().get(`/DANE/task/${id}/results`).expect(200);
    expect(stored.body).toEqual([]);
  });

  it('?cascade=true cancels the dependants waiting on it, transitively', async () => {
    await startBackend();
    const doc = await document();
    const slow = await assign(doc, 'SLOW');
    const asr = await assign(doc, 'ASR', { depends_on: ['SLOW'] });
    const ner = await assign(doc, 'NER', { depends_on: ['ASR'] });
    await running(slow);
    expect([(await task(asr)).state, (await task(ner)).state]).toEqual([TaskState.UNFINISHED_DEPENDENCY, TaskState.UNFINISHED_DEPENDENCY]);

    const res = await http().post(`/DANE/task/${slow}/cancel?cascade=true`).expect(200);
    expect(res.body.cascaded.sort()).toEqual([asr, ner].sort());
    await waitFor('the callback told', () => worker!.aborted.has(slow), 10_000);
    expect(await task(asr)).toMatchObject({ state: TaskState.CANCELLED, msg: 'Cancelled: depends on SLOW, which was cancelled' });
    expect(await task(ner)).toMatchObject({ state: TaskState.CANCELLED, msg: 'Cancelled: depends on ASR, which was cancelled' });
  });

  it('without cascade the dependant says "blocked by SLOW: cancelled" and needs a person', async () => {
    await startBackend();
    const doc = await document();
    const slow = await assign(doc, 'SLOW');
    const asr = await assign(doc, 'ASR', { depends_on: ['SLOW'] });
    await running(slow);

    const res = await http().post(`/DANE/task/${slow}/cancel`).expect(200);
    expect(res.body).toMatchObject({ cascaded: [], blocked: [asr] });
    expect(await task(asr)).toMatchObject({ state: TaskState.UNFINISHED_DEPENDENCY, msg: 'blocked by SLOW: cancelled' });
    const needing = await http().get('/DANE/task/?needs_person=true&size=1000').expect(200);
    expect(needing.body.map((t: { _id: string }) => t._id)).toContain(asr);
    expect(needing.body.map((t: { _id: string }) => t._id)).not.toContain(slow);
  });

  it('in bulk by filter (key, creator, states): counts what it cancelled and what it left alone', async () => {
    await startBackend();
    const creator = `BULK-${broker.id}`;
    const docs = [await document(creator), await document(creator), await document(creator)];
    const other = await document('SOMEONE-ELSE');
    const quick = await assign(docs[0], 'QUICK');
    await waitFor('QUICK done', async () => (await task(quick)).state === TaskState.SUCCESS, 20_000);
    const ids: string[] = [];
    for (const d of docs) ids.push(await assign(d, 'BULK'));
    const untouched = await assign(other, 'BULK');
    await waitFor('the BULK tasks running', () => [...ids, untouched].every((id) => worker!.started.has(id)), 20_000);

    const refused = await http()
      .post('/DANE/task/cancel')
      .send({ states: [TaskState.QUEUED] })
      .expect(400);
    expect(refused.body.message).toBe('A bulk cancel needs at least one of key, creator, document_ids or task_ids (it never cancels every task)');

    const res = await http().post('/DANE/task/cancel').send({ key: 'bulk', creator }).expect(200);
    expect(res.body).toMatchObject({ matched: 3, cancelled: 3, cascaded: 0, blocked: 0, skipped: { done: 0, already_cancelled: 0, changed: 0 }, not_found: [] });
    expect(res.body.ids.cancelled.sort()).toEqual([...ids].sort());
    await waitFor('the callbacks told', () => ids.every((id) => worker!.aborted.has(id)), 10_000);
    for (const id of ids) expect((await task(id)).state).toBe(TaskState.CANCELLED);
    expect(worker!.aborted.has(untouched)).toBe(false);

    // By document list: the done QUICK task and the cancelled BULK one are counted, not changed; an unknown document is named.
    const byDocs = await http()
      .post('/DANE/task/cancel')
      .send({ document_ids: [docs[0], 'no-such-document'] })
      .expect(200);
    expect(byDocs.body).toMatchObject({ matched: 2, cancelled: 0, skipped: { done: 1, already_cancelled: 1, changed: 0 }, not_found: ['no-such-document'] });

    // By state: the other creator's running task.
    const byState = await http()
      .post('/DANE/task/cancel')
      .send({ key: 'BULK', states: [TaskState.QUEUED] })
      .expect(200);
    expect(byState.body).toMatchObject({ matched: 1, cancelled: 1 });
    await waitFor('the last callback told', () => worker!.aborted.has(untouched), 10_000);
  });
});
