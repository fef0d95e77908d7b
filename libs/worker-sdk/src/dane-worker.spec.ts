import { type DaneDocument, TaskState } from '@dane/protocol';
import { DaneTestServer, gate } from '../../../test/support/dane-test-server';
import { sleep, waitFor } from '../../../test/support/polling';
import { DaneWorker } from './dane-worker';
import { RefuseJob } from './errors/refuse-job';
import type { TaskContext } from './execution/task-context';
import type { DaneWorkerOptions } from './worker-options';
import type { WorkerOutcome, WorkerTask } from './worker-task';

type Callback = (task: WorkerTask, document: DaneDocument, ctx: TaskContext, worker: DaneWorker) => unknown;

const GENERATOR = { id: 'abc1234', name: 'TEST_WORKER', type: 'Software' as const, homepage: 'https://example.com/worker.git' };

let server: DaneTestServer;
const started: DaneWorker[] = [];

beforeAll(async () => {
  server = await DaneTestServer.start('sdk-worker');
});
afterEach(async () => {
  await Promise.all(started.splice(0).map((w) => w.stop(200)));
});
afterAll(async () => {
  await server.cleanup();
});

class TestWorker extends DaneWorker {
  constructor(
    options: Partial<DaneWorkerOptions>,
    private readonly fn: Callback,
  ) {
    super({ queue: 'unused', bindingKey: '#.TEST', config: server.config(), generator: GENERATOR, ...options });
  }
  callback(task: WorkerTask, document: DaneDocument, ctx: TaskContext) {
    return this.fn(task, document, ctx, this) as WorkerOutcome;
  }
}

/** A started worker on its own queue, bound to `#.<key>`. */
async function startWorker(key: string, fn: Callback, options: Partial<DaneWorkerOptions> = {}): Promise<{ worker: TestWorker; queue: string }> {
  const queue = server.queue(key);
  const worker = new TestWorker({ queue, bindingKey: `#.${key}`, ...options }, fn);
  await worker.start();
  started.push(worker);
  return { worker, queue };
}

