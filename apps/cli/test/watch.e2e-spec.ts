import { DaneClient } from '@dane/client';
import { TaskState } from '@dane/protocol';
import { ApiServer, startApiServer, workerCompletes } from '../../../test/support/api-server';
import { documentInput } from '../../../test/support/fixtures';
import { dane } from '../../../test/support/run-dane';

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('dane watch (real API, PGlite)', () => {
  let server: ApiServer;
  let client: DaneClient;
  const assign = async (prefix: string, key: string, n: number): Promise<string[]> => {
    const docs = await client.registerMany(Array.from({ length: n }, (_, i) => documentInput(`${prefix}-${i}`)));
    return (
      await client.assignMany(
        docs.registered.map((d) => d._id),
        key,
      )
    ).assigned.map((t) => t._id);
  };

  beforeAll(async () => {
    server = await startApiServer();
    client = new DaneClient({ baseUrl: server.url });
  });
  afterAll(() => server.close());

  it('follows the counts live and, with --until-done, exits 0 once every task is done', async () => {
    const ids = await assign('WD', 'WATCHED', 2);
    const watching = dane(['watch', '--key', 'watched', '--interval', '0.2', '--until-done', '--json', '--url', server.url]);
    await delay(500);
    for (const id of ids) await workerCompletes(server.store, id, TaskState.SUCCESS);
    const res = await watching;
    expect(res.code).toBe(0);
    const readings = res.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(readings.length).toBeGreaterThanOrEqual(2);
    expect(readings[0].keys).toEqual([expect.objectContaining({ key: 'WATCHED', total: 2, by_state: { [TaskState.CREATED]: 2 } })]);
    const last = readings[readings.length - 1].keys[0];
    expect(last).toMatchObject({ total: 2, by_state: { [TaskState.SUCCESS]: 2 }, by_class: expect.objectContaining({ done: 2, needs_person: 0 }), eta_seconds: 0 });
    expect(last.rate).toBeGreaterThan(0);
  });

  it('exits 4 with --until-done when what is left needs a person', async () => {
    const [failed, done] = await assign('WF', 'HALFBAD', 2);
    await workerCompletes(server.store, failed, TaskState.ERROR);
    await workerCompletes(server.store, done, TaskState.SUCCESS);
    const res = await dane(['watch', '--key', 'HALFBAD', '--until-done', '--url', server.url]);
    expect(res.code).toBe(4);
    expect(res.stdout).toMatch(/KEY +TOTAL +DONE +IN FLIGHT +TO RUN +WAITING +NEEDS PERSON +RATE +ETA +BY STATE\nHALFBAD +2 +1 +0 +0 +0 +1 +– +0s +1 SUCCESS, 1 ERROR\n/);
  });

  it('redraws its table in place on a terminal until interrupted', async () => {
    await assign('WT', 'TTYKEY', 1);
    let stop!: () => void;
    const interrupted = new Promise<void>((r) => (stop = r));
    const watching = dane(['watch', '--key', 'ttykey', '--interval', '0.1', '--url', server.url], { tty: true, interrupted });
    await delay(450);
    stop();
    const res = await watching;
    expect(res.code).toBe(0);
    // Three lines (title, header, TTYKEY) drawn, then moved over and cleared for the next reading.
    expect(res.stdout).toContain('\x1b[3A\x1b[0J');
    expect(res.stdout).toMatch(/TTYKEY +1 +0 +0 +1 +0 +0/);
  });
});
