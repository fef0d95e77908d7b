import { ConflictError, DaneClient } from '@dane/client';
import { CampaignService, TaskState } from '@dane/core';
import { ApiServer, startApiServer, workerCompletes } from '../../../test/support/api-server';
import { documentInput } from '../../../test/support/fixtures';

const FEEDER = 'campaigns-e2e-feeder';
const ADMIN_TOKEN = 'campaigns-e2e-admin-token-0123456789abcdef';

/**
 * Pause, resume and cancel of a campaign over the REST API (real API, PGlite). The feeding is the scheduler's own
 * code — CampaignService.feed, which the scheduler's CampaignFeeder calls on a timer — called here one round at a
 * time, so "nothing was fed while paused" is read after a round that would have fed.
 */
describe('campaigns: pause, resume, cancel (real API, PGlite)', () => {
  let server: ApiServer;
  let client: DaneClient;
  let feeder: CampaignService;
  const feed = () => feeder.feed(FEEDER, 60_000);
  const tasksOf = async (key: string) => client.tasks.list({ key }).all();

  beforeAll(async () => {
    server = await startApiServer();
    client = new DaneClient({ baseUrl: server.url });
    feeder = server.app.get(CampaignService);
  });
  afterAll(() => server?.close());

  it('a paused campaign feeds nothing, resume feeds again, cancel cancels its unfinished tasks and says cancelled', async () => {
    const key = 'CAMPPAUSE';
    const docs = await client.registerMany(Array.from({ length: 10 }, (_, i) => documentInput(`PAUSE-${i}`, 'PAUSE-CREATOR')));
    expect(docs.registered).toHaveLength(10);
    const created = await client.campaigns.create({ action: 'assign', max_in_flight: 3, name: 'pause test', selection: { key, creator_id: 'PAUSE-CREATOR' } });
    expect(created).toMatchObject({ status: 'running', max_in_flight: 3, in_flight: 0, counts: { matched: 10, pending: 10 } });
    const id = created._id;

    // Fed up to max_in_flight: three tasks, queued.
    expect(await feed()).toBe(3);
    let tasks = await tasksOf(key);
    expect(tasks.map((t) => Number(t.state))).toEqual([TaskState.CREATED, TaskState.CREATED, TaskState.CREATED]);
    expect(await client.campaigns.get(id)).toMatchObject({ status: 'running', in_flight: 3, counts: { matched: 10, pending: 7, queued: 3, done: 0 } });
    expect(await feed()).toBe(0);

    // One done: room for one more.
    await workerCompletes(server.store, tasks[0]._id!, TaskState.SUCCESS);
    expect(await feed()).toBe(1);
    expect(await tasksOf(key)).toHaveLength(4);

    const paused = await client.campaigns.pause(id);
    expect(paused).toMatchObject({ status: 'paused', in_flight: 3, counts: { pending: 6, done: 1 } });
    await expect(client.campaigns.pause(id)).rejects.toThrow(ConflictError);

    // Paused: two more finish, a feeder round frees room, and still no new task is made.
    tasks = await tasksOf(key);
    const open = tasks.filter((t) => Number(t.state) === TaskState.CREATED);
    expect(open).toHaveLength(3);
    await workerCompletes(server.store, open[0]._id!, TaskState.SUCCESS);
    await workerCompletes(server.store, open[1]._id!, TaskState.SUCCESS);
    expect(await feed()).toBe(0);
    expect(await tasksOf(key)).toHaveLength(4);
    // Three done in the last minute, yet no ETA: paused, it will not get there.
    expect(await client.campaigns.get(id)).toMatchObject({ status: 'paused', in_flight: 1, rate_per_minute: 3, eta_seconds: null, counts: { pending: 6, queued: 1, done: 3 } });

    // Resumed: fed up to max_in_flight again.
    expect(await client.campaigns.resume(id)).toMatchObject({ status: 'running' });
    await expect(client.campaigns.resume(id)).rejects.toThrow(ConflictError);
    expect(await feed()).toBe(2);
    tasks = await tasksOf(key);
    expect(tasks).toHaveLength(6);
    const unfinished = tasks.filter((t) => Number(t.state) !== TaskState.SUCCESS).map((t) => t._id);
    expect(unfinished).toHaveLength(3);
    expect(await client.campaigns.get(id)).toMatchObject({ status: 'running', in_flight: 3, eta_seconds: 140, counts: { pending: 4, queued: 3, done: 3 } });

    // Cancelled: its three unfinished tasks cancelled, the done ones kept, nothing more fed.
    const out = await client.campaigns.cancel(id);
    expect(out).toMatchObject({ unfinished_tasks: 3, cancelled_tasks: 3, message: 'Campaign cancelled: nothing more is fed, 3 of its 3 unfinished task(s) cancelled' });
    expect(out.campaign).toMatchObject({ _id: id, status: 'cancelled', finished_at: expect.any(String) });
    for (const taskId of unfinished) expect(Number((await client.tasks.get(taskId!)).state)).toBe(TaskState.CANCELLED);
    expect(await feed()).toBe(0);
    expect(await tasksOf(key)).toHaveLength(6);
    expect(await client.campaigns.get(id)).toMatchObject({
      status: 'cancelled',
      in_flight: 0,
      counts: { matched: 10, pending: 4, queued: 0, running: 0, done: 3, failed: 0, cancelled: 3 },
    });
    await expect(client.campaigns.resume(id)).rejects.toThrow(ConflictError);
    await expect(client.campaigns.cancel(id)).rejects.toThrow(/is cancelled; cancel needs it running or paused/);
  });
});