describe('DaneWorker replies', () => {
  it('replies {state, message} to reply_to with the correlation id, persistent, attempt echoed, json.dumps spacing', async () => {
    const seen: Array<{ task: WorkerTask; document: DaneDocument }> = [];
    const { queue } = await startWorker('OK', (task, document) => {
      seen.push({ task, document });
      return { state: TaskState.SUCCESS, message: 'Done', size: 3 };
    });
    const document = server.document('http://example.com/a b.mp4');
    const task = server.task(document, 'ok', { args: { lang: 'nl' } });
    const taskId = await server.publishTask({ document, task, attempt: 3 });

    const reply = await server.reply((r) => r.properties.correlationId === taskId);
    expect(reply.raw).toBe('{"state": 200, "message": "Done", "size": 3}');
    expect(reply.properties.deliveryMode).toBe(2);
    expect(reply.properties.headers?.['x-dane-attempt']).toBe(3);
    expect(reply.properties.headers?.['x-dane-kind']).toBeUndefined();
    expect(seen[0].task).toMatchObject({ _id: taskId, key: 'OK', args: { lang: 'nl' }, attempt: 3, state: 201, msg: 'Created', priority: 1 });
    expect(seen[0].document).toEqual({ ...document });
    await waitFor('queue empty', async () => (await server.ready(queue)) === 0, 2000);
  });

  it('keeps the task message unacknowledged until it replies: stopped mid-task, the message goes back to the queue', async () => {
    const hold = gate();
    let running = false;
    const { worker, queue } = await startWorker(
      'LATEACK',
      async () => {
        running = true;
        await hold.promise;
        return { state: TaskState.SUCCESS, message: 'late' };
      },
      { ackDeadlineMs: Infinity },
    );
    await server.publishTask({ key: 'LATEACK' });
    await waitFor('callback started', () => running, 5000);
    expect(await server.ready(queue)).toBe(0); // delivered, not acked

    await worker.stop(100); // the callback is still running: stop gives up after 100 ms and closes
    expect(await server.ready(queue)).toBe(1);
    hold.open();
  });

  it('acknowledges a task that runs past ackDeadlineMs (long tasks outlive the consumer timeout) yet runs one task per slot', async () => {
    const hold = gate();
    let calls = 0;
    // prefetch = concurrency: what docs/workers.md (Concurrency and prefetch) recommends for long tasks.
    const { queue } = await startWorker(
      'LONG',
      async () => {
        calls++;
        await hold.promise;
        return { state: TaskState.SUCCESS, message: 'long done' };
      },
      { ackDeadlineMs: 150, concurrency: 1, prefetch: 1 },
    );
    const first = await server.publishTask({ key: 'LONG' });
    await waitFor('first task started', () => calls === 1, 5000);
    const second = await server.publishTask({ key: 'LONG' });
    await sleep(600);
    expect(calls).toBe(1); // the early ack freed a prefetch credit, but concurrency still holds
    expect(await server.ready(queue)).toBe(0); // the second was delivered and waits in the worker, unstarted
    hold.open();
    await server.reply((r) => r.properties.correlationId === first && r.body.state === 200);
    await server.reply((r) => r.properties.correlationId === second && r.body.state === 200);
  });

  it('keeps the messages beyond its prefetch window in the queue', async () => {
    const hold = gate();
    let calls = 0;
    const { queue } = await startWorker(
      'WINDOW',
      async () => {
        calls++;
        await hold.promise;
        return { state: TaskState.SUCCESS, message: 'done' };
      },
      { concurrency: 2, prefetch: 3 },
    );
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await server.publishTask({ key: 'WINDOW' }));
    await waitFor('two callbacks running', () => calls === 2, 5000);
    await sleep(300);
    expect(calls).toBe(2); // concurrency 2
    expect(await server.ready(queue)).toBe(2); // 3 delivered (2 running, 1 waiting here), 2 still queued
    hold.open();
    for (const id of ids) await server.reply((r) => r.properties.correlationId === id && r.body.state === 200);
  });

  it('hands a message that waited behind a long task for maxLocalWaitMs back to the queue, where another worker takes it', async () => {
    const hold = gate();
    const ran: string[] = [];
    const { queue } = await startWorker(
      'HANDBACK',
      async (task) => {
        ran.push(`slow:${task._id}`);
        await hold.promise;
        return { state: TaskState.SUCCESS, message: 'slow done' };
      },
      { concurrency: 1, prefetch: 2, maxLocalWaitMs: 200 },
    );
    const first = await server.publishTask({ key: 'HANDBACK' });
    await waitFor('the long task started', () => ran.length === 1, 5000);
    const second = await server.publishTask({ key: 'HANDBACK' });
    // A second worker on the same queue, free: the handed-back message reaches it.
    const other = new TestWorker({ queue, bindingKey: '#.HANDBACK', concurrency: 1, prefetch: 1 }, (task) => {
      ran.push(`other:${task._id}`);
      return { state: TaskState.SUCCESS, message: 'taken over' };
    });
    await other.start();
    started.push(other);
    const reply = await server.reply((r) => r.properties.correlationId === second);
    expect(reply.body).toEqual({ state: 200, message: 'taken over' });
    expect(ran).toEqual([`slow:${first}`, `other:${second}`]);
    hold.open();
    await server.reply((r) => r.properties.correlationId === first && r.body.state === 200);
  });

  it('refuses a prefetch below concurrency with a message naming both', () => {
    expect(() => new TestWorker({ queue: 'X', bindingKey: '#.X', concurrency: 4, prefetch: 2 }, () => undefined)).toThrow(
      'prefetch must be a whole number from concurrency (4) to 65535 (got 2)',
    );
  });

  it('turns an exception in the callback into 500 "Unhandled worker error: <text>"', async () => {
    await startWorker('BOOM', () => {
      throw new Error('disk full');
    });
    const id = await server.publishTask({ key: 'BOOM' });
    const reply = await server.reply((r) => r.properties.correlationId === id);
    expect(reply.body).toEqual({ state: 500, message: 'Unhandled worker error: disk full' });
  });

  it('answers 400 "Invalid format" for a document with an unexpected key, without running the callback', async () => {
    let calls = 0;
    await startWorker('BADDOC', () => {
      calls++;
      return { state: 200, message: 'x' };
    });
    const document = server.document();
    const task = server.task(document, 'BADDOC');
    const body = JSON.stringify({ task: { key: task.key, _id: task._id }, document: { ...document, role: 'document' } });
    const id = await server.publishTask({ document, task, body });
    const reply = await server.reply((r) => r.properties.correlationId === id);
    expect(reply.body).toEqual({ state: 400, message: 'Invalid format, unable to proceed' });
    expect(calls).toBe(0);
  });

  it('answers 500 "Incompleted task specification" for a body without task, or not JSON at all', async () => {
    await startWorker('NOTASK', () => ({ state: 200, message: 'x' }));
    const document = server.document();
    const task = server.task(document, 'NOTASK');
    const expected = { state: 500, message: "Unhandled error: 'Incompleted task specification, require both `task` and `document` information'" };
    const a = await server.publishTask({ document, task, body: JSON.stringify({ document }) });
    expect((await server.reply((r) => r.properties.correlationId === a)).body).toEqual(expected);
    await server.publishTask({ document, task, body: 'not json {' });
    await waitFor('second reply', () => server.finalRepliesFor(a).length === 2, 5000);
    expect(server.finalRepliesFor(a)[1].body).toEqual(expected);
  });

  it('answers 500 "Unhandled error" for a target with an invalid type', async () => {
    await startWorker('BADTYPE', () => ({ state: 200, message: 'x' }));
    const document = server.document();
    const task = server.task(document, 'BADTYPE');
    const body = JSON.stringify({ task, document: { ...document, target: { ...document.target, type: 'video' } } });
    const id = await server.publishTask({ document, task, body });
    const reply = await server.reply((r) => r.properties.correlationId === id);
    expect(reply.body.state).toBe(500);
    expect(reply.body.message).toMatch(/^Unhandled error: Invalid target type "video"/);
  });

  it('acknowledges and drops a message without reply_to, and keeps serving', async () => {
    let calls = 0;
    const { queue } = await startWorker('NOREPLY', () => {
      calls++;
      return { state: 200, message: 'ok' };
    });
    await server.publishTask({ key: 'NOREPLY', replyTo: null });
    const id = await server.publishTask({ key: 'NOREPLY' });
    await server.reply((r) => r.properties.correlationId === id);
    expect(calls).toBe(1);
    expect(await server.ready(queue)).toBe(0);
  });

  it('decodes a callback result given as a JSON string (the documented Python example) and rejects a missing one', async () => {
    await startWorker('LEGACY', (task) => (task.args.empty ? undefined : JSON.stringify({ state: 404, message: 'No file found at source_url' })));
    const a = await server.publishTask({ key: 'LEGACY' });
    expect((await server.reply((r) => r.properties.correlationId === a)).body).toEqual({ state: 404, message: 'No file found at source_url' });
    const document = server.document();
    const b = await server.publishTask({ document, task: server.task(document, 'LEGACY', { args: { empty: true } }) });
    const reply = await server.reply((r) => r.properties.correlationId === b);
    expect(reply.body).toEqual({ state: 500, message: 'Unhandled worker error: callback must return {state, message}, got undefined' });
  });
});

