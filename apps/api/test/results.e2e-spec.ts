import { TIMESTAMP_PATTERN } from '@dane/core';
import { useApiTestApp } from '../../../test/support/api-test-app';
import { documentBody, generator } from '../../../test/support/fixtures';

describe('result routes (PGlite)', () => {
  const { http } = useApiTestApp();
  const newTask = async (tid: string, key = 'ASR', creator = 'NISV') => {
    const docId = (await http().post('/DANE/document/').send(documentBody(tid, creator)).expect(200)).body._id as string;
    const taskId = (await http().post('/DANE/task/').send({ document_id: docId, key }).expect(201)).body._id as string;
    return { docId, taskId };
  };
  const resultCount = async (taskId: string) => Number((await http().get(`/DANE/task/${taskId}/results?size=1`).expect(200)).headers['x-total-count']);

  describe('storing results', () => {
    it('POST /DANE/task/<id>/result answers 201 with the marshalled result', async () => {
      const { docId, taskId } = await newTask('R-TASKPATH');
      const res = await http()
        .post(`/DANE/task/${taskId}/result`)
        .send({ generator, payload: { transcript: 'hallo' } })
        .expect(201);
      expect(res.body).toEqual({
        _id: expect.stringMatching(/^[A-Za-z0-9_-]{20}$/),
        generator: { id: 'a1b2c3d', name: 'ASR', homepage: 'https://example.com/asr', type: 'Software' },
        payload: { transcript: 'hallo' },
        created_at: expect.stringMatching(TIMESTAMP_PATTERN),
        updated_at: expect.stringMatching(TIMESTAMP_PATTERN),
        task_id: taskId,
        document_id: docId,
        task_key: 'ASR',
      });
    });

    it('POST /DANE/result/ takes the task from task_id', async () => {
      const { taskId } = await newTask('R-BODY');
      const res = await http()
        .post('/DANE/result/')
        .send({ task_id: taskId, generator, payload: { n: 1 } })
        .expect(201);
      expect(res.body.task_id).toBe(taskId);
      const again = await http()
        .post('/DANE/result')
        .send({ task_id: taskId, generator, payload: { n: 2 } })
        .expect(201);
      expect(again.body._id).not.toBe(res.body._id);
      expect(await resultCount(taskId)).toBe(2);
    });

    it.each([
      ['no task_id', (_t: string) => ({ generator, payload: {} }), 400, /^task_id is required$/],
      ['a numeric task_id', (_t: string) => ({ task_id: 5, generator, payload: {} }), 400, /task_id must be a string/],
      ['an unknown task', (_t: string) => ({ task_id: 'ghost', generator, payload: {} }), 404, /^No task with id `ghost` found$/],
      ['no generator', (t: string) => ({ task_id: t, payload: {} }), 400, /generator is required/],
      ['a generator without name', (t: string) => ({ task_id: t, generator: { ...generator, name: '' }, payload: {} }), 400, /generator\.name is required/],
      ['a bad generator type', (t: string) => ({ task_id: t, generator: { ...generator, type: 'Robot' }, payload: {} }), 400, /generator\.type must be one of/],
      ['a payload that is a list', (t: string) => ({ task_id: t, generator, payload: [1] }), 400, /payload is required and must be a JSON object/],
      ['an unexpected key', (t: string) => ({ task_id: t, generator, payload: {}, score: 1 }), 400, /unexpected field `score`/],
      ['a list body', (t: string) => [{ task_id: t, generator, payload: {} }], 400, /must be a JSON object/],
    ])('POST /DANE/result/ with %s is refused and stores nothing', async (what, body, status, message) => {
      const { taskId } = await newTask(`R-BAD ${what}`);
      const res = await http().post('/DANE/result/').send(body(taskId)).expect(status);
      expect(res.body.message).toMatch(message);
      expect(await resultCount(taskId)).toBe(0);
    });

    it('POST /DANE/task/<id>/result refuses a body naming another task, an unknown task and malformed JSON', async () => {
      const { taskId } = await newTask('R-MISMATCH');
      const other = await http().post(`/DANE/task/${taskId}/result`).send({ task_id: 'other', generator, payload: {} }).expect(400);
      expect(other.body.message).toBe(`task_id \`other\` in the body differs from the task \`${taskId}\` of the path`);
      expect((await http().post('/DANE/task/ghost/result').send({ generator, payload: {} }).expect(404)).body.message).toBe('No task with id `ghost` found');
      const bad = await http().post(`/DANE/task/${taskId}/result`).set('Content-Type', 'application/json').send('{"generator"').expect(400);
      expect(bad.body.message).toMatch(/^Invalid JSON body/);
      expect(await resultCount(taskId)).toBe(0);
    });
  });

  describe('reading and deleting results', () => {
    it('GET /DANE/result/<id> answers the result; unknown → 404', async () => {
      const { taskId } = await newTask('R-GET');
      const saved = (
        await http()
          .post(`/DANE/task/${taskId}/result`)
          .send({ generator, payload: { x: 1 } })
          .expect(201)
      ).body;
      expect((await http().get(`/DANE/result/${saved._id}/`).expect(200)).body).toEqual(saved);
      expect((await http().get('/DANE/result/nope').expect(404)).body).toEqual({ message: 'No result with id `nope` found' });
    });

    it('DELETE /DANE/result/<id> and the legacy GET …/delete answer ""', async () => {
      const { taskId } = await newTask('R-DEL');
      const r1 = (await http().post(`/DANE/task/${taskId}/result`).send({ generator, payload: {} }).expect(201)).body._id;
      const r2 = (await http().post(`/DANE/task/${taskId}/result`).send({ generator, payload: {} }).expect(201)).body._id;
      expect((await http().delete(`/DANE/result/${r1}`).expect(200)).text).toBe('""');
      expect((await http().get(`/DANE/result/${r2}/delete`).expect(200)).text).toBe('""');
      expect(await resultCount(taskId)).toBe(0);
      expect((await http().delete(`/DANE/result/${r1}`).expect(404)).body.message).toBe(`No result with id \`${r1}\` found`);
    });

    it('deleting a task deletes its results', async () => {
      const { taskId } = await newTask('R-TASKDEL');
      const r = (await http().post(`/DANE/task/${taskId}/result`).send({ generator, payload: {} }).expect(201)).body._id;
      await http().delete(`/DANE/task/${taskId}`).expect(200);
      await http().get(`/DANE/result/${r}`).expect(404);
    });

    it('GET /DANE/task/<id>/results lists the results of a task, paged', async () => {
      const { taskId } = await newTask('R-LIST');
      for (let i = 0; i < 3; i++) await http().post(`/DANE/task/${taskId}/result`).send({ generator, payload: { i } }).expect(201);
      const res = await http().get(`/DANE/task/${taskId}/results?page=2&size=2`).expect(200);
      expect(res.headers['x-total-count']).toBe('3');
      expect(res.body.map((r: { payload: { i: number } }) => r.payload.i)).toEqual([2]);
      expect((await http().get('/DANE/task/ghost/results').expect(404)).body.message).toBe('No task with id `ghost` found');
      expect((await http().get(`/DANE/task/${taskId}/results?size=0`).expect(400)).body.message).toMatch(/^size must be between/);
    });
  });

  describe('GET /DANE/results/ and the creator routes', () => {
    let a: { docId: string; taskId: string };
    let b: { docId: string; taskId: string };
    beforeAll(async () => {
      a = await newTask('R-Q-A', 'ASR', 'BATCH-Q');
      b = await newTask('R-Q-B', 'SHOTS', 'BATCH-Q');
      await http()
        .post(`/DANE/task/${a.taskId}/result`)
        .send({ generator, payload: { which: 'a' } })
        .expect(201);
      await http()
        .post(`/DANE/task/${b.taskId}/result`)
        .send({ generator: { ...generator, id: 'zz9', name: 'shots' }, payload: { which: 'b' } })
        .expect(201);
    });

    it('filters results and answers {total, results}', async () => {
      const byKey = await http().get('/DANE/results/?creator_id=BATCH-Q&task_key=shots').expect(200);
      expect(byKey.body.total).toBe(1);
      expect(byKey.body.results[0].payload).toEqual({ which: 'b' });
      expect((await http().get(`/DANE/results?document_id=${a.docId}`).expect(200)).body.results[0].payload).toEqual({ which: 'a' });
      expect((await http().get(`/DANE/results?task_id=${b.taskId}`).expect(200)).body.total).toBe(1);
      expect((await http().get('/DANE/results?creator_id=BATCH-Q&generator_name=asr').expect(200)).body.total).toBe(1);
      expect((await http().get('/DANE/results?creator_id=BATCH-Q&generator_id=zz9').expect(200)).body.total).toBe(1);
      const paged = await http().get('/DANE/results?creator_id=BATCH-Q&size=1&page=2').expect(200);
      expect(paged.body).toMatchObject({ total: 2, results: [{ payload: { which: 'b' } }] });
    });

    it('answers 400 naming the field for repeated filters and bad paging', async () => {
      expect((await http().get('/DANE/results/?task_id=a&task_id=b').expect(400)).body.message).toBe('task_id must be a string');
      expect((await http().get('/DANE/results/?page=-2').expect(400)).body.message).toMatch(/^page must be a positive integer/);
      expect((await http().get('/DANE/results/?task_key=bad key').expect(400)).body.message).toMatch(/^task_key may only contain/);
    });

    it('lists the tasks and results of a key for a creator', async () => {
      const tasks = await http().get('/DANE/creator/BATCH-Q/asr/tasks').expect(200);
      expect(tasks.headers['x-total-count']).toBe('1');
      expect(tasks.body[0]).toMatchObject({ _id: a.taskId, state: '201' });
      const results = await http().get('/DANE/creator/BATCH-Q/SHOTS/results/').expect(200);
      expect(results.headers['x-total-count']).toBe('1');
      expect(results.body[0].payload).toEqual({ which: 'b' });
      expect((await http().get('/DANE/creator/NOBODY/ASR/results').expect(200)).body).toEqual([]);
      expect((await http().get('/DANE/creator/BATCH-Q/ASR/tasks?size=abc').expect(400)).body.message).toMatch(/^size must be/);
    });
  });
});
