import { DaneClient } from '@dane/client';
import { PARKED_UNTIL, TaskState, TRANSITIONS } from '@dane/core';
import type { DashboardSnapshot } from '../src/dashboard/dashboard-snapshot';
import { ApiServer, startApiServer, workerCompletes } from '../../../test/support/api-server';
import { documentInput } from '../../../test/support/fixtures';
import { dane } from '../../../test/support/run-dane';

/**
 * A task whose automatic retries are spent (503 parked at PARKED_UNTIL, as outcome.ts leaves it) and the task
 * waiting for it in 412 need a person everywhere: the API filter, the dashboard's "Needs attention" data, the
 * metric, and `dane watch --until-done`, which ends non-zero instead of counting them as "to run" forever.
 */
describe('tasks that need a person (real API, PGlite)', () => {
  let server: ApiServer;
  let client: DaneClient;
  let filesize: string;
  let thumb: string;
  let running: string;

  beforeAll(async () => {
    server = await startApiServer();
    client = new DaneClient({ baseUrl: server.url });
    const doc = await client.document(documentInput('NEEDS-PERSON')).register();
    filesize = (await doc.assign({ key: 'FILESIZE' }))._id!;
    thumb = (await doc.assign({ key: 'THUMB', depends_on: ['FILESIZE'] }))._id!;
    running = (
      await client
        .document(documentInput('STILL-RUNS'))
        .register()
        .then((d) => d.assign({ key: 'FILESIZE' }))
    )._id!;
    // What the scheduler writes when the fifth retry failed: claim, then 503 parked with its retries spent.
    const claimed = await server.store.tasks.transition({ id: filesize, from: TRANSITIONS.claim.from, to: TRANSITIONS.claim.to, msg: 'Queued' });
    expect(claimed).not.toBeNull();
    const parked = await server.store.tasks.transition({
      id: filesize,
      from: TRANSITIONS.complete.from,
      to: TaskState.ERROR_PROXY,
      msg: 'Source answered HTTP 503 — retries spent (5 of 5), attempt 13',
      notBefore: PARKED_UNTIL,
    });
    expect(parked?.state).toBe(TaskState.ERROR_PROXY);
  });
  afterAll(() => server.close());

  it('GET /DANE/task/?needs_person=true lists the parked 503 and the 412 it blocks; false the rest', async () => {
    const res = await fetch(`${server.url}/DANE/task/?needs_person=true`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { _id: string }[]).map((t) => t._id)).toEqual([filesize, thumb]);
    const others = await fetch(`${server.url}/DANE/task/?needs_person=false`);
    expect(((await others.json()) as { _id: string }[]).map((t) => t._id)).toEqual([running]);
    expect((await fetch(`${server.url}/DANE/task/?needs_person=maybe`)).status).toBe(400);
    const listed = await fetch(`${server.url}/manage/api/tasks?needs_person=true&key=THUMB`);
    expect(((await listed.json()) as { _id: string }[]).map((t) => t._id)).toEqual([thumb]);
  });

  it('the dashboard snapshot counts them and shows them in "Needs attention"', async () => {
    const snapshot = (await (await fetch(`${server.url}/manage/api/snapshot`)).json()) as DashboardSnapshot;
    expect(snapshot.needsPerson).toEqual([
      { key: 'FILESIZE', count: 1 },
      { key: 'THUMB', count: 1 },
    ]);
    expect(snapshot.attention.total).toBe(2);
    expect(snapshot.attention.tasks.map((t) => t._id)).toEqual([thumb, filesize]);
    expect(snapshot.attention.tasks[1]).toMatchObject({ state: String(TaskState.ERROR_PROXY), msg: 'Source answered HTTP 503 — retries spent (5 of 5), attempt 13' });
  });

  it('the metric dane_tasks_needing_person counts them by key', async () => {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    expect(text).toContain('dane_tasks_needing_person{key="FILESIZE"} 1');
    expect(text).toContain('dane_tasks_needing_person{key="THUMB"} 1');
  });

  it('dane watch --until-done ends once nothing can move, says how many need a person and exits non-zero', async () => {
    await workerCompletes(server.store, running, TaskState.SUCCESS);
    const res = await dane(['watch', '--key', 'FILESIZE', '--key', 'THUMB', '--interval', '0.2', '--until-done', '--url', server.url]);
    expect(res.code).toBe(4);
    expect(res.stdout).toContain('Nothing can move any more: 2 tasks need a person (FILESIZE 1, THUMB 1)');
  }, 30_000);
});
