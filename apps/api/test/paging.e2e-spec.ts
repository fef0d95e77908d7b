import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { encodeCursor } from '@dane/protocol';
import { migrate, SqlStore } from '@dane/core/storage/sql';
import { PgliteSqlClient } from '@dane/core/storage/sql/pglite-client';
import { TaskState } from '@dane/core';
import { createApiTestApp, useApiTestApp } from '../../../test/support/api-test-app';
import { documentBody, generator, sha1 } from '../../../test/support/fixtures';

/** The `rel="next"` target of a Link header (RFC 8288), or undefined. */
function nextLink(header: string | undefined): string | undefined {
  return header?.match(/^<([^>]*)>; rel="next"$/)?.[1];
}

/** Paging of the lists by cursor and Link header, page numbers for the original clients, totals (docs/protocol.md, Conventions). */
describe('list paging over HTTP (PGlite)', () => {
  const api = useApiTestApp();
  const { http } = api;
  const newDocument = async (tid: string, cid = 'PAGING') => (await http().post('/DANE/document/').send(documentBody(tid, cid)).expect(200)).body._id as string;

  /** Follows Link headers from `first` to the end; `between(n)` runs after page n. */
  async function follow(first: string, between: (n: number) => Promise<void> = async () => undefined) {
    const pages: { body: unknown; headers: Record<string, string> }[] = [];
    let url: string | undefined = first;
    while (url !== undefined) {
      const res = await http().get(url).expect(200);
      pages.push({ body: res.body, headers: res.headers });
      url = nextLink(res.headers.link);
      if (url !== undefined) await between(pages.length);
      if (pages.length > 100) throw new Error('the walk did not end');
    }
    return pages;
  }

  it('walks GET /DANE/task/ by following Link while tasks come and go: every task once, new ones at the end', async () => {
    const docs = [];
    for (let i = 0; i < 4; i++) docs.push(await newDocument(`PG-WALK-${i}`));
    await http().post('/DANE/task/').send({ document_id: docs, key: 'WALKA' }).expect(200);
    await http().post('/DANE/task/').send({ document_id: docs, key: 'WALKB' }).expect(200);
    const before = (await http().get('/DANE/task/?size=1000').expect(200)).body.map((t: { _id: string }) => t._id) as string[];
    expect(before.length).toBeGreaterThanOrEqual(8);
    const late = await newDocument('PG-WALK-LATE');
    const pages = await follow('/DANE/task/?size=3', async (n) => {
      if (n === 1) {
        await http().delete(`/DANE/task/${before[0]}`).expect(200); // already read: OFFSET paging would now skip one
        await http().post('/DANE/task/').send({ document_id: late, key: 'WALKA' }).expect(201);
      }
    });
    const ids = pages.flatMap((p) => (p.body as { _id: string }[]).map((t) => t._id));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual([...before, sha1(late + 'WALKA')]);
    // The first page has a number, the ones read by cursor do not; every page has its size and a total.
    expect(pages[0].headers['x-page']).toBe('1');
    expect(pages[1].headers).not.toHaveProperty('x-page');
    for (const p of pages) {
      expect(p.headers['x-page-size']).toBe('3');
      expect(p.headers['x-total-count']).toMatch(/^\d+$/);
      expect(p.headers['x-total-count-estimated']).toBe('false');
    }
    expect(pages[pages.length - 1].headers).not.toHaveProperty('link');
  });

  it('keeps the filters in the Link, replaces page with cursor, and serves the {total, …} lists the same way', async () => {
    const doc = await newDocument('PG-RESULTS');
    const task = (await http().post('/DANE/task/').send({ document_id: doc, key: 'PGRES' }).expect(201)).body._id as string;
    for (let i = 0; i < 3; i++)
      await http()
        .post(`/DANE/task/${task}/result`)
        .send({ generator, payload: { n: i } })
        .expect(201);
    const first = await http().get(`/DANE/results/?task_key=pgres&document_id=${doc}&page=1&size=2`).expect(200);
    expect(first.body.total).toBe(3);
    expect(first.headers['x-total-count']).toBe('3');
    const link = nextLink(first.headers.link)!;
    const url = new URL(link, 'http://x');
    expect(url.pathname).toBe('/DANE/results/');
    expect(Object.fromEntries(url.searchParams)).toEqual({ task_key: 'pgres', document_id: doc, cursor: expect.any(String), size: '2' });
    const second = await http().get(link).expect(200);
    expect(second.body.results.map((r: { payload: { n: number } }) => r.payload.n)).toEqual([2]);
    expect(second.body.total).toBe(3);
    expect(second.headers).not.toHaveProperty('link');

    const walked = await follow('/DANE/search/document/?creator_id=PAGING&target_id=PG-WALK-*&size=2');
    expect(walked.flatMap((p) => (p.body as { hits: { target: { id: string } }[] }).hits.map((d) => d.target.id))).toEqual([
      'PG-WALK-0',
      'PG-WALK-1',
      'PG-WALK-2',
      'PG-WALK-3',
      'PG-WALK-LATE',
    ]);
    const docsOfCreator = await follow('/DANE/creator/PAGING/docs?size=4');
    expect(docsOfCreator.flatMap((p) => p.body as unknown[]).length).toBe(Number(docsOfCreator[0].headers['x-total-count']));
    const resultsOfTask = await follow(`/DANE/task/${task}/results?size=1`);
    expect(resultsOfTask.map((p) => (p.body as { payload: { n: number } }[]).map((r) => r.payload.n))).toEqual([[0], [1], [2]]);
  });

  it('serves Link on every list that takes a cursor, and none when everything fit', async () => {
    const doc = await newDocument('PG-EVERY', 'PGEVERY');
    for (const key of ['EA', 'EB', 'EC']) await http().post('/DANE/task/').send({ document_id: doc, key }).expect(201);
    const task = sha1(doc + 'EA');
    await api.store.tasks.transition({ id: task, from: [TaskState.CREATED], to: TaskState.ERROR, msg: 'boom' });
    await api.store.tasks.transition({ id: sha1(doc + 'EB'), from: [TaskState.CREATED], to: TaskState.QUEUED, msg: 'Queued' });
    await api.store.tasks.transition({ id: sha1(doc + 'EC'), from: [TaskState.CREATED], to: TaskState.ERROR, msg: 'boom' });
    const other = (
      await http()
        .post('/DANE/task/')
        .send({ document_id: await newDocument('PG-EVERY-2', 'PGEVERY'), key: 'EA' })
        .expect(201)
    ).body._id;
    await api.store.tasks.transition({ id: other, from: [TaskState.CREATED], to: TaskState.QUEUED, msg: 'Queued' });
    for (const path of [
      `/DANE/document/${doc}/tasks`,
      '/DANE/document/search/PG-EVERY*/PGEVERY',
      '/DANE/creator/PGEVERY/docs',
      '/DANE/creator/PGEVERY/EA/tasks',
      '/DANE/task/inprogress',
      '/DANE/task/',
    ]) {
      const res = await http().get(`${path}?size=1`).expect(200);
      expect({ path, link: nextLink(res.headers.link) }).toEqual({ path, link: expect.stringMatching(/[?&]cursor=[A-Za-z0-9_-]+&size=1$/) });
      await http().get(nextLink(res.headers.link)!).expect(200);
    }
    const errored = await http().get('/DANE/workers/ea?size=1').expect(200);
    expect(errored.body.tasks).toHaveLength(1);
    expect(nextLink(errored.headers.link)).toBeUndefined();
    expect(errored.headers['x-total-count']).toBe(String(errored.body.total));
    expect((await http().get(`/DANE/document/${doc}/tasks`).expect(200)).headers).not.toHaveProperty('link');
  });

  it('keeps ?page=&size= as the original clients page: same items, X-Page, exact totals', async () => {
    const doc = await newDocument('PG-NUMBERED');
    const keys = ['N1', 'N2', 'N3', 'N4', 'N5'];
    for (const key of keys) await http().post('/DANE/task/').send({ document_id: doc, key }).expect(201);
    const page2 = await http().get(`/DANE/document/${doc}/tasks?page=2&size=2`).expect(200);
    expect(page2.body.map((t: { key: string }) => t.key)).toEqual(['N3', 'N4']);
    expect(page2.headers).toMatchObject({ 'x-total-count': '5', 'x-total-count-estimated': 'false', 'x-page': '2', 'x-page-size': '2' });
    // Its Link continues where page 2 ends, as page 3 would.
    const page3 = await http().get(nextLink(page2.headers.link)!).expect(200);
    expect(page3.body.map((t: { key: string }) => t.key)).toEqual(['N5']);
    expect((await http().get(`/DANE/document/${doc}/tasks?page=3&size=2&cursor=`).expect(200)).body.map((t: { key: string }) => t.key)).toEqual(['N5']);
  });

  describe('a bad cursor is a 400 naming `cursor`, never a 500', () => {
    const routes = [
      '/DANE/task/',
      '/DANE/task/inprogress',
      '/DANE/results/',
      '/DANE/search/document/',
      '/DANE/creator/X/docs',
      '/DANE/creator/X/ASR/tasks',
      '/DANE/creator/X/ASR/results',
      '/DANE/workers/ASR',
      '/DANE/document/search/*/*',
    ];
    it.each(routes)('%s', async (route) => {
      for (const cursor of ['%21%21', 'bm9wZQ', Buffer.from('{"a":1}').toString('base64url'), 'A'.repeat(300), encodeCursor('tasks', [1, 2])]) {
        const res = await http().get(`${route}?cursor=${cursor}`).expect(400);
        expect(res.body.message).toMatch(/^cursor /);
      }
    });

    it('names another list`s cursor, a repeated one, and one given with page', async () => {
      expect(
        (
          await http()
            .get(`/DANE/task/?cursor=${encodeCursor('documents', [3])}`)
            .expect(400)
        ).body.message,
      ).toMatch(/^cursor belongs to another kind of list \(this one lists tasks\)/);
      expect(
        (
          await http()
            .get(`/DANE/results/?cursor=${encodeCursor('tasks', [3])}`)
            .expect(400)
        ).body.message,
      ).toMatch(/^cursor belongs to another kind of list/);
      expect((await http().get(`/DANE/task/?cursor=a&cursor=b`).expect(400)).body.message).toMatch(/^cursor must be a string/);
      expect(
        (
          await http()
            .get(`/DANE/task/?page=2&cursor=${encodeCursor('tasks', [3])}`)
            .expect(400)
        ).body.message,
      ).toBe('cursor and page exclude each other: follow the Link header (rel="next"), which carries only cursor and size');
    });

    it('is an unknown parameter on lists that do not page by cursor', async () => {
      expect((await http().get('/DANE/keys/?cursor=abc').expect(400)).body.message).toMatch(/cursor/);
    });
  });

  it('documents cursor, Link and the estimate flag in the OpenAPI document', async () => {
    const spec = (await http().get('/DANE/swagger.json').expect(200)).body;
    for (const path of ['/DANE/task', '/DANE/results', '/DANE/search/document', '/DANE/creator/{creator_id}/docs', '/DANE/workers/{task_key}', '/DANE/document/{id}/tasks']) {
      const get = spec.paths[path].get;
      expect({ path, params: get.parameters.map((p: { name: string }) => p.name) }).toEqual({ path, params: expect.arrayContaining(['page', 'size', 'cursor']) });
      expect({ path, headers: Object.keys(get.responses['200'].headers ?? {}) }).toEqual({
        path,
        headers: expect.arrayContaining(['X-Total-Count', 'X-Total-Count-Estimated', 'Link']),
      });
    }
  });
});

