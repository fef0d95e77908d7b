import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TaskState } from '@dane/core';
import {
  BrokerNames,
  Build,
  DaneServer,
  DaneSetup,
  NodeProcess,
  TestDatabase,
  buildPrivateDist,
  createDatabase,
  sleep,
  startTestkitWorker,
  taskRow,
  testkitQueue,
  waitFor,
} from './support/dane-processes';

const AMQP_URL = 'amqp://guest:guest@127.0.0.1:5672';

/**
 * The guarantees across real processes: the compiled single-machine server (`node
 * dist/apps/dane/src/main.js`) on a fresh PostgreSQL database, and SDK workers (workers/testkit)
 * as child processes, over the machine's RabbitMQ with this file's own exchange and queues.
 */
describe('flow across processes: server + SDK workers (postgres, RabbitMQ)', () => {
  const names = new BrokerNames('procs');
  const keys = { kill: names.key('KILL'), term: names.key('TERM') };
  let build: Build;
  let db: TestDatabase;
  let home: string;
  let setup: DaneSetup;
  let server: DaneServer;
  const workers: NodeProcess[] = [];

  beforeAll(async () => {
    [build, db, home] = await Promise.all([buildPrivateDist('procs'), createDatabase('procs'), mkdtemp(join(tmpdir(), 'dane-e2e-home-'))]);
    setup = { build, db, names, home, amqpPort: 5672 };
    server = await new DaneServer(setup, { LEASE_SECONDS: 2, SWEEP_INTERVAL_MS: 200, MAX_RETRIES: 3 }).start();
  }, 300_000);

  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await server?.stop();
    await names.cleanup(AMQP_URL, Object.values(keys).map(testkitQueue)).catch(() => undefined);
    await db?.drop();
    await build?.remove();
    if (home) await rm(home, { recursive: true, force: true });
  }, 120_000);

  async function worker(o: Parameters<typeof startTestkitWorker>[1]): Promise<NodeProcess> {
    const w = await startTestkitWorker(setup, o);
    workers.push(w);
    return w;
  }

  function showOnFailure<T>(p: Promise<T>): Promise<T> {
    return p.catch((err) => {
      throw new Error(`${err.message}\n${server.process.tail(30)}\n${workers.map((w) => w.tail(15)).join('\n')}`);
    });
  }

  it('SIGKILL of a worker mid-task: after the lease runs out the other worker completes it, nothing stays in 102', async () => {
    // Both early-ack after 300 ms, so once a task runs the broker holds no copy of it: only the
    // server's lease can bring it back. Heartbeats every 300 ms keep the 2 s lease alive meanwhile.
    const opts = { key: keys.kill, sleepMs: 4_000, heartbeatMs: 300, ackDeadlineMs: 300 };
    const [a, b] = await Promise.all([worker({ ...opts, name: 'worker-a' }), worker({ ...opts, name: 'worker-b' })]);
    const { taskId } = await server.submit(keys.kill);

    const started = await showOnFailure(
      Promise.race([a, b].map((w) => w.waitForEvent('task started', (e) => e.event === 'testkit_sleeping' && e.task_id === taskId, 30_000).then(() => w))),
    );
    const survivor = started === a ? b : a;
    await started.waitForEvent('early ack', (e) => e.event === 'task_acked_early' && e.task_id === taskId, 10_000);
    // A heartbeat got through (its progress is the task's msg), so this attempt is "a worker had it".
    await waitFor('the lease renewed by a heartbeat', async () => (await taskRow(db, taskId))?.msg === 'Processing', 10_000);
    started.kill('SIGKILL');
    expect(await started.waitForExit(10_000)).toEqual({ code: null, signal: 'SIGKILL' });
    expect((await taskRow(db, taskId))!.state).toBe(TaskState.QUEUED);

    const done = await showOnFailure(waitFor('the task done', async () => ((await taskRow(db, taskId))?.state === TaskState.SUCCESS ? taskRow(db, taskId) : undefined), 40_000));
    expect(done).toMatchObject({ attempt: 2, msg: `Done by ${survivor.label}` });
    // The sweep counted the lost worker (one retry of the key's three) and dispatched it again;
    // the success then cleared the retries used.
    const redispatched = server.process.events((e) => e.event === 'lease_expired' && e.task_id === taskId);
    expect(redispatched).toEqual([expect.objectContaining({ attempt: 1, retries: 1 })]);
    expect(done.retries).toBe(0);
    expect(survivor.events((e) => e.event === 'testkit_done' && e.task_id === taskId)).toHaveLength(1);
    // The result stored is the survivor's (results travel over the broker to the server's results app).
    const results = await waitFor(
      'the result stored',
      async () => {
        const rows = await db.query<{ payload: { done_by: string } }>('SELECT payload FROM results WHERE task_id = $1', [taskId]);
        return rows.length > 0 ? rows : undefined;
      },
      20_000,
    );
    expect(results.map((r) => r.payload.done_by)).toEqual([survivor.label]);
    const [{ n }] = await db.query<{ n: string }>('SELECT count(*) AS n FROM tasks WHERE state = $1', [TaskState.QUEUED]);
    expect(Number(n)).toBe(0);
  });

  it('SIGTERM of a worker mid-task: it takes no new task, finishes the running one, replies and exits 0', async () => {
    const c = await worker({ key: keys.term, name: 'worker-c', sleepMs: 3_000, heartbeatMs: 500, shutdownTimeoutMs: 20_000 });
    const first = await server.submit(keys.term);
    await showOnFailure(c.waitForEvent('task started', (e) => e.event === 'testkit_sleeping' && e.task_id === first.taskId, 30_000));
    c.kill('SIGTERM');
    await c.waitForEvent('shutdown begun', (e) => e.event === 'worker_stopping', 10_000);
    // Submitted while C stops: its consumer is cancelled, so this one must wait for another worker.
    const second = await server.submit(keys.term);

    expect(await c.waitForExit(30_000)).toEqual({ code: 0, signal: null });
    const order = c.events((e) => ['shutdown_signal', 'worker_stopping', 'testkit_done', 'worker_stopped'].includes(e.event)).map((e) => e.event);
    expect(order).toEqual(['shutdown_signal', 'worker_stopping', 'testkit_done', 'worker_stopped']);
    expect(c.events((e) => e.task_id === second.taskId)).toEqual([]);

    const done = await showOnFailure(
      waitFor('the first task done', async () => ((await taskRow(db, first.taskId))?.state === TaskState.SUCCESS ? taskRow(db, first.taskId) : undefined), 20_000),
    );
    expect(done).toMatchObject({ attempt: 1, msg: 'Done by worker-c' });

    // The second task waits (no worker consumes the queue); a new worker takes it and completes it.
    await sleep(500);
    expect([TaskState.QUEUED, TaskState.CREATED]).toContain((await taskRow(db, second.taskId))!.state);
    await worker({ key: keys.term, name: 'worker-d', sleepMs: 200, heartbeatMs: 500 });
    const later = await showOnFailure(
      waitFor('the second task done', async () => ((await taskRow(db, second.taskId))?.state === TaskState.SUCCESS ? taskRow(db, second.taskId) : undefined), 30_000),
    );
    expect(later!.msg).toBe('Done by worker-d');
    expect(later!.retries).toBe(0);
  });
});
