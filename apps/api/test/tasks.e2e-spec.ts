import { TaskState, TIMESTAMP_PATTERN } from '@dane/core';
import { useApiTestApp } from '../../../test/support/api-test-app';
import { documentBody, sha1 } from '../../../test/support/fixtures';

describe('task routes (PGlite)', () => {
  const api = useApiTestApp();
  const { http } = api;
  const newDocument = async (tid: string) => (await http().post('/DANE/document/').send(documentBody(tid)).expect(200)).body._id as string;
  const taskCount = async (docId: string) => Number((await http().get(`/DANE/document/${docId}/tasks?size=1`).expect(200)).headers['x-total-count']);
  /** What a worker reply or the dispatcher would do: one conditional write in the store. */
  const setState = async (taskId: string, to: number, msg = 'set by test') => {
    const task = await api.store.tasks.findById(taskId);
    expect(await api.store.tasks.transition({ id: taskId, from: [task!.state], to, msg })).not.toBeNull();
  };
  const stateOf = async (taskId: string) => (await http().get(`/DANE/task/${taskId}`).expect(200)).body as { state: string; msg: string };

  describe('GET /DANE/stats/tasks', () => {
    it('counts tasks by key and state, of one key with ?key= (upper-cased like task keys)', async () => {
      const a = await newDocument('T-STATS-1');
      const b = await newDocument('T-STATS-2');
      await http()
        .post('/DANE/task/')
        .send({ document_id: [a, b], key: 'statkey' })
        .expect(200);
      await setState(sha1(a + 'STATKEY'), TaskState.ERROR);
      const res = await http().get('/DANE/stats/tasks?key=statkey').expect(200);
      expect(res.body.counts).toEqual([
        { key: 'STATKEY', state: TaskState.CREATED, count: 1 },
        { key: 'STATKEY', state: TaskState.ERROR, count: 1 },
      ]);
      const all = await http().get('/DANE/stats/tasks').expect(200);
      expect(all.body.counts.length).toBeGreaterThanOrEqual(2);
      expect((await http().get('/DANE/stats/tasks?key=a.b').expect(400)).body.message).toMatch(/key may only contain/);
    });
  });

  describe('POST /DANE/task/ for one document', () => {
    it('answers 201 with the marshalled task: id sha1(document id + KEY), string state, {"*": null} args', async () => {
      const docId = await newDocument('T-ONE');
      const res = await http().post('/DANE/task/').send({ document_id: docId, key: 'asr' }).expect(201);
      expect(res.body).toEqual({
        _id: sha1(docId + 'ASR'),
        key: 'ASR',
        state: '201',
        msg: 'Created',
        priority: 1,
        created_at: expect.stringMatching(TIMESTAMP_PATTERN),
        updated_at: expect.stringMatching(TIMESTAMP_PATTERN),
        args: { '*': null },
        document_id: docId,
        depends_on: [],
        attempt: 0,
      });
      expect(await stateOf(res.body._id)).toMatchObject({ state: '201', msg: 'Created' });
    });

    it('clamps the priority, takes args, and turns stray keys into args (docs/protocol.md, Task)', async () => {
      const docId = await newDocument('T-ARGS');
      const a = await http()
        .post('/DANE/task')
        .send({ document_id: docId, key: 'A', priority: 15, args: { lang: 'nl' } })
        .expect(201);
      expect(a.body).toMatchObject({ priority: 10, args: { lang: 'nl' } });
      const b = await http().post('/DANE/task/').send({ document_id: docId, key: 'B', priority: '3', colour: 'red' }).expect(201);
      expect(b.body).toMatchObject({ priority: 3, args: { colour: 'red' } });
    });

    it('accepts the web UI form {document_id, task: {key, priority}}', async () => {
      const docId = await newDocument('T-UI');
      const res = await http()
        .post('/DANE/task/')
        .send({ document_id: docId, task: { key: 'shots', priority: 4 } })
        .expect(201);
      expect(res.body).toMatchObject({ _id: sha1(docId + 'SHOTS'), key: 'SHOTS', priority: 4 });
    });

    it('answers 409 "Task `KEY` already assigned to document `id`" for the same key twice, changing nothing', async () => {
      const docId = await newDocument('T-DUP');
      await http().post('/DANE/task/').send({ document_id: docId, key: 'ASR', priority: 2 }).expect(201);
      const res = await http().post('/DANE/task/').send({ document_id: docId, key: 'asr', priority: 9 }).expect(409);
      expect(res.body).toEqual({ message: `Task \`ASR\` already assigned to document \`${docId}\`` });
      expect(await taskCount(docId)).toBe(1);
      expect(
        (
          await http()
            .get(`/DANE/task/${sha1(docId + 'ASR')}`)
            .expect(200)
        ).body.priority,
      ).toBe(2);
    });

    it('answers 404 naming an unknown document', async () => {
      const res = await http().post('/DANE/task/').send({ document_id: 'nosuchdoc', key: 'ASR' }).expect(404);
      expect(res.body).toEqual({ message: 'No document with id `nosuchdoc` found' });
    });

    it.each([
      ['no document_id', { key: 'ASR' }, /^document_id is required$/],
      ['a numeric document_id', { document_id: 5, key: 'ASR' }, /document_id must be a document id or a list of document ids/],
      ['an empty document_id', { document_id: '', key: 'ASR' }, /document_id must not be empty/],
      ['no key', { document_id: 'DOC' }, /key is required/],
      ['a numeric key', { document_id: 'DOC', key: 7 }, /key is required and must be a non-empty string/],
      ['a key with spaces', { document_id: 'DOC', key: 'A B' }, /key may only contain/],
      ['an `_id`', { document_id: 'DOC', key: 'ASR', _id: 'x' }, /`_id` is assigned by the server/],
      ['a non-numeric priority', { document_id: 'DOC', key: 'ASR', priority: 'high' }, /priority must be an integer/],
      ['args that are not an object', { document_id: 'DOC', key: 'ASR', args: [1] }, /args must be a JSON object/],
      ['depends_on that is not a list', { document_id: 'DOC', key: 'ASR', depends_on: 'DOWNLOAD' }, /depends_on must be a list of task keys/],
      ['depends_on naming itself', { document_id: 'DOC', key: 'ASR', depends_on: ['asr'] }, /depends_on must not contain the task's own key ASR/],
      ['a task that is not an object', { document_id: 'DOC', task: 'ASR' }, /`task` must be an object/],
      ['a list body', [{ document_id: 'DOC', key: 'ASR' }], /expected a JSON object/],
    ])('answers 400 for %s, storing nothing', async (what, body, message) => {
      const docId = await newDocument(`T-BAD ${what}`);
      const sent = JSON.parse(JSON.stringify(body).replace(/"DOC"/g, JSON.stringify(docId)));
      const res = await http().post('/DANE/task/').send(sent).expect(400);
      expect(res.body.message).toMatch(message);
      expect(await taskCount(docId)).toBe(0);
    });

    it('answers 400 for malformed JSON', async () => {
      const res = await http().post('/DANE/task/').set('Content-Type', 'application/json').send('{"document_id": ').expect(400);
      expect(res.body.message).toMatch(/^Invalid JSON body: /);
    });
  });

  describe('POST /DANE/task/ with depends_on', () => {
    it('stores the task in 412 while a dependency is not 200 on the document', async () => {
      const docId = await newDocument('T-DEP-WAIT');
      await http().post('/DANE/task/').send({ document_id: docId, key: 'DOWNLOAD' }).expect(201);
      const res = await http()
        .post('/DANE/task/')
        .send({ document_id: docId, key: 'ASR', depends_on: ['download', 'prep'] })
        .expect(201);
      expect(res.body).toMatchObject({ state: '412', msg: 'Waiting for dependencies: DOWNLOAD, PREP', depends_on: ['DOWNLOAD', 'PREP'] });
      expect(await stateOf(res.body._id)).toMatchObject({ state: '412' });
    });

    it('stores the task in 201 when every dependency is already 200', async () => {
      const docId = await newDocument('T-DEP-DONE');
      const dl = (await http().post('/DANE/task/').send({ document_id: docId, key: 'DOWNLOAD' }).expect(201)).body._id;
      await setState(dl, TaskState.SUCCESS);
      const res = await http()
        .post('/DANE/task/')
        .send({ document_id: docId, key: 'ASR', depends_on: ['DOWNLOAD'] })
        .expect(201);
      expect(res.body).toMatchObject({ state: '201', msg: 'Created' });
    });
  });

  describe('POST /DANE/task/ for a list of documents', () => {
    it('answers 200 {success, failed} with per-document errors in the original texts', async () => {
      const d1 = await newDocument('T-MANY-1');
      const d2 = await newDocument('T-MANY-2');
      await http().post('/DANE/task/').send({ document_id: d2, key: 'ASR' }).expect(201);
      const res = await http()
        .post('/DANE/task/')
        .send({ document_id: [d1, d2, 'ghost', 17, d1], key: 'asr', priority: 5 })
        .expect(200);
      expect(res.body.success).toHaveLength(1);
      expect(res.body.success[0]).toMatchObject({ _id: sha1(d1 + 'ASR'), key: 'ASR', state: '201', priority: 5, document_id: d1 });
      expect(res.body.failed).toEqual([
        { document_id: d2, error: `Task \`ASR\` already assigned to document \`${d2}\`` },
        { document_id: 'ghost', error: "[404] 'No document with id `ghost` found'" },
        { document_id: 17, error: '[400] document_id must be a non-empty string' },
        { document_id: d1, error: `Task \`ASR\` already assigned to document \`${d1}\`` },
      ]);
      expect(await taskCount(d1)).toBe(1);
      expect(await taskCount(d2)).toBe(1);
    });

    it('answers 200 with empty lists for an empty list', async () => {
      expect((await http().post('/DANE/task/').send({ document_id: [], key: 'ASR' }).expect(200)).body).toEqual({ success: [], failed: [] });
    });

    it('puts waiting tasks in 412 per document', async () => {
      const d1 = await newDocument('T-MANY-DEP-1');
      const d2 = await newDocument('T-MANY-DEP-2');
      const dl = (await http().post('/DANE/task/').send({ document_id: d1, key: 'DOWNLOAD' }).expect(201)).body._id;
      await setState(dl, TaskState.SUCCESS);
      const res = await http()
        .post('/DANE/task/')
        .send({ document_id: [d1, d2], key: 'ASR', depends_on: ['DOWNLOAD'] })
        .expect(200);
      expect(res.body.success.map((t: { state: string }) => t.state)).toEqual(['201', '412']);
      expect(res.body.success[1].msg).toBe('Waiting for dependencies: DOWNLOAD');
    });
  });

  describe('reading and deleting tasks', () => {
    let docId: string;
    let taskId: string;
    beforeAll(async () => {
      docId = await newDocument('T-READ');
      taskId = (
        await http()
          .post('/DANE/task/')
          .send({ document_id: docId, key: 'ASR', args: { a: 1 } })
          .expect(201)
      ).body._id;
    });

    it('GET /DANE/task/<id> answers the marshalled task; unknown → 404', async () => {
      expect((await http().get(`/DANE/task/${taskId}/`).expect(200)).body).toMatchObject({ _id: taskId, key: 'ASR', state: '201', args: { a: 1 } });
      expect((await http().get('/DANE/task/unknown').expect(404)).body).toEqual({ message: 'No task with id `unknown` found' });
    });

    it('GET /DANE/task/<id>/document answers the document of the task', async () => {
      const res = await http().get(`/DANE/task/${taskId}/document`).expect(200);
      expect(res.body).toMatchObject({ _id: docId, target: { id: 'T-READ' } });
      await http().get('/DANE/task/unknown/document').expect(404);
    });

    it('DELETE /DANE/task/<id> and the legacy GET …/delete answer "" and remove the task', async () => {
      const t1 = (await http().post('/DANE/task/').send({ document_id: docId, key: 'DEL1' }).expect(201)).body._id;
      const t2 = (await http().post('/DANE/task/').send({ document_id: docId, key: 'DEL2' }).expect(201)).body._id;
      expect((await http().delete(`/DANE/task/${t1}`).expect(200)).text).toBe('""');
      expect((await http().get(`/DANE/task/${t2}/delete`).expect(200)).text).toBe('""');
      await http().get(`/DANE/task/${t1}`).expect(404);
      await http().get(`/DANE/task/${t2}`).expect(404);
      expect((await http().delete(`/DANE/task/${t1}`).expect(404)).body.message).toBe(`No task with id \`${t1}\` found`);
      // Deleting then re-assigning gives the same id (docs/protocol.md, Task id).
      expect((await http().post('/DANE/task/').send({ document_id: docId, key: 'DEL1' }).expect(201)).body._id).toBe(t1);
    });
  });

  describe('GET /DANE/task/ and /DANE/task/inprogress', () => {
    it('lists unfinished tasks as Task.to_json with integer states, paged with X-Total-Count', async () => {
      const docId = await newDocument('T-UNFINISHED');
      const ids: Record<string, string> = {};
      for (const key of ['U1', 'U2', 'U3', 'U4']) ids[key] = (await http().post('/DANE/task/').send({ document_id: docId, key }).expect(201)).body._id;
      await setState(ids.U2, TaskState.SUCCESS);
      await setState(ids.U3, TaskState.ERROR);
      await setState(ids.U4, TaskState.UNFINISHED_DEPENDENCY);
      const expectedTotal = (await api.store.tasks.list({ notStates: [TaskState.SUCCESS, TaskState.UNFINISHED_DEPENDENCY] }, { page: 1, size: 1 })).total;
      const res = await http().get('/DANE/task/?size=1000').expect(200);
      expect(res.headers['x-total-count']).toBe(String(expectedTotal));
      const mine = res.body.filter((t: { _id: string }) => Object.values(ids).includes(t._id));
      expect(mine.map((t: { key: string }) => t.key)).toEqual(['U1', 'U3']);
      expect(mine[0]).toEqual({ key: 'U1', _id: ids.U1, state: 201, msg: 'Created', created_at: expect.any(String), updated_at: expect.any(String), priority: 1 });
      expect(mine[1].state).toBe(TaskState.ERROR);
      const paged = await http().get('/DANE/task?page=1&size=2').expect(200);
      expect(paged.body).toHaveLength(2);
      expect((await http().get('/DANE/task/?size=5000').expect(400)).body.message).toMatch(/^size must be between 1 and 1000/);
    });

    it('lists the ids of the tasks in progress or errored (not 200, not 412) on the legacy /DANE/task/inprogress', async () => {
      const docId = await newDocument('T-INPROGRESS');
      const a = (await http().post('/DANE/task/').send({ document_id: docId, key: 'P1' }).expect(201)).body._id;
      const b = (await http().post('/DANE/task/').send({ document_id: docId, key: 'P2' }).expect(201)).body._id;
      const c = (await http().post('/DANE/task/').send({ document_id: docId, key: 'P3' }).expect(201)).body._id;
      await setState(a, TaskState.QUEUED);
      await setState(c, TaskState.SUCCESS);
      const res = await http().get('/DANE/task/inprogress').expect(200);
      expect(res.body.tasks).toEqual(expect.arrayContaining([a, b]));
      expect(res.body.tasks).not.toContain(c);
      expect(res.headers['x-total-count']).toBe(String(res.body.tasks.length));
      expect((await http().get('/DANE/task/inprogress?page=zero').expect(400)).body.message).toMatch(/^page must be/);
    });
  });

  describe('GET /DANE/task/<id>/<action>', () => {
    const assignInState = async (tid: string, key: string, state: number) => {
      const docId = await newDocument(tid);
      const id = (await http().post('/DANE/task/').send({ document_id: docId, key }).expect(201)).body._id as string;
      if (state !== TaskState.CREATED) await setState(id, state);
      return { docId, id };
    };

    it('retry puts a failed task back to 201 and answers the task re-read', async () => {
      const { id } = await assignInState('T-RETRY', 'ASR', TaskState.ERROR);
      const res = await http().get(`/DANE/task/${id}/retry`).expect(200);
      expect(res.body).toMatchObject({ _id: id, state: '201', msg: 'Manual retry' });
      expect(await stateOf(id)).toMatchObject({ state: '201' });
    });

    it.each([
      ['200', TaskState.SUCCESS],
      ['102', TaskState.QUEUED],
    ])('retry refuses a task in %s with 409 and a clear message, changing nothing', async (name, state) => {
      const { id } = await assignInState(`T-RETRY-REFUSED-${name}`, 'ASR', state);
      const res = await http().get(`/DANE/task/${id}/retry`).expect(409);
      expect(res.body.message).toMatch(new RegExp(`is in state ${name} .*retry refuses tasks in 102 QUEUED or 200 SUCCESS.*use forceretry`));
      expect(await stateOf(id)).toMatchObject({ state: name, msg: 'set by test' });
    });

    it('forceretry takes any state, case-insensitive, by GET or POST', async () => {
      const { id } = await assignInState('T-FORCE', 'ASR', TaskState.SUCCESS);
      expect((await http().get(`/DANE/task/${id}/ForceRetry`).expect(200)).body).toMatchObject({ state: '201', msg: 'Forced retry' });
      await setState(id, TaskState.QUEUED);
      expect((await http().post(`/DANE/task/${id}/FORCERETRY`).expect(200)).body).toMatchObject({ state: '201', msg: 'Forced retry' });
    });

    it('reset puts the task in 201 "Reset"', async () => {
      const { id } = await assignInState('T-RESET', 'ASR', TaskState.NO_ROUTE_TO_QUEUE);
      expect((await http().get(`/DANE/task/${id}/reset/`).expect(200)).body).toMatchObject({ state: '201', msg: 'Reset' });
    });

    it('answers 400 naming the allowed actions for an unknown action, changing nothing', async () => {
      const { id } = await assignInState('T-BADACTION', 'ASR', TaskState.ERROR);
      const res = await http().get(`/DANE/task/${id}/restart`).expect(400);
      expect(res.body).toEqual({ message: 'Unknown task action `restart`; allowed actions: retry, forceretry, reset' });
      expect(await stateOf(id)).toMatchObject({ state: String(TaskState.ERROR) });
    });

    it('answers 404 for an unknown task and 400 for a bad cascade flag', async () => {
      expect((await http().get('/DANE/task/nothing/retry').expect(404)).body.message).toBe('No task with id `nothing` found');
      const { id } = await assignInState('T-BADCASCADE', 'ASR', TaskState.ERROR);
      expect((await http().get(`/DANE/task/${id}/retry?cascade=maybe`).expect(400)).body.message).toMatch(/cascade must be true or false/);
      expect(await stateOf(id)).toMatchObject({ state: String(TaskState.ERROR) });
    });

    it('keeps a retried task whose dependencies are not 200 in 412', async () => {
      const docId = await newDocument('T-RETRY-DEP');
      await http().post('/DANE/task/').send({ document_id: docId, key: 'DOWNLOAD' }).expect(201);
      const asr = (
        await http()
          .post('/DANE/task/')
          .send({ document_id: docId, key: 'ASR', depends_on: ['DOWNLOAD'] })
          .expect(201)
      ).body._id;
      const res = await http().get(`/DANE/task/${asr}/forceretry`).expect(200);
      expect(res.body).toMatchObject({ state: '412', msg: 'Waiting for dependencies: DOWNLOAD' });
    });

    it('with ?cascade=true puts the dependants, transitively, back to 412', async () => {
      const docId = await newDocument('T-CASCADE');
      const a = (await http().post('/DANE/task/').send({ document_id: docId, key: 'A' }).expect(201)).body._id;
      await setState(a, TaskState.SUCCESS);
      const b = (
        await http()
          .post('/DANE/task/')
          .send({ document_id: docId, key: 'B', depends_on: ['A'] })
          .expect(201)
      ).body._id;
      await setState(b, TaskState.SUCCESS);
      const c = (
        await http()
          .post('/DANE/task/')
          .send({ document_id: docId, key: 'C', depends_on: ['B'] })
          .expect(201)
      ).body._id;
      await setState(c, TaskState.ERROR);
      const other = (await http().post('/DANE/task/').send({ document_id: docId, key: 'OTHER' }).expect(201)).body._id;
      await setState(other, TaskState.SUCCESS);

      // Without cascade the dependants stay as they are.
      await http().get(`/DANE/task/${a}/forceretry`).expect(200);
      expect(await stateOf(b)).toMatchObject({ state: '200' });
      await setState(a, TaskState.SUCCESS);

      const res = await http().get(`/DANE/task/${a}/forceretry?cascade=true`).expect(200);
      expect(res.body).toMatchObject({ state: '201', msg: 'Forced retry' });
      expect(await stateOf(b)).toMatchObject({ state: '412', msg: 'Waiting for dependencies: A' });
      expect(await stateOf(c)).toMatchObject({ state: '412', msg: 'Waiting for dependencies: B' });
      expect(await stateOf(other)).toMatchObject({ state: '200' });
    });
  });
});