describe('DaneWorker RefuseJob', () => {
  it('acks a refused task and replies 201 with x-dane-kind refused, without redelivering it hot', async () => {
    let calls = 0;
    const { queue } = await startWorker('REFUSE', () => {
      calls++;
      throw new RefuseJob('GPU busy');
    });
    const id = await server.publishTask({ key: 'REFUSE', attempt: 2 });
    const reply = await server.reply((r) => r.properties.correlationId === id);
    expect(reply.body).toEqual({ state: TaskState.CREATED, message: 'Refused by worker: GPU busy' });
    expect(reply.properties.headers).toMatchObject({ 'x-dane-kind': 'refused', 'x-dane-attempt': 2 });
    await sleep(500);
    expect(calls).toBe(1);
    expect(await server.ready(queue)).toBe(0);
  });
});

describe('DaneWorker dependencies', () => {
  it('answers 412 with its dependsOn keys unless the message says x-dane-dependencies-done', async () => {
    let calls = 0;
    await startWorker(
      'ASRDEP',
      () => {
        calls++;
        return { state: 200, message: 'transcribed' };
      },
      { dependsOn: ['download', 'PREP'] },
    );
    const document = server.document();
    const task = server.task(document, 'ASRDEP');
    const first = await server.publishTask({ document, task, attempt: 1 });
    const reply = await server.reply((r) => r.properties.correlationId === first);
    expect(reply.raw).toBe('{"state": 412, "message": "Unfinished dependencies", "dependencies": ["DOWNLOAD", "PREP"]}');
    expect(calls).toBe(0);

    await server.publishTask({ document, task, attempt: 2, headers: { 'x-dane-dependencies-done': true } });
    await waitFor('second reply', () => server.finalRepliesFor(first).length === 2, 5000);
    expect(server.finalRepliesFor(first)[1].body).toEqual({ state: 200, message: 'transcribed' });
  });
});