describe('estimated totals over HTTP (PGlite counting exactly up to 3 items)', () => {
  let store: SqlStore;
  let app: INestApplication;
  beforeAll(async () => {
    const client = await PgliteSqlClient.open();
    await migrate(client);
    store = new SqlStore('pglite', client, 'test', { exactTotalLimit: 3 });
    app = await createApiTestApp(store);
  });
  afterAll(async () => {
    await app.close();
    await store.close();
  });

  it('marks an estimated X-Total-Count, and makes it exact on the last page by number', async () => {
    const http = () => request(app.getHttpServer());
    for (let i = 0; i < 6; i++)
      await http()
        .post('/DANE/document/')
        .send(documentBody(`PG-EST-${i}`, 'ESTIMATOR'))
        .expect(200);
    const first = await http().get('/DANE/creator/ESTIMATOR/docs?size=2').expect(200);
    expect(first.headers['x-total-count-estimated']).toBe('true');
    expect(Number(first.headers['x-total-count'])).toBeGreaterThanOrEqual(3);
    const search = await http().get('/DANE/search/document/?creator_id=ESTIMATOR&size=2').expect(200);
    expect(search.headers['x-total-count-estimated']).toBe('true');
    expect(String(search.body.total)).toBe(search.headers['x-total-count']);
    const last = await http().get('/DANE/creator/ESTIMATOR/docs?page=3&size=2').expect(200);
    expect(last.headers).toMatchObject({ 'x-total-count': '6', 'x-total-count-estimated': 'false' });
    const small = await http().get('/DANE/creator/ESTIMATOR/docs?size=10').expect(200);
    expect(small.headers).toMatchObject({ 'x-total-count': '6', 'x-total-count-estimated': 'false' });
  });
});
