import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { TaskState } from '@dane/protocol';
import { BrokerNames, Build, DaneServer, DaneSetup, NodeProcess, TestDatabase, buildPrivateDist, commonEnv, createDatabase, waitFor } from '../../test/support/dane-processes';

const AMQP_URL = 'amqp://guest:guest@127.0.0.1:5672';

/**
 * The Nest-microservice example worker as an operator runs it (`node <build>/workers/nest-wordcount/main.js`)
 * against the compiled single-machine server on a fresh PostgreSQL database and the machine's RabbitMQ: a task
 * assigned over the REST API reaches 200 and its result is stored.
 */
describe('nest-wordcount worker (Nest microservice with DaneTransport) against a real server', () => {
  const names = new BrokerNames('nestwc');
  const queue = `nest-wordcount-${names.id}`;
  let build: Build;
  let db: TestDatabase;
  let home: string;
  let server: DaneServer;
  let worker: NodeProcess;

  beforeAll(async () => {
    [build, db, home] = await Promise.all([buildPrivateDist('nestwc'), createDatabase('nestwc'), mkdtemp(join(tmpdir(), 'dane-e2e-nestwc-'))]);
    const setup: DaneSetup = { build, db, names, home, amqpPort: 5672 };
    server = await new DaneServer(setup, {}).start();
    worker = new NodeProcess('nest-wordcount', join(build.dir, 'workers/nest-wordcount/main.js'), { ...commonEnv(setup), DANE_NEST_WORDCOUNT_WORKER__QUEUE: queue }, home);
    await worker.waitForEvent('nest-wordcount consuming', (e) => e.event === 'worker_started', 30_000);
  }, 300_000);

  afterAll(async () => {
    await worker?.stop();
    await server?.stop();
    await names.cleanup(AMQP_URL, [queue]).catch(() => undefined);
    await db?.drop();
    await build?.remove();
    if (home) await rm(home, { recursive: true, force: true });
  }, 120_000);

  /** Registers a document for `url` and assigns WORDCOUNT; answers the task id once the task is out of 201/102. */
  async function runTask(targetId: string | number, url: string): Promise<{ documentId: string; taskId: string; task: { state: string; msg: string } }> {
    const doc = await server.api('POST', '/DANE/document/', { target: { id: targetId, url, type: 'Text' }, creator: { id: 'NISV', type: 'Organization' } });
    const assigned = await server.api('POST', '/DANE/task/', { document_id: doc._id, key: 'WORDCOUNT' });
    const task = await waitFor(
      `task ${assigned._id} finished`,
      async () => {
        const t = await server.api('GET', `/DANE/task/${assigned._id}`);
        return ['201', '102'].includes(t.state) ? undefined : t;
      },
      30_000,
      100,
    ).catch((err) => {
      throw new Error(`${err.message}\n${server.process.tail(20)}\n${worker.tail(20)}`);
    });
    return { documentId: doc._id, taskId: assigned._id, task };
  }

  it('counts the words of a local file (a plain path with a space, and a file:// URL): the task reaches 200 and its result is stored', async () => {
    const file = join(home, 'a text.txt');
    await writeFile(file, 'Distributed Annotation and Enrichment\nDANE for Node\n');
    const expected = { words: 7, lines: 2, characters: 52, bytes: 52 };

    // A number target.id (as an old Python client sends it) reaches the handler as the string "12345".
    const byPath = await runTask(12345, file);
    expect(byPath.task).toMatchObject({ state: String(TaskState.SUCCESS), msg: 'Success: 7 words in target 12345' });
    const results = await server.api('GET', `/DANE/task/${byPath.taskId}/results`);
    expect(results).toEqual([
      expect.objectContaining({ task_id: byPath.taskId, payload: expected, generator: expect.objectContaining({ name: queue.toUpperCase(), type: 'Software' }) }),
    ]);

    const byUrl = await runTask('ITM-url', pathToFileURL(file).href);
    expect(byUrl.task.state).toBe(String(TaskState.SUCCESS));
    expect((await server.api('GET', `/DANE/task/${byUrl.taskId}/results`))[0].payload).toEqual(expected);
  });

  it('answers 404 for a missing file and 400 for an http URL, storing no result', async () => {
    const missing = await runTask('ITM-missing', join(home, 'nothing-here.txt'));
    expect(missing.task).toMatchObject({ state: String(TaskState.NOT_FOUND), msg: 'No file found at source_url' });
    const http = await runTask('ITM-http', 'http://example.com/a.txt');
    expect(http.task).toMatchObject({ state: String(TaskState.BAD_REQUEST), msg: expect.stringMatching(/^Unsupported URL scheme http:\/\//) });
    for (const { taskId } of [missing, http]) expect(await server.api('GET', `/DANE/task/${taskId}/results`)).toEqual([]);
  });
});
