import { DaneClient } from '@dane/client';
import { TaskState } from '@dane/core';
import type { DashboardSnapshot } from '../src/dashboard/dashboard-snapshot';
import { ApiServer, startApiServer, workerCompletes } from '../../../test/support/api-server';
import { documentInput } from '../../../test/support/fixtures';

describe('GET /manage/api/snapshot (real API, PGlite)', () => {
  let server: ApiServer;
  let client: DaneClient;

  beforeAll(async () => {
    server = await startApiServer();
    client = new DaneClient({ baseUrl: server.url });
  });
  afterAll(() => server.close());

  it('carries counts by key and state, and the newest 20 tasks needing attention, newest first', async () => {
    const docs = await client.registerMany(Array.from({ length: 25 }, (_, i) => documentInput(`SNAP-${i}`)));
    const ids = (
      await client.assignMany(
        docs.registered.map((d) => d._id),
        'SNAP',
      )
    ).assigned.map((t) => t._id);
    for (const id of ids.slice(0, 22)) await workerCompletes(server.store, id, TaskState.ERROR);
    const blocked = await client.document(documentInput('SNAP-WAIT')).register();
    await blocked.assign({ key: 'LATER', depends_on: ['SNAP'] });

    const res = await fetch(`${server.url}/manage/api/snapshot`);
    const snapshot = (await res.json()) as DashboardSnapshot;
    expect(snapshot.counts).toEqual([
      { key: 'LATER', state: TaskState.UNFINISHED_DEPENDENCY, count: 1 },
      { key: 'SNAP', state: TaskState.CREATED, count: 3 },
      { key: 'SNAP', state: TaskState.ERROR, count: 22 },
    ]);
    expect(snapshot.attention.total).toBe(23);
    expect(snapshot.attention.tasks).toHaveLength(20);
    expect(snapshot.attention.tasks[0]).toMatchObject({ key: 'LATER', state: String(TaskState.UNFINISHED_DEPENDENCY) });
    expect(snapshot.attention.tasks.slice(1).map((t) => t._id)).toEqual(ids.slice(3, 22).reverse());
    expect(snapshot.rate).toBeNull();
  });
});
