import { DaneClient, Task } from '@dane/client';
import { TaskState } from '@dane/protocol';
import { ApiServer, startApiServer, workerCompletes } from '../../../test/support/api-server';
import { documentInput, generator } from '../../../test/support/fixtures';
import { dane } from '../../../test/support/run-dane';

describe('dane status, tasks, retry, reset and results (real API, PGlite)', () => {
  let server: ApiServer;
  let client: DaneClient;
  const run = (...argv: string[]) => dane([...argv, '--url', server.url]);
  /** Three documents with a task of `key` each. */
  const assigned = async (prefix: string, key: string): Promise<Task[]> => {
    const outcome = await client.registerMany([1, 2, 3].map((n) => documentInput(`${prefix}-${n}`)));
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

  describe('dane tasks', () => {
    let tasks: Task[];
    beforeAll(async () => {
      tasks = await assigned('TL', 'LISTME');
      await workerCompletes(server.store, tasks[1]._id!, TaskState.ERROR, 'disk full');
    });

    it('shows one page of a key in a state, with the total', async () => {
      const page1 = await run('tasks', '--key', 'listme', '--state', 'created', '--size', '1');
      expect(page1.code).toBe(0);
      expect(page1.stdout).toContain(tasks[0]._id!);
      expect(page1.stdout).not.toContain(tasks[2]._id!);
      expect(page1.stdout.trimEnd().split('\n').pop()).toBe(`2 tasks (key LISTME, state ${TaskState.CREATED} CREATED) · page 1 of 2`);
      const page2 = await run('tasks', '--key', 'LISTME', '--state', String(TaskState.CREATED), '--size', '1', '--page', '2', '--json');
      expect(JSON.parse(page2.stdout)).toMatchObject({ total: 2, page: 2, size: 1, tasks: [{ _id: tasks[2]._id, state: String(TaskState.CREATED) }] });
    });

    it('takes several states, and --all walks every page', async () => {
      const res = await run('tasks', '--key', 'LISTME', '--state', `${TaskState.ERROR},CREATED`, '--all', '--json');
      expect(JSON.parse(res.stdout).tasks.map((t: { _id: string }) => t._id)).toEqual(tasks.map((t) => t._id));
    });

    it('refuses a state that does not exist, listing the states (exit 2)', async () => {
      const res = await run('tasks', '--state', 'bogus');
      expect(res.code).toBe(2);
      expect(res.stderr).toContain(`--state "bogus" is not a task state; states: ${TaskState.QUEUED} QUEUED, ${TaskState.SUCCESS} SUCCESS`);
    });
  });

  describe('dane status', () => {
    it('shows a task with its document and result count', async () => {
      const [task] = await assigned('ST', 'STAT');
      await client.result(generator, { n: 1 }).save(task._id!);
      const res = await run('status', task._id!);
      expect(res.code).toBe(0);
      expect(res.stdout).toContain(`task ${task._id}\n  STAT: ${TaskState.CREATED} CREATED — Created\n`);
      expect(res.stdout).toContain('  results 1\n');
      expect(res.stdout).toContain(`document ${task.document_id}\n  target ST-1 (Video) http://example.com/ST-1.mp4`);
    });

    it('shows a document with every task', async () => {
      const doc = await client.document(documentInput('ST-DOC')).register();
      await doc.assign('ONE');
      await doc.assign('TWO');
      const res = await run('status', doc._id!, '--json');
      expect(JSON.parse(res.stdout)).toMatchObject({ kind: 'document', document: { _id: doc._id }, tasks: [{ key: 'ONE' }, { key: 'TWO' }] });
    });

    it('exits 1 with the server message for an unknown id', async () => {
      const res = await run('status', 'nosuchid');
      expect(res.code).toBe(1);
      expect(res.stderr).toMatch(/^dane: No task or document with id `nosuchid` found \(HTTP 404/);
    });
  });

  describe('dane retry and dane reset', () => {
    let tasks: Task[];
    beforeAll(async () => {
      tasks = await assigned('RR', 'FIXME');
      await workerCompletes(server.store, tasks[0]._id!, TaskState.ERROR, 'boom');
      await workerCompletes(server.store, tasks[1]._id!, TaskState.SUCCESS, 'ok');
      await workerCompletes(server.store, tasks[2]._id!, TaskState.ERROR, 'boom');
    });

    it('retries a failed task: 500 → 201', async () => {
      const res = await run('retry', tasks[0]._id!);
      expect(res).toMatchObject({ code: 0, stdout: `task ${tasks[0]._id} (FIXME): ${TaskState.ERROR} ERROR → ${TaskState.CREATED} CREATED — Manual retry\n` });
    });

    it('refuses a plain retry of a done task (exit 1, pointing at --force); --force does it', async () => {
      const refused = await run('retry', tasks[1]._id!);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('retry refuses tasks in');
      expect(refused.stderr).toContain('`dane retry --force <task_id>`');
      const forced = await run('retry', tasks[1]._id!, '--force');
      expect(forced.stdout).toContain(`${TaskState.SUCCESS} SUCCESS → ${TaskState.CREATED} CREATED — Forced retry`);
    });

    it('mass-resets the tasks of a key in a state', async () => {
      const res = await run('reset', '--key', 'fixme', '--state', 'ERROR');
      expect(res).toMatchObject({ code: 0, stdout: `reset 1 task of FIXME from ${TaskState.ERROR} ERROR to ${TaskState.TASK_RESET} TASK_RESET\n` });
      expect((await client.getTask(tasks[2]._id!)).stateCode).toBe(TaskState.TASK_RESET);
      expect((await run('reset', '--key', 'FIXME', '--state', 'ERROR')).stdout).toBe(`no tasks of FIXME in ${TaskState.ERROR} ERROR\n`);
    });

    it('resets one task to 201 "Reset"', async () => {
      const res = await run('reset', tasks[2]._id!, '--json');
      expect(JSON.parse(res.stdout)).toMatchObject({ _id: tasks[2]._id, state: String(TaskState.CREATED), msg: 'Reset' });
    });
  });

  describe('dane results', () => {
    it('prints the results of a task, and of a document and key', async () => {
      const [task] = await assigned('RS', 'RESULTS');
      await client.result(generator, { transcript: 'hello world' }).save(task._id!);
      const byTask = await run('results', task._id!);
      expect(byTask.code).toBe(0);
      expect(byTask.stdout).toMatch(new RegExp(`^result \\S+ of RESULTS \\(task ${task._id}\\) by ASR a1b2c3d`));
      expect(byTask.stdout).toContain('  {\n    "transcript": "hello world"\n  }\n');
      const byDocument = await run('results', '--document', task.document_id!, '--key', 'results', '--json');
      expect(JSON.parse(byDocument.stdout)).toMatchObject({ total: 1, results: [{ task_id: task._id, payload: { transcript: 'hello world' } }] });
    });

    it('prints the results of every task of a key, across documents, every page or the first --limit', async () => {
      const tasks = await assigned('RK', 'BYKEY');
      const other = await assigned('RO', 'OTHERKEY');
      for (const [n, task] of tasks.entries()) await client.result(generator, { n }).save(task._id!);
      await client.result(generator, { n: 99 }).save(other[0]._id!);

      const text = await run('results', '--key', 'bykey');
      expect(text.code).toBe(0);
      expect(text.stdout.match(/^result \S+ of BYKEY /gm)).toHaveLength(3);
      for (const task of tasks) expect(text.stdout).toContain(`(task ${task._id})`);
      expect(text.stdout).not.toContain('"n": 99');
      expect(text.stdout.trimEnd().split('\n').pop()).toBe('3 results (key BYKEY)');

      const all = JSON.parse((await run('results', '--key', 'BYKEY', '--json')).stdout);
      expect(all.total).toBe(3);
      expect(all.results.map((r: { task_id: string }) => r.task_id).sort()).toEqual(tasks.map((t) => t._id).sort());
      expect(new Set(all.results.map((r: { document_id: string }) => r.document_id)).size).toBe(3);

      const limited = await run('results', '--key', 'BYKEY', '--limit', '2', '--json');
      expect(JSON.parse(limited.stdout)).toMatchObject({ total: 3, results: [{ task_key: 'BYKEY' }, { task_key: 'BYKEY' }] });
      expect(JSON.parse(limited.stdout).results).toHaveLength(2);
      expect((await run('results', '--key', 'BYKEY', '--limit', '1')).stdout.trimEnd().split('\n').pop()).toBe('1 of 3 results (key BYKEY)');

      expect((await run('results', '--key', 'NORESULTS')).stdout).toBe('no results\n0 results (key NORESULTS)\n');
    });

    it('refuses a task id with --key, and a --limit that is not a positive number (exit 2)', async () => {
      expect((await run('results', 'sometask', '--key', 'BYKEY')).code).toBe(2);
      const badLimit = await run('results', '--key', 'BYKEY', '--limit', '0');
      expect(badLimit.code).toBe(2);
      expect(badLimit.stderr).toContain('--limit must be a whole number at least 1');
    });

    it('exits 1 for an unknown task', async () => {
      expect((await run('results', 'nosuchtask')).code).toBe(1);
    });
  });
});