describe('DaneWorker heartbeats', () => {
  it('sends 102 heartbeats with x-dane-kind heartbeat while a callback runs, and none after the final reply', async () => {
    await startWorker(
      'SLOW',
      async (_task, _doc, ctx) => {
        await sleep(250);
        await ctx.heartbeat('halfway');
        await sleep(350);
        return { state: 200, message: 'slow done' };
      },
      { heartbeatIntervalMs: 100 },
    );
    const id = await server.publishTask({ key: 'SLOW', attempt: 4 });
    await server.reply((r) => r.properties.correlationId === id && r.body.state === 200);
    await sleep(300);
    const mine = server.replies.filter((r) => r.properties.correlationId === id);
    const beats = mine.filter((r) => r.properties.headers?.['x-dane-kind'] === 'heartbeat');
    expect(beats.length).toBeGreaterThanOrEqual(4);
    for (const b of beats) {
      expect(b.body.state).toBe(TaskState.QUEUED);
      expect(b.properties.headers?.['x-dane-attempt']).toBe(4);
    }
    expect(beats[0].body.message).toBe('Processing');
    expect(beats.some((b) => b.body.message === 'halfway')).toBe(true);
    expect(beats[beats.length - 1].body.message).toBe('halfway'); // automatic beats repeat the last progress
    expect(mine[mine.length - 1].body).toEqual({ state: 200, message: 'slow done' });
  });
});

describe('DaneWorker results', () => {
  it('publishes results persistently to the results queue with a unique messageId, from ctx or from the worker', async () => {
    await startWorker('RESULT', async (task, _doc, ctx, worker) => {
      await ctx.saveResult({ file_size: 12 });
      await worker.saveResult(task, { second: true });
      return { state: 200, message: 'saved' };
    });
    const id = await server.publishTask({ key: 'RESULT', attempt: 5 });
    await server.reply((r) => r.properties.correlationId === id);
    const first = await server.result((r) => r.body.task_id === id && 'file_size' in r.body.payload);
    const second = await server.result((r) => r.body.task_id === id && 'second' in r.body.payload);
    expect(first.body).toEqual({ task_id: id, attempt: 5, generator: GENERATOR, payload: { file_size: 12 } });
    expect(first.properties.deliveryMode).toBe(2);
    expect(first.properties.messageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(second.properties.messageId).not.toBe(first.properties.messageId);
  });

  it('rejects a payload that is not an object (500 with the reason)', async () => {
    await startWorker('BADRESULT', async (_t, _d, ctx) => {
      await ctx.saveResult([1, 2] as unknown as Record<string, unknown>);
      return { state: 200, message: 'unreachable' };
    });
    const id = await server.publishTask({ key: 'BADRESULT' });
    expect((await server.reply((r) => r.properties.correlationId === id)).body).toEqual({
      state: 500,
      message: 'Unhandled worker error: A result payload must be a JSON object',
    });
  });
});

describe('DaneWorker resilience', () => {
  it('declares its queue and bindings again when the broker cancels its consumer (queue deleted)', async () => {
    const { queue } = await startWorker('REDECLARE', () => ({ state: 200, message: 'back' }), { concurrency: 2 });
    await server.deleteQueue(queue);
    // Publish until one is routed again: before the worker re-declares the queue they are dropped.
    const ids: string[] = [];
    await waitFor(
      'a reply after the queue came back',
      async () => {
        ids.push(await server.publishTask({ key: 'REDECLARE' }));
        await sleep(200);
        return server.replies.some((r) => ids.includes(r.properties.correlationId) && r.body.message === 'back');
      },
      10_000,
    );
  });
});

describe('DaneWorker concurrency and shutdown', () => {
  it('runs up to `concurrency` callbacks at once and no more', async () => {
    const hold = gate();
    let running = 0;
    let peak = 0;
    await startWorker(
      'PAR',
      async () => {
        running++;
        peak = Math.max(peak, running);
        await hold.promise;
        running--;
        return { state: 200, message: 'par' };
      },
      { concurrency: 3 },
    );
    const ids = await Promise.all([1, 2, 3, 4, 5].map(() => server.publishTask({ key: 'PAR' })));
    await waitFor('three running', () => running === 3, 5000);
    await sleep(300);
    expect(running).toBe(3);
    hold.open();
    for (const id of ids) await server.reply((r) => r.properties.correlationId === id && r.body.state === 200);
    expect(peak).toBe(3);
  });

  it('stop() stops consuming and lets a running callback finish and reply', async () => {
    let running = false;
    const { worker, queue } = await startWorker('GRACE', async () => {
      running = true;
      await sleep(400);
      return { state: 200, message: 'finished while stopping' };
    });
    const id = await server.publishTask({ key: 'GRACE' });
    await waitFor('callback started', () => running, 5000);
    await worker.stop(5000);
    expect(server.finalRepliesFor(id).map((r) => r.body)).toEqual([{ state: 200, message: 'finished while stopping' }]);
    await server.publishTask({ key: 'GRACE' });
    await sleep(200);
    expect(await server.ready(queue)).toBe(1); // nobody consumes after stop
  });
});
