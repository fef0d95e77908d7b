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
  testkitQueue,
  waitFor,
} from './support/dane-processes';

const AMQP_URL = 'amqp://guest:guest@127.0.0.1:5672';

/**
 * Campaigns (docs/protocol.md, Campaigns) on the compiled single-machine server over PostgreSQL and RabbitMQ: a dry
 * run answers exact counts and writes nothing; a campaign keeps at most max_in_flight of its tasks unfinished while
 * a testkit worker runs them, survives a SIGKILL of the server and ends with every selected task in 200.
 */
describe('campaigns (server process, postgres, RabbitMQ)', () => {
  const names = new BrokerNames('campaign');
  const keys = { dry: names.key('DRY'), run: names.key('CAMP') };
  let build: Build;
  let db: TestDatabase;
  let home: string;
  let setup: DaneSetup;
  let server: DaneServer;
  const workers: NodeProcess[] = [];

  beforeAll(async () => {
    [build, db, home] = await Promise.all([buildPrivateDist('campaign'), createDatabase('campaign'), mkdtemp(join(tmpdir(), 'dane-e2e-home-'))]);
    setup = { build, db, names, home, amqpPort: 5672 };
    server = await new DaneServer(setup, { LEASE_SECONDS: 3, QUEUE_LEASE_SECONDS: 10, SWEEP_INTERVAL_MS: 200, UNROUTABLE_GRACE_SECONDS: 0 }).start();
  }, 300_000);

  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await server?.stop();
    await names.cleanup(AMQP_URL, Object.values(keys).map(testkitQueue)).catch(() => undefined);
    await db?.drop();
    await build?.remove();
    if (home) await rm(home, { recursive: true, force: true });
  }, 120_000);

  function showOnFailure<T>(p: Promise<T>): Promise<T> {
    return p.catch((err) => {
      throw new Error(`${err.message}\n${server.process.tail(40)}\n${workers.map((w) => w.tail(10)).join('\n')}`);
    });
  }

  async function register(prefix: string, creator: string, n: number): Promise<string[]> {
    const docs = Array.from({ length: n }, (_, i) => ({
      target: { id: `${prefix}-${String(i).padStart(3, '0')}`, url: `http://example.com/${prefix}/${i}.mp4`, type: 'Video' },
      creator: { id: creator, type: 'Organization' },
    }));
    const out = await server.api<{ success: { _id: string }[]; failed: unknown[] }>('POST', '/DANE/documents/', docs);
    expect(out.failed).toEqual([]);
    return out.success.map((d) => d._id);
  }

  async function snapshot(): Promise<unknown[]> {
    return db.query(
      `SELECT 'task' AS kind, id, state::text AS state, msg, updated_at, attempt::text AS n FROM tasks
       UNION ALL SELECT 'document', id, '', '', updated_at, '' FROM documents
       UNION ALL SELECT 'result', id, '', '', updated_at, '' FROM results
       UNION ALL SELECT 'campaigns', '', '', '', '', count(*)::text FROM campaigns
       ORDER BY 1, 2`,
    );
  }

  it('a dry run answers the exact counts and a sample, and changes nothing', async () => {
    const a = await register('DRY-A', 'DRY-CREATOR-A', 20);
    const b = await register('DRY-B', 'DRY-CREATOR-B', 10);
    // The key has tasks on the first 12 of A: 8 done (5 by generator 1.5, 3 by 2.1) and 4 in 500. No worker serves it,
    // and none of these states is dispatched.
    const assigned = await server.api<{ success: { _id: string }[] }>('POST', '/DANE/task/', { document_id: a.slice(0, 12), key: keys.dry });
    const tasks = assigned.success.map((t) => t._id);
    expect(tasks).toHaveLength(12);
    await db.query(`UPDATE tasks SET state = CASE WHEN id = ANY($1::text[]) THEN $2::smallint ELSE $3::smallint END, lease_until = NULL, not_before = NULL WHERE key = $4`, [
      tasks.slice(0, 8),
      TaskState.SUCCESS,
      TaskState.ERROR,
      keys.dry,
    ]);
    for (const [i, id] of tasks.slice(0, 8).entries()) {
      const version = i < 5 ? '1.5' : '2.1';
      await server.api('POST', `/DANE/task/${id}/result`, { generator: { id: 'g', name: 'asr-gen', type: 'Software', version }, payload: { i } });
    }
    const before = await snapshot();

    const dry = (body: Record<string, unknown>) => server.api('POST', '/DANE/campaigns/', { dry_run: true, ...body });
    const missingOfA = await dry({ action: 'assign', selection: { key: keys.dry, creator_id: 'DRY-CREATOR-A' } });
    expect(missingOfA).toMatchObject({ dry_run: true, action: 'assign', matched: 8, by_state: {} });
    expect(missingOfA.sample.map((s: { document_id: string }) => s.document_id)).toEqual(a.slice(12, 20));
    expect(missingOfA.sample[0]).toEqual({ document_id: a[12], task_id: expect.stringMatching(/^[0-9a-f]{40}$/), state: null });

    expect(await dry({ action: 'assign', selection: { key: keys.dry, creator_id: 'DRY-CREATOR-*' } })).toMatchObject({ matched: 18 });
    expect(await dry({ action: 'assign', selection: { key: keys.dry, target_id: 'DRY-B-00?' } })).toMatchObject({ matched: 10 });
    expect(await dry({ action: 'assign', selection: { key: keys.dry, document_ids: [a[0], a[1], b[0]] } })).toMatchObject({ matched: 1, sample: [{ document_id: b[0] }] });

    expect(await dry({ action: 'rerun', selection: { key: keys.dry } })).toMatchObject({ matched: 12, by_state: { '200': 8, '500': 4 } });
    const errored = await dry({ action: 'rerun', selection: { key: keys.dry, states: [TaskState.ERROR] } });
    expect(errored).toMatchObject({ matched: 4, by_state: { '500': 4 } });
    expect(errored.sample.map((s: { task_id: string }) => s.task_id)).toEqual(tasks.slice(8));
    const old = await dry({ action: 'rerun', selection: { key: keys.dry, generator: { name: 'ASR-GEN', version_below: '2.0' } } });
    expect(old).toMatchObject({ matched: 5, by_state: { '200': 5 } });
    expect(old.sample.map((s: { task_id: string }) => s.task_id)).toEqual(tasks.slice(0, 5));
    expect(await dry({ action: 'rerun', selection: { key: keys.dry, generator: { version: '2.1' } } })).toMatchObject({ matched: 3 });
    expect(await dry({ action: 'rerun', selection: { key: keys.dry, generator: { version_below: '1.10' } } })).toMatchObject({ matched: 5 });
    expect(await dry({ action: 'rerun', selection: { key: keys.dry, creator_id: 'DRY-CREATOR-B' } })).toMatchObject({ matched: 0, sample: [] });

    // A selection that does not fit the action is a 400 and changes nothing either.
    await expect(dry({ action: 'assign', selection: { key: keys.dry, states: [500] } })).rejects.toThrow(/→ 400: .*selection.states .*needs action rerun/);
    await expect(dry({ action: 'rerun', selection: { key: keys.dry, generator: { version_below: 'two' } } })).rejects.toThrow(/→ 400: .*version_below/);

    await sleep(500);
    expect(await snapshot()).toEqual(before);
  }, 60_000);

  it('max_in_flight 10 over 200 documents: never more than 10 unfinished, through a SIGKILL of the server, every task ends 200', async () => {
    workers.push(await startTestkitWorker(setup, { key: keys.run, name: 'campaign-worker', sleepMs: 60, heartbeatMs: 1_000 }));
    const docs = await register('CAMP', 'CAMPAIGN-CREATOR', 200);

    // The store sampled while the campaign runs: tasks of the key that are not done.
    let maxUnfinished = 0;
    let samples = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const [row] = await db.query<{ n: string }>('SELECT count(*) AS n FROM tasks WHERE key = $1 AND state <> $2', [keys.run, TaskState.SUCCESS]);
        maxUnfinished = Math.max(maxUnfinished, Number(row.n));
        samples++;
        await sleep(20);
      }
    })();
    try {
      await runCampaign();
    } finally {
      sampling = false;
      await sampler;
    }
    expect(samples).toBeGreaterThan(50);
    expect(maxUnfinished).toBeLessThanOrEqual(10);
    // It did run them side by side (the limit was reached, not a trickle of one at a time).
    expect(maxUnfinished).toBeGreaterThanOrEqual(5);

    async function runCampaign(): Promise<void> {
      const campaign = await server.api('POST', '/DANE/campaigns/', {
        action: 'assign',
        name: 'e2e',
        max_in_flight: 10,
        selection: { key: keys.run, creator_id: 'CAMPAIGN-CREATOR' },
      });
      expect(campaign).toMatchObject({ status: 'running', max_in_flight: 10, counts: { matched: 200 } });
      const done = async () => Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM tasks WHERE key = $1 AND state = $2', [keys.run, TaskState.SUCCESS]))[0].n);

      await showOnFailure(waitFor('60 tasks done', async () => (await done()) >= 60, 60_000));
      const midway = await server.api('GET', `/DANE/campaigns/${campaign._id}`);
      expect(midway.in_flight).toBeLessThanOrEqual(10);
      expect(midway.counts.pending).toBeGreaterThan(0);

      server.process.kill('SIGKILL');
      expect(await server.process.waitForExit(10_000)).toEqual({ code: null, signal: 'SIGKILL' });
      const atKill = await done();
      expect(atKill).toBeLessThan(200);
      await sleep(1_000);
      await server.start();

      await showOnFailure(waitFor('every selected task done', async () => (await done()) === 200, 120_000));

      const tasks = await db.query<{ document_id: string; state: number }>('SELECT document_id, state FROM tasks WHERE key = $1', [keys.run]);
      expect(tasks).toHaveLength(200);
      expect(new Set(tasks.map((t) => t.document_id))).toEqual(new Set(docs));
      expect(tasks.every((t) => Number(t.state) === TaskState.SUCCESS)).toBe(true);
      const end = await showOnFailure(
        waitFor(
          'the campaign done',
          async () => {
            const c = await server.api('GET', `/DANE/campaigns/${campaign._id}`);
            return c.status === 'done' ? c : undefined;
          },
          20_000,
        ),
      );
      expect(end).toMatchObject({ in_flight: 0, counts: { matched: 200, pending: 0, queued: 0, running: 0, done: 200, failed: 0, cancelled: 0 } });
      expect(end.finished_at).toEqual(expect.any(String));
      // The feeder after the restart resumed (its log names the campaign), it did not start over.
      expect(server.process.events((e) => e.event === 'campaign_fed' && e.campaign_id === campaign._id).length).toBeGreaterThan(0);
    }
  }, 240_000);
});
