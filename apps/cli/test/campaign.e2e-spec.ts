import { DaneClient } from '@dane/client';
import { CampaignService } from '@dane/core';
import { TaskState } from '@dane/protocol';
import { ApiServer, startApiServer, workerCompletes } from '../../../test/support/api-server';
import { documentInput } from '../../../test/support/fixtures';
import { dane } from '../../../test/support/run-dane';

/**
 * `dane campaign create --dry-run`, `status` and `cancel` on a real API (PGlite). The campaign is fed by the
 * scheduler's own code (CampaignService.feed, which its CampaignFeeder calls on a timer), one round when the test says.
 */
describe('dane campaign (real API, PGlite)', () => {
  let server: ApiServer;
  let client: DaneClient;
  let docs: string[];
  const run = (...argv: string[]) => dane([...argv, '--url', server.url]);
  const key = 'CLICAMP';

  beforeAll(async () => {
    server = await startApiServer();
    client = new DaneClient({ baseUrl: server.url });
    const outcome = await client.registerMany([0, 1, 2, 3].map((n) => documentInput(`CLICAMP-${n}`, 'CLI-CAMPAIGNS')));
    docs = outcome.registered.map((d) => d._id);
    // The first document has its task already: assign takes the other three.
    await client.tasks.assign(docs[0], { key });
  });
  afterAll(() => server?.close());

  it('create --dry-run shows the exact count and the sample, and changes nothing', async () => {
    const assign = await run('campaign', 'create', '--key', key, '--creator', 'CLI-CAMPAIGNS', '--dry-run');
    expect(assign.code).toBe(0);
    const [head, ...sample] = assign.stdout.trimEnd().split('\n');
    expect(head).toBe(`dry run: assign ${key} would take 3 document(s); nothing was changed`);
    // One line per document without a task of the key, with the id its task will have.
    expect(sample.map((l) => l.replace(/ {2}task [0-9a-f]{40}$/, '')).sort()).toEqual(
      docs
        .slice(1)
        .map((d) => `  document ${d}`)
        .sort(),
    );

    const rerun = await run('campaign', 'create', '--key', key, '--action', 'rerun', '--state', String(TaskState.CREATED), '--dry-run');
    expect(rerun.code).toBe(0);
    const task = (await client.tasks.list({ key }).all())[0];
    expect(rerun.stdout.trimEnd().split('\n')).toEqual([
      `dry run: rerun ${key} would take 1 task(s) (1 in ${TaskState.CREATED}); nothing was changed`,
      `  document ${docs[0]}  task ${task._id}  state ${TaskState.CREATED}`,
    ]);
    const json = await run('campaign', 'create', '--key', key, '--document', docs[1], '--document', docs[0], '--dry-run', '--json');
    expect(JSON.parse(json.stdout)).toMatchObject({ dry_run: true, action: 'assign', matched: 1, sample: [{ document_id: docs[1], state: null }] });

    // Nothing was stored or assigned.
    expect((await run('campaign', 'status')).stdout).toBe('no campaigns\n');
    expect(await client.tasks.list({ key }).all()).toHaveLength(1);
  });

  it('create, then status of one and of all, then cancel: its unfinished task cancelled, the campaign cancelled', async () => {
    const created = await run('campaign', 'create', '--key', key, '--creator', 'CLI-CAMPAIGNS', '--max-in-flight', '2', '--name', 'cli');
    expect(created.code).toBe(0);
    const id = /^campaign ([0-9a-f]+) \(cli\):/.exec(created.stdout)![1];
    expect(created.stdout.trimEnd().split('\n')).toEqual([
      `campaign ${id} (cli): assign ${key}, running`,
      '  matched 3 · pending 3 · queued 0 · running 0 · done 0 · failed 0 · cancelled 0',
      '  in flight 0 of at most 2 · 0/min · ETA –',
    ]);

    expect(await server.app.get(CampaignService).feed('cli-e2e-feeder', 60_000)).toBe(2);
    const fed = (await client.tasks.list({ key }).all()).filter((t) => t.document_id !== docs[0]);
    expect(fed).toHaveLength(2);
    await workerCompletes(server.store, fed[0]._id!, TaskState.SUCCESS);

    const one = await run('campaign', 'status', id);
    expect(one.code).toBe(0);
    // Two left (one pending, one queued) at one a minute.
    expect(one.stdout.trimEnd().split('\n')).toEqual([
      `campaign ${id} (cli): assign ${key}, running`,
      '  matched 3 · pending 1 · queued 1 · running 0 · done 1 · failed 0 · cancelled 0',
      '  in flight 1 of at most 2 · 1/min · ETA 2m 0s',
    ]);
    const all = await run('campaign', 'status');
    expect(all.stdout).toBe(one.stdout);
    expect(JSON.parse((await run('campaign', 'status', id, '--json')).stdout)).toMatchObject({ _id: id, status: 'running', counts: { done: 1 } });

    const cancelled = await run('campaign', 'cancel', id);
    expect(cancelled.code).toBe(0);
    expect(cancelled.stdout.trimEnd().split('\n')).toEqual([
      'Campaign cancelled: nothing more is fed, 1 of its 1 unfinished task(s) cancelled',
      `campaign ${id} (cli): assign ${key}, cancelled`,
      '  matched 3 · pending 1 · queued 0 · running 0 · done 1 · failed 0 · cancelled 1',
      '  in flight 0 of at most 2 · 1/min · ETA –',
    ]);
    expect(Number((await client.tasks.get(fed[1]._id!)).state)).toBe(TaskState.CANCELLED);
    expect(Number((await client.tasks.get(fed[0]._id!)).state)).toBe(TaskState.SUCCESS);
    // Nothing more is fed.
    expect(await server.app.get(CampaignService).feed('cli-e2e-feeder', 60_000)).toBe(0);
    expect(await client.tasks.list({ key }).all()).toHaveLength(3);

    const again = await run('campaign', 'cancel', id);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`Campaign \`${id}\` is cancelled; cancel needs it running or paused`);
  });

  it('status of an unknown campaign fails with the server message', async () => {
    const res = await run('campaign', 'status', 'nope');
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('No campaign with id `nope` found');
  });
});
