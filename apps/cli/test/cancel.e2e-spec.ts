import { DaneClient, Task } from '@dane/client';
import { TaskState } from '@dane/protocol';
import { ApiServer, startApiServer, workerCompletes } from '../../../test/support/api-server';
import { documentInput } from '../../../test/support/fixtures';
import { dane } from '../../../test/support/run-dane';

describe('dane cancel (real API, PGlite)', () => {
  let server: ApiServer;
  let client: DaneClient;
  const run = (...argv: string[]) => dane([...argv, '--url', server.url]);
  const assigned = async (prefix: string, key: string): Promise<Task[]> => {
    const outcome = await client.registerMany([1, 2].map((n) => documentInput(`${prefix}-${n}`)));
    const tasks = await client.assignMany(
      outcome.registered.map((d) => d._id),
      key,
    );
    return tasks.assigned.map((view) => client.asTask(view));
  };

  beforeAll(async () => {
    server = await startApiServer();
    client = new DaneClient({ baseUrl: server.url });
  });
  afterAll(() => server.close());

  it('cancels tasks by id with a summary; an unknown or done one is named and exits 4', async () => {
    const [a, b] = await assigned('CID', 'CANCELME');
    await workerCompletes(server.store, b._id!, TaskState.SUCCESS, 'done');
    const res = await run('cancel', a._id!, b._id!, 'nope');
    expect(res.code).toBe(4);
    expect(res.stdout.trimEnd().split('\n')).toEqual([
      `task ${a._id} (CANCELME): ${TaskState.CANCELLED} CANCELLED`,
      `task ${b._id}: not cancelled — Task \`${b._id}\` is in state 200 SUCCESS; a finished task cannot be cancelled (reset or forceretry runs it again)`,
      'task nope: not cancelled — No task with id `nope` found',
      '1 of 3 cancelled, 2 not cancelled',
    ]);
    expect((await client.tasks.get(a._id!)).state).toBe(String(TaskState.CANCELLED));
  });

  it('cancels by --key and --state, --cascade taking the dependants along', async () => {
    const tasks = await assigned('CKEY', 'CANCELKEY');
    await assigned('CKEY2', 'OTHERKEY');
    // A dependant of the first task, on the same document.
    await client.tasks.assign(tasks[0].document_id!, { key: 'AFTERKEY', depends_on: ['CANCELKEY'] });
    const res = await run('cancel', '--key', 'cancelkey', '--state', 'created', '--cascade');
    expect(res.code).toBe(0);
    expect(res.stdout.trimEnd().split('\n')).toEqual(['2 task(s) matched: 2 cancelled', '1 dependant(s) cancelled with them']);
    const json = await run('cancel', '--key', 'CANCELKEY', '--json');
    expect(JSON.parse(json.stdout)).toMatchObject({ matched: 2, cancelled: 0, skipped: { already_cancelled: 2 } });
  });

  it('refuses to select every task (exit 2, nothing sent)', async () => {
    const res = await run('cancel', '--state', 'created');
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('--state needs --key or --creator');
  });
});