/**
 * What the dashboard's campaign panel reads and sends, with API keys on: GET /DANE/campaigns/ with the page's
 * dane_key cookie, and its buttons' POSTs with the key as a bearer token (operate; the cookie authorises no change).
 */
describe('the dashboard campaign panel: its reads and actions (real API, PGlite, API keys)', () => {
  let server: ApiServer;
  let admin: DaneClient;
  let readKey: string;
  let operateKey: string;
  const createKey = async (name: string, role: string): Promise<string> => {
    const res = await fetch(`${server.url}/DANE/keys/`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name, role }),
    });
    expect(res.status).toBe(201);
    return ((await res.json()) as { key: string }).key;
  };
  const withCookie = (key: string, path: string, method = 'GET') => fetch(server.url + path, { method, headers: { cookie: `dane_key=${encodeURIComponent(key)}` } });
  const withBearer = (key: string, path: string) => fetch(server.url + path, { method: 'POST', headers: { authorization: `Bearer ${key}` } });

  beforeAll(async () => {
    server = await startApiServer({ DANE_AUTH__ENABLED: 'true', DANE_ADMIN_TOKEN: ADMIN_TOKEN });
    admin = new DaneClient({ baseUrl: server.url, token: ADMIN_TOKEN });
    readKey = await createKey('panel viewer', 'read');
    operateKey = await createKey('panel operator', 'operate');
  });
  afterAll(() => server?.close());

  it('lists the newest campaigns with their progress, rate and ETA for a read key in the cookie', async () => {
    const docs = await admin.registerMany(Array.from({ length: 4 }, (_, i) => documentInput(`PANEL-${i}`, 'PANEL-CREATOR')));
    const older = await admin.campaigns.create({ action: 'assign', selection: { key: 'PANELOLD', document_ids: [docs.registered[0]._id] } });
    const c = await admin.campaigns.create({ action: 'assign', name: 'panel', max_in_flight: 2, selection: { key: 'PANELKEY', creator_id: 'PANEL-CREATOR' } });
    const feeder = server.app.get(CampaignService);
    await feeder.feed(FEEDER, 60_000);
    const [first] = await admin.tasks.list({ key: 'PANELKEY' }).all();
    await workerCompletes(server.store, first._id!, TaskState.SUCCESS);

    expect((await fetch(`${server.url}/DANE/campaigns/?size=20`)).status).toBe(401);
    const res = await withCookie(readKey, '/DANE/campaigns/?size=20');
    expect(res.status).toBe(200);
    const list = (await res.json()) as { total: number; campaigns: Array<Record<string, unknown>> };
    expect(list.total).toBe(2);
    expect(list.campaigns.map((x) => x._id)).toEqual([c._id, older._id]);
    expect(list.campaigns[0]).toEqual({
      _id: c._id,
      name: 'panel',
      action: 'assign',
      selection: { key: 'PANELKEY', creator_id: 'PANEL-CREATOR' },
      max_in_flight: 2,
      status: 'running',
      created_at: expect.any(String),
      updated_at: expect.any(String),
      finished_at: null,
      counts: { matched: 4, pending: 2, queued: 1, running: 0, done: 1, failed: 0, cancelled: 0 },
      in_flight: 1,
      rate_per_minute: 1,
      // three left at one a minute
      eta_seconds: 180,
      priority: 1,
      args: {},
    });
  });

  it('pauses with an operate key as bearer; a read key is refused (403) and the cookie alone changes nothing', async () => {
    const { campaigns } = await admin.campaigns.list();
    const id = campaigns[0]._id;
    expect((await withCookie(operateKey, `/DANE/campaigns/${id}/pause`, 'POST')).status).toBe(401);
    const refused = await withBearer(readKey, `/DANE/campaigns/${id}/pause`);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { message: string }).message).toBe('This route needs the operate role; your key has read');
    expect((await admin.campaigns.get(id)).status).toBe('running');

    const paused = await withBearer(operateKey, `/DANE/campaigns/${id}/pause`);
    expect(paused.status).toBe(200);
    expect(await paused.json()).toMatchObject({ _id: id, status: 'paused' });
    const resumed = await withBearer(operateKey, `/DANE/campaigns/${id}/resume`);
    expect(await resumed.json()).toMatchObject({ _id: id, status: 'running' });
    const cancelled = await withBearer(operateKey, `/DANE/campaigns/${id}/cancel`);
    expect(await cancelled.json()).toMatchObject({ campaign: { _id: id, status: 'cancelled' }, unfinished_tasks: 1, cancelled_tasks: 1 });
  });
});
