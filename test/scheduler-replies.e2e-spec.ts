import { PARKED_UNTIL, TaskState } from '@dane/core';
import { ReplyConsumer } from '@dane/scheduler';
import {
  useSchedulerApp,
  TestBroker,
  TestWorker,
  isTransientWakeupQueue,
  newDocument,
  publishRawReply,
  queueTypeOf,
  sleep,
  storeFor,
  waitFor,
  waitForState,
  wakeupQueueOf,
} from './support/scheduler-harness';

// RABBITMQ.QUEUE_TYPE quorum: the response queue as a RabbitMQ cluster would replicate it (the wake-up queue stays transient and classic).
describe.each(['classic', 'quorum'])('scheduler replies (postgres, %s server queues)', (queueType) => {
  const ctx = useSchedulerApp(new TestBroker(`replies-${queueType}`), storeFor('postgres', `replies${queueType}`), { MAX_RETRIES: 2 }, undefined, { QUEUE_TYPE: queueType });
  const { broker, worker } = ctx;
  let replies: ReplyConsumer;

  beforeAll(() => {
    replies = ctx.app.get(ReplyConsumer);
  });

  it(`declares the response queue as a ${queueType} queue, and its wake-up queue transient and classic whatever the type`, async () => {
    await waitFor('response queue declared', async () => (await queueTypeOf(broker.responseQueue)) === queueType);
    expect(await isTransientWakeupQueue(ctx.app, await wakeupQueueOf(ctx.app))).toBe(true);
  });

  /** A task dispatched to a worker that holds on to it (no reply), so the test can answer by hand. */
  async function inFlight(key: string): Promise<{ id: string; w: TestWorker }> {
    const w = await worker(key, () => undefined);
    const doc = await newDocument(ctx.store);
    const id = await ctx.assign(doc._id, key);
    await waitFor(`${key} delivered`, () => w.tasksReceived(id).length === 1);
    return { id, w };
  }

  it('acknowledges malformed replies and replies for unknown tasks, and keeps consuming', async () => {
    const before = { ...replies.counters };
    await publishRawReply(broker, 'not json at all', { correlationId: 'f'.repeat(40) });
    await publishRawReply(broker, JSON.stringify({ state: 'done', message: 'x' }), { correlationId: 'f'.repeat(40) });
    await publishRawReply(broker, JSON.stringify({ state: TaskState.SUCCESS, message: 'no correlation id' }));
    await publishRawReply(broker, JSON.stringify({ state: TaskState.SUCCESS, message: 'who?' }), { correlationId: 'e'.repeat(40) });
    await publishRawReply(broker, JSON.stringify({ state: TaskState.SUCCESS }), { correlationId: 'e'.repeat(40), headers: { 'x-dane-attempt': 'first' } });
    await waitFor('five rejections counted', () => replies.counters.malformed - before.malformed === 4 && replies.counters.unknownTask - before.unknownTask === 1);

    // Still consuming: a well-formed reply after them is applied.
    const { id, w } = await inFlight('AFTERJUNK');
    w.reply(w.tasksReceived(id)[0].msg, { state: TaskState.SUCCESS, message: 'fine' });
    await waitForState(ctx.store, id, TaskState.SUCCESS);
  });

  it('accepts a double-encoded reply (dane ≥ 0.3.6) and a state sent as a string', async () => {
    const a = await inFlight('DOUBLE');
    a.w.reply(a.w.tasksReceived(a.id)[0].msg, JSON.stringify(JSON.stringify({ state: TaskState.SUCCESS, message: 'twice encoded' })));
    expect((await waitForState(ctx.store, a.id, TaskState.SUCCESS)).msg).toBe('twice encoded');

    const b = await inFlight('STRSTATE');
    b.w.reply(b.w.tasksReceived(b.id)[0].msg, { state: String(TaskState.NOT_FOUND), message: 'gone' });
    expect((await waitForState(ctx.store, b.id, TaskState.NOT_FOUND)).msg).toBe('gone');
  });

  it('ignores a reply for an earlier attempt, and a second reply for a finished task', async () => {
    const { id, w } = await inFlight('STALE');
    const [{ msg }] = w.tasksReceived(id);
    const stale = replies.counters.stale;
    w.reply(msg, { state: TaskState.ERROR, message: 'old attempt' }, { 'x-dane-attempt': 0 });
    await waitFor('stale counted', () => replies.counters.stale === stale + 1);
    expect((await ctx.store.tasks.findById(id))!).toMatchObject({ state: TaskState.QUEUED, attempt: 1 });

    w.replyWithAttempt(msg, { state: TaskState.SUCCESS, message: 'current attempt' });
    await waitForState(ctx.store, id, TaskState.SUCCESS);
    w.reply(msg, { state: TaskState.ERROR, message: 'late duplicate' });
    await waitFor('duplicate counted', () => replies.counters.stale === stale + 2);
    expect((await ctx.store.tasks.findById(id))!).toMatchObject({ state: TaskState.SUCCESS, msg: 'current attempt' });
  });

  it('retries a 502 with back-off up to MAX_RETRIES, then parks it with a message saying so', async () => {
    const w = await worker('FLAKY', () => ({ state: TaskState.ERROR_INVALID_INPUT, message: 'bad input' }));
    const doc = await newDocument(ctx.store);
    const id = await ctx.assign(doc._id, 'FLAKY');
    const parked = await waitFor('retries spent', async () => {
      const t = await ctx.store.tasks.findById(id);
      return t?.msg.includes('retries spent') ? t : null;
    });
    expect(parked).toMatchObject({ state: TaskState.ERROR_INVALID_INPUT, msg: 'bad input — retries spent (2 of 2), attempt 3', attempt: 3 });
    // Parked: no further dispatch.
    await sleep(600);
    expect(w.tasksReceived(id)).toHaveLength(3);
    expect((await ctx.store.tasks.findById(id))!.attempt).toBe(3);
    expect((await ctx.store.tasks.nextDueAt())!.getTime()).toBeGreaterThanOrEqual(PARKED_UNTIL.getTime());
  });

  it('stores 400/403/404/422/500 and waits for a person, marking the dependants as blocked', async () => {
    const w = await worker('BROKEN', () => ({ state: TaskState.ERROR, message: 'Unhandled worker error: boom' }));
    const doc = await newDocument(ctx.store);
    const dependant = await ctx.assign(doc._id, 'AFTERBROKEN', { depends_on: ['BROKEN'] });
    const id = await ctx.assign(doc._id, 'BROKEN');
    expect((await waitForState(ctx.store, id, TaskState.ERROR)).msg).toBe('Unhandled worker error: boom');
    await waitFor('dependant annotated', async () => (await ctx.store.tasks.findById(dependant))!.msg === 'blocked by BROKEN: 500 ERROR');
    await sleep(400);
    expect(w.tasksReceived(id)).toHaveLength(1);
    expect((await ctx.store.tasks.findById(dependant))!.state).toBe(TaskState.UNFINISHED_DEPENDENCY);
  });

  it('assigns the dependencies a 412 reply names, runs them, then releases and completes the waiting task', async () => {
    let releaseDownload!: () => void;
    const downloadHeld = new Promise<void>((r) => (releaseDownload = r));
    const asr = await worker('WASR', (r) =>
      // Like the Python worker: first the dependencies are missing, the second time they are done.
      asr.tasksReceived(r.body.task._id).length === 1
        ? { state: TaskState.UNFINISHED_DEPENDENCY, message: 'Unfinished dependencies', dependencies: ['WDOWNLOAD', { key: 'WMETA', priority: 4 }] }
        : { state: TaskState.SUCCESS, message: 'transcribed' },
    );
    const download = await worker('WDOWNLOAD', async () => {
      await downloadHeld;
      return { state: TaskState.SUCCESS, message: 'downloaded' };
    });
    const meta = await worker('WMETA', () => ({ state: TaskState.SUCCESS, message: 'described' }));
    const doc = await newDocument(ctx.store);
    // WDOWNLOAD is already assigned (TaskAssignedError when the reply names it): WMETA is assigned all the same.
    const downloadId = await ctx.assign(doc._id, 'WDOWNLOAD');
    const id = await ctx.assign(doc._id, 'WASR');
    const waiting = await waitForState(ctx.store, id, TaskState.UNFINISHED_DEPENDENCY);
    expect(waiting.depends_on).toEqual(['WDOWNLOAD', 'WMETA']);
    // The 412 is stored before the dependencies it names are assigned: wait for WMETA to appear.
    const metaTask = await waitFor('WMETA assigned', async () => (await ctx.store.tasks.list({ documentId: doc._id, key: 'WMETA' }, { page: 1, size: 10 })).items[0]);
    expect(metaTask.priority).toBe(4);
    await waitForState(ctx.store, metaTask._id, TaskState.SUCCESS);
    expect((await ctx.store.tasks.findById(id))!.state).toBe(TaskState.UNFINISHED_DEPENDENCY);

    releaseDownload();
    const done = await waitForState(ctx.store, id, TaskState.SUCCESS);
    expect(done).toMatchObject({ msg: 'transcribed', attempt: 2 });
    expect(download.tasksReceived(downloadId)).toHaveLength(1);
    expect(meta.tasksReceived(metaTask._id)).toHaveLength(1);
  });

  it('waits for the unfinished tasks of the document when a 412 names none (assigned but unfinished)', async () => {
    let releasePrep!: () => void;
    const prepHeld = new Promise<void>((r) => (releasePrep = r));
    const prep = await worker('WPREP', async () => {
      await prepHeld;
      return { state: TaskState.SUCCESS, message: 'prepared' };
    });
    const user = await worker('WUSER', (r) =>
      user.tasksReceived(r.body.task._id).length === 1
        ? { state: TaskState.UNFINISHED_DEPENDENCY, message: 'Unfinished dependencies', dependencies: [] }
        : { state: TaskState.SUCCESS, message: 'used' },
    );
    const doc = await newDocument(ctx.store);
    const prepId = await ctx.assign(doc._id, 'WPREP');
    await waitFor('prep delivered', () => prep.tasksReceived(prepId).length === 1);
    const id = await ctx.assign(doc._id, 'WUSER');
    const waiting = await waitForState(ctx.store, id, TaskState.UNFINISHED_DEPENDENCY);
    expect(waiting.depends_on).toEqual(['WPREP']);
    releasePrep();
    expect((await waitForState(ctx.store, id, TaskState.SUCCESS)).msg).toBe('used');
  });

  it('sends a refused job back with a back-off (not a hot requeue), then runs it', async () => {
    const w = await worker('PICKY', (r, self) => {
      if (self.tasksReceived(r.body.task._id).length === 1) {
        self.replyWithAttempt(r.msg, { state: TaskState.ERROR_PROXY, message: 'GPU busy' }, 'refused');
        return undefined;
      }
      return { state: TaskState.SUCCESS, message: 'done at last' };
    });
    const doc = await newDocument(ctx.store);
    const id = await ctx.assign(doc._id, 'PICKY');
    const done = await waitForState(ctx.store, id, TaskState.SUCCESS);
    expect(done).toMatchObject({ msg: 'done at last', attempt: 2 });
    expect(w.tasksReceived(id)).toHaveLength(2);
  });
});
