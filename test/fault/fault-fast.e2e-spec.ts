import { FaultWorld, PhaseRow, formatPhaseTable, poisonKinds, publishPoison, runPhase, say, sleep } from './fault-kit';

/**
 * Fault injection (issue 5 items 3–4): with tasks in flight, kill workers, cut the broker, kill the
 * single-machine server, restart PostgreSQL and publish poison replies — then every task must reach
 * 200, none may stay in 102 past its lease, and any result beyond one per task must come from a task
 * that really ran twice (at-least-once). Runs on a private RabbitMQ node and a private PostgreSQL
 * cluster (never the shared ones) with a 2 s lease.
 *
 * The fast run (CI, ≲ 2 min) uses small counts; FAULT_FULL=1 (`npm run test:fault:full`) raises them.
 * Needs `npm run build` (the compiled server and workers/faultkit run as child processes).
 */
const FULL = process.env.FAULT_FULL === '1';
const N = Number(process.env.FAULT_TASKS ?? (FULL ? 3000 : 400));
/** Unfinished tasks at most: the stream stays within what the workers drain in one lease. */
const OUTSTANDING = Number(process.env.FAULT_OUTSTANDING ?? 100);
const PHASE_TIMEOUT_MS = FULL ? 300_000 : 75_000;
const phase = { outstanding: OUTSTANDING, timeoutMs: PHASE_TIMEOUT_MS };
const times = (fast: number, full: number) => (FULL ? full : fast);

jest.setTimeout(PHASE_TIMEOUT_MS + 120_000);

describe('fault injection: nothing is lost', () => {
  const world = new FaultWorld({ leaseSeconds: 3, workers: 2, concurrency: 8, sleepMs: '50-150' });
  const table: PhaseRow[] = [];

  const check = (row: PhaseRow) => {
    table.push(row);
    say(`[${row.fault}] ${JSON.stringify(row)}`);
    expect({ fault: row.fault, lost: row.lost, stuck: row.stuck, duplicatesWithoutRerun: row.unexplained, doneWithoutResult: row.noResult }).toEqual({
      fault: row.fault,
      lost: 0,
      stuck: 0,
      duplicatesWithoutRerun: 0,
      doneWithoutResult: 0,
    });
  };

  beforeAll(async () => {
    await world.start();
  }, 180_000);

  afterAll(async () => {
    if (table.length) process.stderr.write(`\nfault injection (${FULL ? 'full' : 'fast'}, lease ${world.leaseSeconds} s):\n${formatPhaseTable(table)}\n\n`);
    await world.stop();
  }, 120_000);

  test('(0) no fault: the control row', async () => {
    check(await runPhase(world, 'none (control)', N, async () => 0, phase));
  });

  test('(a) SIGKILL a worker mid-task, again and again', async () => {
    const kills = times(4, 15);
    const row = await runPhase(
      world,
      'worker SIGKILL',
      N,
      async () => {
        let done = 0;
        for (let i = 0; i < kills; i++) {
          await sleep(FULL ? 1500 : 600);
          const w = world.workers[i % world.workers.length];
          await w.kill();
          done++;
          await sleep(300);
          w.start();
        }
        return done;
      },
      phase,
    );
    check(row);
    expect(row.injected).toBeGreaterThan(0);
  });

  test('(b) cut the broker: stop_app/start_app and close_all_connections', async () => {
    const cuts = times(1, 3);
    const row = await runPhase(
      world,
      'broker stop_app/start_app + close_all_connections',
      N,
      async () => {
        let done = 0;
        for (let i = 0; i < cuts; i++) {
          await sleep(500);
          await world.rabbit.stopApp();
          await sleep(2000);
          await world.rabbit.startApp();
          done++;
          await sleep(1500);
          await world.rabbit.closeAllConnections();
          done++;
        }
        return done;
      },
      phase,
    );
    check(row);
  });

  test('(b2) broker down for longer than the lease', async () => {
    const cuts = times(1, 3);
    const row = await runPhase(
      world,
      `broker down ${world.leaseSeconds + 2} s (> lease)`,
      N,
      async () => {
        let done = 0;
        for (let i = 0; i < cuts; i++) {
          await sleep(700);
          await world.rabbit.stopApp();
          await sleep((world.leaseSeconds + 2) * 1000);
          await world.rabbit.startApp();
          done++;
          await sleep(1500);
        }
        return done;
      },
      phase,
    );
    check(row);
  });

  test('(c) SIGKILL the single-machine server and start it again', async () => {
    const kills = times(2, 5);
    const row = await runPhase(
      world,
      'server SIGKILL',
      N,
      async () => {
        let done = 0;
        for (let i = 0; i < kills; i++) {
          await sleep(700);
          await world.server.kill();
          done++;
          await sleep(500);
          await world.startServer();
        }
        return done;
      },
      phase,
    );
    check(row);
  });

  test('(d) restart PostgreSQL', async () => {
    const restarts = times(2, 5);
    const row = await runPhase(
      world,
      'PostgreSQL restart -m fast',
      N,
      async () => {
        let done = 0;
        for (let i = 0; i < restarts; i++) {
          await sleep(800);
          await world.pg.restart();
          done++;
        }
        return done;
      },
      phase,
    );
    check(row);
  });

  test('(e) poison replies of every kind on the response queue', async () => {
    const pid = world.server.pid;
    const before = { malformed: world.server.count('reply_malformed'), unknown: world.server.count('reply_unknown_task'), stale: world.server.count('reply_stale') };
    const rounds = times(3, 10);
    const row = await runPhase(world, `poison replies (${poisonKinds().length} kinds)`, N, (prefix) => publishPoison(world, prefix, rounds), phase);
    check(row);
    // Every poison message was acknowledged and counted, and the server never went down. The phase ends
    // when the tasks are done: the last poison messages may still be on their way through the consumer
    // (once, under CI load, one was), so the queue gets a few seconds to drain; one never acknowledged fails.
    const depth = await world.rabbit.drain(world.responseQueue, 15_000);
    const after = { malformed: world.server.count('reply_malformed'), unknown: world.server.count('reply_unknown_task'), stale: world.server.count('reply_stale') };
    say(
      `[poison] published ${row.injected}; server counted malformed +${after.malformed - before.malformed}, unknown task +${after.unknown - before.unknown}, stale +${after.stale - before.stale}`,
    );
    expect(world.server.pid).toBe(pid);
    expect(world.server.alive).toBe(true);
    expect(depth).toBe(0);
    expect(row.injected).toBeGreaterThan(0);
    expect(after.malformed - before.malformed + (after.unknown - before.unknown) + (after.stale - before.stale)).toBeGreaterThanOrEqual(row.injected);
  });

  // A burst whose queue wait is longer than the lease. A published task nobody started holds the
  // long queue lease (SCHEDULER.QUEUE_LEASE_SECONDS), so waiting in the worker queue does not make
  // the sweep dispatch it again (before, every lease period re-sent the whole backlog: a storm).
  test('(f) a burst longer than the lease still completes (no re-dispatch storm)', async () => {
    check(await runPhase(world, 'burst > lease (no fault)', Number(process.env.FAULT_BURST ?? times(1500, 3000)), async () => 0, { outstanding: Infinity, timeoutMs: 120_000 }));
  });
});
