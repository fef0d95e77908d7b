import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { createSqlStore } from '@dane/core/storage/sql';
import { testSchema } from '@dane/core/storage/sql/postgres-test-db';
import { DaneStore, TaskState } from '@dane/core';
import { encodeCursor } from '@dane/protocol';
import { createApiTestApp } from '../../../test/support/api-test-app';
import { documentBody, sha1 } from '../../../test/support/fixtures';

/**
 * The two routes of the DANE-server seed as it words them (issue 13, item 3; docs/protocol.md, Legacy routes),
 * on real PostgreSQL in a fresh schema: `GET /DANE/search/<target_id>/<creator_id>` answers the original's
 * `{"documents": [ids]}` and `GET /DANE/task/inprogress` the original's `{"tasks": [ids]}` of every task not in 200
 * or 412 — in progress, or errored. Both page like every list (page/size, cursor, Link, X-Total-Count).
 */
describe('the seed routes /DANE/search/<target_id>/<creator_id> and /DANE/task/inprogress (PostgreSQL)', () => {
  const schema = testSchema('seedroutes');
  let store: DaneStore;
  let app: INestApplication;
  const http = () => request(app.getHttpServer());
  const register = async (tid: string, cid: string) => (await http().post('/DANE/document/').send(documentBody(tid, cid)).expect(200)).body._id as string;
  const linkOf = (header: string | undefined) => header?.match(/^<([^>]+)>; rel="next"$/)?.[1];

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

  describe('GET /DANE/search/<target_id>/<creator_id>', () => {
    let ids: Record<string, string>;
    beforeAll(async () => {
      ids = {};
      for (const [tid, cid] of [
        ['SEED-1', 'SEEDER'],
        ['SEED-2', 'SEEDER'],
        ['SEED-3', 'SEEDER'],
        ['SEED-1', 'OTHER'],
        ['SEED-10', 'SEEDER'],
      ])
        ids[`${tid}/${cid}`] = await register(tid, cid);
    });

    it('answers {"documents": [ids]} of the document with that target id and creator id (was 404)', async () => {
      const res = await http().get('/DANE/search/SEED-1/SEEDER').expect(200);
      expect(res.body).toEqual({ documents: [sha1('SEED-1SEEDER')] });
      expect(res.body.documents).toEqual([ids['SEED-1/SEEDER']]);
      expect(res.headers).toMatchObject({ 'x-total-count': '1', 'x-total-count-estimated': 'false', 'x-page': '1', 'x-page-size': '100' });
      expect(res.headers).not.toHaveProperty('link');
      expect((await http().get('/DANE/search/SEED-1/OTHER').expect(200)).body).toEqual({ documents: [ids['SEED-1/OTHER']] });
    });

    it('answers an empty list, not 404, when nothing matches', async () => {
      const res = await http().get('/DANE/search/SEED-1/NOBODY').expect(200);
      expect(res.body).toEqual({ documents: [] });
      expect(res.headers['x-total-count']).toBe('0');
    });

    it('takes the wildcards of the other search routes, oldest first, and pages by number and by cursor following Link', async () => {
      const all = await http().get('/DANE/search/SEED-*/SEEDER').expect(200);
      const expected = [ids['SEED-1/SEEDER'], ids['SEED-2/SEEDER'], ids['SEED-3/SEEDER'], ids['SEED-10/SEEDER']];
      expect(all.body).toEqual({ documents: expected });
      expect((await http().get('/DANE/search/SEED-%3F/SEEDER').expect(200)).body.documents).toEqual(expected.slice(0, 3));

      const page2 = await http().get('/DANE/search/SEED-*/SEEDER?page=2&size=3').expect(200);
      expect(page2.body).toEqual({ documents: [ids['SEED-10/SEEDER']] });
      expect(page2.headers).toMatchObject({ 'x-total-count': '4', 'x-page': '2', 'x-page-size': '3' });

      const walked: string[] = [];
      let next: string | undefined = '/DANE/search/SEED-*/SEEDER?size=3';
      for (let pages = 0; next !== undefined; pages++) {
        expect(pages).toBeLessThan(3);
        const res = await http().get(next).expect(200);
        walked.push(...(res.body.documents as string[]));
        expect(res.headers['x-total-count']).toBe('4');
        next = linkOf(res.headers.link);
        if (next !== undefined) expect(next).toMatch(/^\/DANE\/search\/SEED-\*\/SEEDER\?cursor=[A-Za-z0-9_-]+&size=3$/);
      }
      expect(walked).toEqual(expected);
    });

    it('answers 400 for bad paging and a cursor of another list, and leaves /DANE/search/document/ as it was', async () => {
      expect((await http().get('/DANE/search/SEED-1/SEEDER?size=0').expect(400)).body.message).toMatch(/^size must be between 1 and 1000/);
      expect((await http().get('/DANE/search/SEED-1/SEEDER?cursor=bm9wZQ').expect(400)).body.message).toMatch(/^cursor /);
      expect(
        (
          await http()
            .get(`/DANE/search/SEED-1/SEEDER?cursor=${encodeCursor('tasks', [1])}`)
            .expect(400)
        ).body.message,
      ).toMatch(/^cursor belongs to another kind of list/);
      expect((await http().get('/DANE/search/document/?target_id=SEED-1&creator_id=SEEDER').expect(200)).body).toMatchObject({ total: 1, hits: [{ _id: ids['SEED-1/SEEDER'] }] });
    });
  });

  describe('GET /DANE/task/inprogress', () => {
    it('answers {"tasks": [ids]} of the in-progress tasks or tasks which have errored: every task not in 200 or 412 (was only 102)', async () => {
      const doc = await register('INPROG', 'SEEDER');
      const states: Array<[string, number]> = [
        ['QUEUED', TaskState.QUEUED],
        ['CREATED', TaskState.CREATED],
        ['DONE', TaskState.SUCCESS],
        ['WAITING', TaskState.UNFINISHED_DEPENDENCY],
        ['ERRORED', TaskState.ERROR],
        ['PROXY', TaskState.ERROR_PROXY],
        ['NOTFOUND', TaskState.NOT_FOUND],
      ];
      for (const [key, state] of states) {
        const id = (await http().post('/DANE/task/').send({ document_id: doc, key }).expect(201)).body._id as string;
        if (state !== TaskState.CREATED) expect(await store.tasks.transition({ id, from: [TaskState.CREATED], to: state, msg: 'set by test' })).not.toBeNull();
      }
      const res = await http().get('/DANE/task/inprogress').expect(200);
      expect(Object.keys(res.body)).toEqual(['tasks']);
      expect(res.body.tasks).toEqual(['QUEUED', 'CREATED', 'ERRORED', 'PROXY', 'NOTFOUND'].map((k) => sha1(doc + k)));
      expect(res.headers).toMatchObject({ 'x-total-count': '5', 'x-total-count-estimated': 'false', 'x-page': '1' });
      // The same set as GET /DANE/task/, which answers the tasks themselves.
      expect((await http().get('/DANE/task/').expect(200)).body.map((t: { _id: string }) => t._id)).toEqual(res.body.tasks);

      const second = await http().get('/DANE/task/inprogress?page=2&size=2').expect(200);
      expect(second.body.tasks).toEqual(res.body.tasks.slice(2, 4));
      const walked: string[] = [];
      let next: string | undefined = '/DANE/task/inprogress?size=2';
      while (next !== undefined) {
        const page = await http().get(next).expect(200);
        walked.push(...(page.body.tasks as string[]));
        next = linkOf(page.headers.link);
      }
      expect(walked).toEqual(res.body.tasks);
    });
  });

  it('documents both in the OpenAPI document, with their answers and paging headers', async () => {
    const doc = (await http().get('/DANE/swagger.json').expect(200)).body;
    const search = doc.paths['/DANE/search/{target_id}/{creator_id}']?.get;
    expect(search).toBeDefined();
    expect(search.parameters.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['target_id', 'creator_id', 'page', 'size', 'cursor']));
    expect(search.responses['200'].content['application/json'].schema.$ref).toBe('#/components/schemas/DocumentIdsDto');
    expect(Object.keys(search.responses['200'].headers)).toEqual(expect.arrayContaining(['X-Total-Count', 'Link']));
    expect(doc.components.schemas.DocumentIdsDto.properties.documents).toMatchObject({ type: 'array', items: { type: 'string' } });
    const inprogress = doc.paths['/DANE/task/inprogress'].get;
    expect(inprogress.summary).toMatch(/errored/);
    expect(inprogress.responses['200'].content['application/json'].schema.$ref).toBe('#/components/schemas/InProgressDto');
    expect(Object.keys(inprogress.responses['200'].headers)).toEqual(expect.arrayContaining(['X-Total-Count', 'Link']));
  });
});
