import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { createSqlStore } from '@dane/core/storage/sql';
import { testSchema } from '@dane/core/storage/sql/postgres-test-db';
import { DaneStore, TaskState } from '@dane/core';
import { createApiTestApp } from '../../../test/support/api-test-app';
import { documentBody, generator, sha1 } from '../../../test/support/fixtures';

// Real PostgreSQL (postgres://postgres@127.0.0.1:5432/test, DANE_TEST_POSTGRES_URL overrides), in a fresh schema.
describe('the API on PostgreSQL', () => {
  const schema = testSchema('api');
  let store: DaneStore;
  let app: INestApplication;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    await schema.create();
    store = await createSqlStore({ kind: 'postgres', url: schema.url });
    app = await createApiTestApp(store);
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
    await schema.drop();
  });

  it('is ready with the database up', async () => {
    expect(store.kind).toBe('postgres');
    expect((await http().get('/ready').expect(200)).body).toEqual({ database: '200 OK', messagequeue: 'not connected' });
  });

  it('registers documents one by one and in bulk, with the original ids and 409 texts', async () => {
    const one = await http().post('/DANE/document/').send(documentBody('PG-1')).expect(200);
    expect(one.body._id).toBe(sha1('PG-1NISV'));
    expect((await http().post('/DANE/document').send(documentBody('PG-1')).expect(409)).body.message).toBe(
      'A document with target.id `PG-1`, and creator.id `NISV` already exists',
    );
    const bulk = await http()
      .post('/DANE/documents/')
      .send([documentBody('PG-2'), JSON.stringify(documentBody('PG-3')), documentBody('PG-1'), { bad: true }])
      .expect(200);
    expect(bulk.body.success.map((d: { _id: string }) => d._id)).toEqual([sha1('PG-2NISV'), sha1('PG-3NISV')]);
    expect(bulk.body.failed.map((f: { index: number }) => f.index)).toEqual([2, 3]);
    const search = await http().get('/DANE/search/document/?target_id=PG-*&creator_id=NISV&size=2').expect(200);
    expect(search.body.total).toBe(3);
    expect(search.body.hits).toHaveLength(2);
  });

  it('assigns tasks with dependencies, applies actions and cascades, and refuses bad input without change', async () => {
    const docId = sha1('PG-1NISV');
    const dl = (await http().post('/DANE/task/').send({ document_id: docId, key: 'download' }).expect(201)).body;
    expect(dl).toMatchObject({ _id: sha1(docId + 'DOWNLOAD'), state: '201' });
    const asr = (
      await http()
        .post('/DANE/task/')
        .send({ document_id: docId, key: 'ASR', depends_on: ['DOWNLOAD'] })
        .expect(201)
    ).body;
    expect(asr).toMatchObject({ state: '412', msg: 'Waiting for dependencies: DOWNLOAD' });
    expect((await http().post('/DANE/task/').send({ document_id: docId, key: 'asr' }).expect(409)).body.message).toBe(`Task \`ASR\` already assigned to document \`${docId}\``);
    expect((await http().post('/DANE/task/').send({ key: 'X' }).expect(400)).body.message).toBe('document_id is required');
    expect((await http().get(`/DANE/document/${docId}/tasks`).expect(200)).headers['x-total-count']).toBe('2');

    // The dependency succeeds: the store releases the waiting task.
    await store.tasks.transition({ id: dl._id, from: [TaskState.CREATED], to: TaskState.SUCCESS, msg: 'Success' });
    await store.tasks.releaseDependants([docId]);
    expect((await http().get(`/DANE/task/${asr._id}`).expect(200)).body.state).toBe('201');
    await store.tasks.transition({ id: asr._id, from: [TaskState.CREATED], to: TaskState.SUCCESS, msg: 'Success' });

    expect((await http().get(`/DANE/task/${dl._id}/retry`).expect(409)).body.message).toMatch(/retry refuses tasks in 102 QUEUED or 200 SUCCESS/);
    expect((await http().get(`/DANE/task/${dl._id}/forceretry?cascade=true`).expect(200)).body).toMatchObject({ state: '201', msg: 'Forced retry' });
    expect((await http().get(`/DANE/task/${asr._id}`).expect(200)).body).toMatchObject({ state: '412', msg: 'Waiting for dependencies: DOWNLOAD' });
    expect((await http().get(`/DANE/task/${dl._id}/Reset`).expect(200)).body).toMatchObject({ state: '201', msg: 'Reset' });
    expect((await http().get(`/DANE/task/${dl._id}/jump`).expect(400)).body.message).toMatch(/allowed actions: retry, forceretry, reset/);

    const many = await http()
      .post('/DANE/task/')
      .send({ document_id: [sha1('PG-2NISV'), sha1('PG-3NISV'), 'nope'], key: 'SHOTS' })
      .expect(200);
    expect(many.body.success).toHaveLength(2);
    expect(many.body.failed).toEqual([{ document_id: 'nope', error: "[404] 'No document with id `nope` found'" }]);
    const unfinished = await http().get('/DANE/task/?size=10').expect(200);
    expect(unfinished.headers['x-total-count']).toBe('3');
    expect(unfinished.body.every((t: { state: unknown }) => typeof t.state === 'number')).toBe(true);
  });

  it('stores, finds and deletes results, and mass-resets a key', async () => {
    const docId = sha1('PG-2NISV');
    const taskId = sha1(docId + 'SHOTS');
    const saved = (
      await http()
        .post(`/DANE/task/${taskId}/result`)
        .send({ generator, payload: { shots: [1, 2] } })
        .expect(201)
    ).body;
    expect((await http().get(`/DANE/result/${saved._id}`).expect(200)).body.payload).toEqual({ shots: [1, 2] });
    expect((await http().get('/DANE/results/?creator_id=NISV&task_key=shots').expect(200)).body.total).toBe(1);
    expect((await http().get('/DANE/creator/NISV/SHOTS/results').expect(200)).headers['x-total-count']).toBe('1');
    expect((await http().delete(`/DANE/result/${saved._id}`).expect(200)).text).toBe('""');

    await store.tasks.transition({ id: taskId, from: [TaskState.CREATED], to: TaskState.ERROR, msg: 'Error' });
    expect((await http().get('/DANE/workers/SHOTS').expect(200)).body.total).toBe(1);
    expect((await http().get('/DANE/workers/shots/reset').expect(200)).body).toEqual({ total: 1, error: '' });
    expect((await http().get(`/DANE/task/${taskId}`).expect(200)).body).toMatchObject({ state: '205', msg: 'Manual reset' });
  });

  it('deletes documents with their tasks', async () => {
    const docId = sha1('PG-3NISV');
    expect((await http().delete(`/DANE/documents/?docs=${docId},missing`).expect(200)).headers['x-deleted-count']).toBe('1');
    await http()
      .get(`/DANE/task/${sha1(docId + 'SHOTS')}`)
      .expect(404);
    expect(
      (
        await http()
          .get(`/DANE/document//${sha1('PG-1NISV')}/delete`)
          .expect(200)
      ).text,
    ).toBe('""');
  });
});
