import { createServer, IncomingHttpHeaders } from 'node:http';
import { AddressInfo } from 'node:net';
import { TaskState } from '@dane/protocol';
import {
  BadRequestError,
  ClientUsageError,
  DaneApiError,
  DaneClient,
  Document,
  DocumentExistsError,
  NotFoundError,
  ServerUnreachableError,
  ServiceUnavailableError,
  Task,
  TaskAssignedError,
  TaskStateError,
} from '@dane/client';
import { ApiServer, startApiServer, workerCompletes } from '../../../test/support/api-server';
import { freePort } from '../../../test/support/net';
import { documentInput, generator, sha1 } from '../../../test/support/fixtures';

describe('DaneClient against a real API (PGlite)', () => {
  let server: ApiServer;
  let dane: DaneClient;

  beforeAll(async () => {
    server = await startApiServer({ DANE_RABBITMQ__MANAGEMENT: 'false' });
    dane = new DaneClient({ baseUrl: `${server.url}/DANE/` });
  });
  afterAll(() => server.close());

  describe('Document', () => {
    it('registers: the server assigns sha1(target.id + creator.id) and timestamps', async () => {
      const doc = await dane.document(documentInput('D-REG')).register();
      expect(doc._id).toBe(sha1('D-REG' + 'NISV'));
      expect(doc.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
      expect(Object.keys(doc.toJSON())).toEqual(['target', 'creator', 'created_at', 'updated_at', '_id']);
      expect((await dane.getDocument(doc._id!)).target).toEqual(doc.target);
    });

    it('has string ids: a number target.id is registered, read and searched as its Python str()', async () => {
      const doc = dane.document({ ...documentInput('unused'), target: { id: 4711, url: 'http://example.com/4711.mp4', type: 'Video' } });
      expect(doc.target.id).toBe('4711');
      await doc.register();
      expect(doc._id).toBe(sha1('4711' + 'NISV'));
      expect(doc.target.id.toUpperCase()).toBe('4711');
      expect((await dane.getDocument(doc._id!)).target.id).toBe('4711');
      expect((await dane.documents.search({ targetId: '4711' }).page(1, 10)).items.map((d) => d.target.id)).toEqual(['4711']);
    });

    it('throws DocumentExistsError with the server status and message for a duplicate', async () => {
      await dane.document(documentInput('D-DUP')).register();
      const err = await dane
        .document(documentInput('D-DUP'))
        .register()
        .catch((e) => e);
      expect(err).toBeInstanceOf(DocumentExistsError);
      expect(err).toBeInstanceOf(DaneApiError);
      expect(err).toMatchObject({ status: 409, method: 'POST', message: 'A document with target.id `D-DUP`, and creator.id `NISV` already exists' });
    });

    it('throws BadRequestError naming the field the server refused', async () => {
      const err = await dane
        .document({ target: { id: 'X', url: 'http://x', type: 'Movie' }, creator: { id: 'N', type: 'Human' } })
        .register()
        .catch((e) => e);
      expect(err).toBeInstanceOf(BadRequestError);
      expect(err.message).toMatch(/target\.type must be one of/);
    });

    it('lists its assigned tasks over every page, optionally of one key', async () => {
      const doc = await dane.document(documentInput('D-TASKS')).register();
      for (const key of ['a', 'b', 'c']) await doc.assign(key);
      expect((await doc.getAssignedTasks()).map((t) => t.key)).toEqual(['A', 'B', 'C']);
      expect((await doc.getAssignedTasks('b')).map((t) => t._id)).toEqual([sha1(doc._id + 'B')]);
      const page = await dane.documents.tasks(doc._id!).page(2, 2);
      expect(page).toMatchObject({ total: 3, page: 2, size: 2 });
      expect(page.items.map((t) => t.key)).toEqual(['C']);
    });

    it('deletes itself with its tasks; the next read is a NotFoundError', async () => {
      const doc = await dane.document(documentInput('D-DEL')).register();
      const task = await doc.assign('ASR');
      await doc.delete();
      await expect(doc.refresh()).rejects.toBeInstanceOf(NotFoundError);
      await expect(task.refresh()).rejects.toMatchObject({ status: 404, message: `No task with id \`${task._id}\` found` });
    });

    it('refuses to act without a client or before registration, before sending anything', async () => {
      await expect(new Document(documentInput('X').target, documentInput('X').creator).register()).rejects.toBeInstanceOf(ClientUsageError);
      await expect(dane.document(documentInput('never')).delete()).rejects.toThrow(/not registered yet/);
    });
  });

  describe('Task', () => {
    let docId: string;
    beforeAll(async () => {
      docId = (await dane.document(documentInput('T-DOC')).register())._id!;
    });

    it('assigns: id sha1(document id + KEY), state 201, and TaskAssignedError the second time', async () => {
      const task = await dane.task({ key: 'asr', priority: 3, args: { lang: 'nl' } }).assign(docId);
      expect(task).toMatchObject({ _id: sha1(docId + 'ASR'), key: 'ASR', stateCode: TaskState.CREATED, msg: 'Created', priority: 3, args: { lang: 'nl' }, document_id: docId });
      const err = await dane
        .task('ASR')
        .assign(docId)
        .catch((e) => e);
      expect(err).toBeInstanceOf(TaskAssignedError);
      expect(err.message).toBe(`Task \`ASR\` already assigned to document \`${docId}\``);
    });

    it('refreshes, reports isDone() and state() after a worker completed it', async () => {
      const task = await dane.task('DONE1').assign(docId);
      expect(await task.isDone()).toBe(false);
      await workerCompletes(server.store, task._id!, TaskState.SUCCESS, 'Success');
      expect(await task.state()).toBe(TaskState.SUCCESS);
      expect(await task.isDone()).toBe(true);
      expect(task.msg).toBe('Success');
    });

    it('isDone() asks the server each time: a task polled with isDone() alone sees 200 and the msg the worker wrote', async () => {
      const task = await dane.task('DONE-POLL').assign(docId);
      expect(task.stateCode).toBe(TaskState.CREATED);
      expect(await task.isDone()).toBe(false);
      await workerCompletes(server.store, task._id!, TaskState.SUCCESS, 'Success');
      expect(await task.isDone()).toBe(true);
      expect(task).toMatchObject({ stateCode: TaskState.SUCCESS, stateName: 'SUCCESS', msg: 'Success' });
      // Back to 201 on the server: the next isDone() says so, and the cached fields follow.
      await server.store.tasks.transition({ id: task._id!, from: [TaskState.SUCCESS], to: TaskState.CREATED, msg: 'Forced retry' });
      expect(await task.isDone()).toBe(false);
      expect(task).toMatchObject({ stateCode: TaskState.CREATED, msg: 'Forced retry' });
    });

    it('retry() is refused for a done task with TaskStateError; retry(true) forces it back to 201', async () => {
      const task = await dane.task('DONE2').assign(docId);
      await workerCompletes(server.store, task._id!, TaskState.SUCCESS);
      const err = await task.retry().catch((e) => e);
      expect(err).toBeInstanceOf(TaskStateError);
      expect(err.status).toBe(409);
      await task.retry(true);
      expect(task).toMatchObject({ stateCode: TaskState.CREATED, msg: 'Forced retry' });
    });

    it('retry() takes a failed task back to 201; reset() too, with msg "Reset"', async () => {
      const task = await dane.task('FAILS').assign(docId);
      await workerCompletes(server.store, task._id!, TaskState.ERROR, 'boom');
      await task.retry();
      expect(task).toMatchObject({ stateCode: TaskState.CREATED, msg: 'Manual retry' });
      await task.reset();
      expect(task).toMatchObject({ stateCode: TaskState.CREATED, msg: 'Reset' });
    });

    it('run() makes an auto-retry task due now, and leaves a task that waits for a person alone', async () => {
      const proxy = await dane.task('PROXY').assign(docId);
      await workerCompletes(server.store, proxy._id!, TaskState.ERROR_PROXY);
      await proxy.run();
      expect(proxy.stateCode).toBe(TaskState.CREATED);
      const manual = await dane.task('MANUAL').assign(docId);
      await workerCompletes(server.store, manual._id!, TaskState.ERROR);
      await manual.run();
      expect(manual).toMatchObject({ stateCode: TaskState.ERROR, msg: 'Reported by the test worker' });
    });

    it('assigns with depends_on: the task waits in 412 until its dependency is 200', async () => {
      const doc = await dane.document(documentInput('T-DEPS')).register();
      const asr = await doc.assign({ key: 'ASR', depends_on: ['download'] });
      expect(asr.stateCode).toBe(TaskState.UNFINISHED_DEPENDENCY);
      const download = await doc.assign('DOWNLOAD');
      await workerCompletes(server.store, download._id!, TaskState.SUCCESS);
      // The scheduler releases dependants; without one here the action releases it when asked to run.
      await asr.run();
      expect(asr.stateCode).toBe(TaskState.CREATED);
    });

    it('assignMany reports assigned, already assigned and failed documents apart, in chunks', async () => {
      const a = (await dane.document(documentInput('T-MANY-A')).register())._id!;
      const b = (await dane.document(documentInput('T-MANY-B')).register())._id!;
      await dane.task('MANY').assign(a);
      const progress: number[] = [];
      const outcome = await dane.task('many').assignMany([a, b, 'nosuchdoc']);
      expect(outcome.assigned.map((t) => t.document_id)).toEqual([b]);
      expect(outcome.alreadyAssigned).toEqual([{ document_id: a, error: `Task \`MANY\` already assigned to document \`${a}\`` }]);
      expect(outcome.failed).toEqual([{ document_id: 'nosuchdoc', error: "[404] 'No document with id `nosuchdoc` found'" }]);
      const again = await dane.assignMany([a, b], 'OTHER', { chunkSize: 1, onProgress: (p) => progress.push(p.done) });
      expect(again.assigned).toHaveLength(2);
      expect(progress).toEqual([1, 2]);
    });

    it('lists tasks by key and state with a total, and mass-resets them', async () => {
      const ids: string[] = [];
      for (const tid of ['T-L1', 'T-L2', 'T-L3']) {
        const doc = await dane.document(documentInput(tid)).register();
        ids.push((await doc.assign('LISTED'))._id!);
      }
      await workerCompletes(server.store, ids[0], TaskState.ERROR);
      await workerCompletes(server.store, ids[2], TaskState.ERROR);
      const errored = dane.listTasks({ key: 'listed', states: [TaskState.ERROR] });
      expect(await errored.total()).toBe(2);
      expect((await errored.all()).map((t) => t._id)).toEqual([ids[0], ids[2]]);
      expect(await dane.tasks.massReset('LISTED', TaskState.ERROR)).toEqual({ total: 2, error: '' });
      expect(await dane.listTasks({ key: 'LISTED', states: [TaskState.TASK_RESET] }).total()).toBe(2);
    });
  });

  describe('Result', () => {
    it('saves under a task, is found through the task and the document, and deletes', async () => {
      const doc = await dane.document(documentInput('R-DOC')).register();
      const task = await doc.assign('ASR');
      const result = await dane.result(generator, { transcript: 'hello' }).save(task._id!);
      expect(result._id).toBeTruthy();
      expect(result).toMatchObject({ task_id: task._id, document_id: doc._id, task_key: 'ASR', generator: { name: 'ASR' } });
      expect(result.toJSON()).toEqual({ result: { generator: result.generator, payload: { transcript: 'hello' }, _id: result._id } });
      expect((await task.results().all()).map((r) => r._id)).toEqual([result._id]);
      expect((await doc.results('asr').all()).map((r) => r.payload)).toEqual([{ transcript: 'hello' }]);
      await result.delete();
      await expect(dane.getResult(result._id!)).rejects.toBeInstanceOf(NotFoundError);
    });
  });

  describe('bulk and paging', () => {
    it('registers in chunks: new, existing and invalid documents reported apart with their index', async () => {
      await dane.document(documentInput('B-3')).register();
      const inputs = ['B-1', 'B-2', 'B-3', 'B-4', 'B-5', 'B-6', 'B-7'].map((t) => documentInput(t));
      (inputs[5].target as { type: string }).type = 'Movie';
      const progress: string[] = [];
      const outcome = await dane.registerMany(inputs, { chunkSize: 3, onProgress: (p) => progress.push(`${p.chunk}/${p.chunks}:${p.done}/${p.total}`) });
      expect(outcome.registered.map((d) => d.target.id)).toEqual(['B-1', 'B-2', 'B-4', 'B-5', 'B-7']);
      expect(outcome.existing.map((d) => d._id)).toEqual([sha1('B-3NISV')]);
      expect(outcome.failed).toEqual([{ index: 5, input: inputs[5], error: expect.stringMatching(/target\.type must be one of/) }]);
      expect(progress).toEqual(['1/3:3/7', '2/3:6/7', '3/3:7/7']);
    });

    it('walks every page of a search, reading the total the server reports', async () => {
      await dane.registerMany(Array.from({ length: 7 }, (_, i) => documentInput(`P-${i}`, 'PAGER')));
      const search = dane.search({ creatorId: 'PAGER' });
      expect(await search.total()).toBe(7);
      const pages = [];
      for await (const page of search.pages(3)) pages.push(page.items.map((d) => d.target.id));
      expect(pages).toEqual([['P-0', 'P-1', 'P-2'], ['P-3', 'P-4', 'P-5'], ['P-6']]);
      const all = await search.all();
      expect(all).toHaveLength(7);
      expect(all[0]).toBeInstanceOf(Document);
    });
  });

  describe('errors of the server and of the network', () => {
    it('throws ServiceUnavailableError with the server message when worker statistics are off', async () => {
      const err = await dane.server
        .workers()
        .page()
        .catch((e) => e);
      expect(err).toBeInstanceOf(ServiceUnavailableError);
      expect(err.status).toBe(503);
      expect(err.message).toMatch(/RABBITMQ\.MANAGEMENT is false/);
    });

    it('throws ServerUnreachableError naming the URL when nothing listens', async () => {
      const port = await freePort();
      const err = await new DaneClient({ baseUrl: `http://127.0.0.1:${port}` }).getTask('x').catch((e) => e);
      expect(err).toBeInstanceOf(ServerUnreachableError);
      expect(err).toMatchObject({ status: undefined, baseUrl: `http://127.0.0.1:${port}`, reason: 'ECONNREFUSED' });
      expect(err.message).toBe(`Cannot reach the DANE server at http://127.0.0.1:${port} (ECONNREFUSED)`);
    });

    it('sends the token as a bearer Authorization header', async () => {
      let seen: IncomingHttpHeaders = {};
      const echo = createServer((req, res) => {
        seen = req.headers;
        res.end();
      });
      await new Promise<void>((r) => echo.listen(0, '127.0.0.1', () => r()));
      try {
        await new DaneClient({ baseUrl: `http://127.0.0.1:${(echo.address() as AddressInfo).port}`, token: 's3cret' }).server.health();
        expect(seen.authorization).toBe('Bearer s3cret');
      } finally {
        await new Promise((r) => echo.close(r));
      }
    });
  });

  it('Task.fromJSON of a stored task acts on it once a client is set', async () => {
    const doc = await dane.document(documentInput('J-DOC')).register();
    const assigned = await doc.assign('JSON');
    const copy = Task.fromJSON(JSON.stringify(assigned)).setClient(dane);
    expect(await copy.state()).toBe(TaskState.CREATED);
  });
});
