import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { createSqlStore } from '@dane/core/storage/sql';
import { DaneStore } from '@dane/core';
import { createApiTestApp } from '../../../test/support/api-test-app';
import { documentBody, generator } from '../../../test/support/fixtures';

/** `{"a": {"a": … "leaf"}}` with `depth` objects. */
function nested(depth: number): unknown {
  let v: unknown = 'leaf';
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
}

/** The LIMITS section: what the fuzzer's random bodies run into, field by field, with messages that name the field. */
describe('input limits (LIMITS section)', () => {
  let store: DaneStore;
  let app: INestApplication;
  let docId: string;
  let taskId: string;
  const http = () => request(app.getHttpServer());
  const counts = async () => {
    const all = { page: 1, size: 1 };
    return [(await store.documents.search({}, all)).total, (await store.tasks.list({}, all)).total, (await store.results.find({}, all)).total];
  };

  beforeAll(async () => {
    store = await createSqlStore({ kind: 'pglite' });
    app = await createApiTestApp(store, { env: { DANE_LIMITS__MAX_PAYLOAD_BYTES: '2048', DANE_LIMITS__MAX_ARGS_BYTES: '1024', DANE_LIMITS__MAX_BULK_ITEMS: '5' } });
    docId = (await http().post('/DANE/document/').send(documentBody('LIMITS-1')).expect(200)).body._id;
    taskId = (await http().post('/DANE/task/').send({ document_id: docId, key: 'ASR' }).expect(201)).body._id;
  });
  afterAll(async () => {
    await app.close();
    await store.close();
  });

  const refused = async (method: 'post', path: string, body: unknown, message: RegExp | string) => {
    const before = await counts();
    const res = await http()
      [method](path)
      .send(body as object)
      .expect(400);
    if (typeof message === 'string') expect(res.body).toEqual({ message });
    else expect(res.body.message).toMatch(message);
    expect(await counts()).toEqual(before);
  };

  it('refuses ids, urls and types over their length, naming the field', async () => {
    await refused('post', '/DANE/document/', documentBody('x'.repeat(1025)), 'target.id is 1025 characters long; at most 1024 are accepted (LIMITS.MAX_ID_LENGTH)');
    await refused('post', '/DANE/document/', documentBody('LONG-URL', 'NISV', 'http://x/' + 'u'.repeat(9000)), /^target\.url is 9009 characters long; at most 8192/);
    await refused('post', '/DANE/document/', documentBody('LONG-CREATOR', 'c'.repeat(2000)), /^creator\.id is 2000 characters long/);
    await refused('post', '/DANE/document/', { ...documentBody('LONG-TYPE'), creator: { id: 'NISV', type: 'T'.repeat(500) } }, /^creator\.type is 500 characters long/);
  });

  it('names the element of a bulk registration, objects and JSON strings alike, and limits the list length', async () => {
    await refused('post', '/DANE/documents/', [documentBody('BULK-1'), documentBody('i'.repeat(1100))], /^\[1\]\.target\.id is 1100 characters long/);
    await refused('post', '/DANE/documents/', [JSON.stringify(documentBody('BULK-2', 'NISV', 'http://x/' + 'u'.repeat(9000)))], /^\[0\]\.target\.url is/);
    await refused(
      'post',
      '/DANE/documents/',
      Array.from({ length: 6 }, (_, i) => documentBody(`BULK-N-${i}`)),
      'the document list has 6 elements; at most 5 are accepted (LIMITS.MAX_BULK_ITEMS)',
    );
  });

  it('refuses task keys, ids, depends_on and msg over their length', async () => {
    await refused('post', '/DANE/task/', { document_id: docId, key: 'K'.repeat(129) }, 'key is 129 characters long; at most 128 are accepted (LIMITS.MAX_KEY_LENGTH)');
    await refused('post', '/DANE/task/', { document_id: docId, task: { key: 'K'.repeat(200) } }, /^task\.key is 200 characters long/);
    await refused('post', '/DANE/task/', { document_id: 'd'.repeat(2000), key: 'ASR2' }, /^document_id is 2000 characters long/);
    await refused('post', '/DANE/task/', { document_id: [docId, 'd'.repeat(2000)], key: 'ASR2' }, /^document_id\[1\] is 2000 characters long/);
    await refused('post', '/DANE/task/', { document_id: Array(6).fill(docId), key: 'ASR2' }, /^document_id has 6 elements; at most 5/);
    await refused('post', '/DANE/task/', { document_id: docId, key: 'ASR2', depends_on: ['D'.repeat(300)] }, /^depends_on\[0\] is 300 characters long/);
    await refused('post', '/DANE/task/', { document_id: docId, key: 'ASR2', msg: 'm'.repeat(9000) }, /^msg is 9000 characters long; at most 8192/);
  });

  it('refuses args nested deeper than 10 levels or bigger than LIMITS.MAX_ARGS_BYTES, and takes 10 levels', async () => {
    await refused('post', '/DANE/task/', { document_id: docId, key: 'DEEP', args: nested(11) }, 'args is nested more than 10 levels deep (LIMITS.MAX_JSON_DEPTH is 10)');
    await refused('post', '/DANE/task/', { document_id: docId, key: 'DEEP', extra: nested(10) }, /^args\.extra is nested more than 9 levels deep/);
    await refused(
      'post',
      '/DANE/task/',
      { document_id: docId, key: 'BIG', args: { text: 'a'.repeat(2000) } },
      /^args take \d+ bytes of JSON; at most 1024 are accepted \(LIMITS\.MAX_ARGS_BYTES\)$/,
    );
    await http()
      .post('/DANE/task/')
      .send({ document_id: docId, key: 'DEEP', args: nested(10) })
      .expect(201);
  });

  it('refuses result payloads nested too deep or too big, and generator fields too long', async () => {
    await refused('post', `/DANE/task/${taskId}/result`, { generator, payload: nested(11) }, 'payload is nested more than 10 levels deep (LIMITS.MAX_JSON_DEPTH is 10)');
    await refused(
      'post',
      '/DANE/result/',
      { task_id: taskId, generator, payload: { text: 'p'.repeat(3000) } },
      /^payload takes \d+ bytes of JSON; at most 2048 are accepted \(LIMITS\.MAX_PAYLOAD_BYTES\)$/,
    );
    await refused('post', '/DANE/result/', { task_id: taskId, generator: { ...generator, name: 'n'.repeat(200) }, payload: {} }, /^generator\.name is 200 characters long/);
    await refused('post', '/DANE/result/', { task_id: 't'.repeat(2000), generator, payload: {} }, /^task_id is 2000 characters long/);
    await http()
      .post(`/DANE/task/${taskId}/result`)
      .send({ generator, payload: nested(10) })
      .expect(201);
  });

  it('refuses any body nested past the limit, on every route, before a handler sees it', async () => {
    const res = await http()
      .post(`/DANE/task/${taskId}/retry`)
      .send(nested(40) as object)
      .expect(400);
    expect(res.body.message).toMatch(/^The request body is nested more than 12 levels deep/);
    const raw = await http()
      .post('/DANE/document/')
      .set('Content-Type', 'application/json')
      .send('['.repeat(200_000) + ']'.repeat(200_000));
    expect(raw.status).toBeGreaterThanOrEqual(400);
    expect(raw.status).toBeLessThan(500);
  });

  it('refuses query parameters that a fixed-shape route does not know (forbidNonWhitelisted)', async () => {
    const res = await http().get('/DANE/search/document/?target_id=*&bogus=1').expect(400);
    expect(res.body.message).toBe('property bogus should not exist');
    await http().get('/DANE/results/?task_key=ASR&page=1&size=10').expect(200);
    await http().get(`/DANE/task/${taskId}/results?page=1&size=5`).expect(200);
  });
});
