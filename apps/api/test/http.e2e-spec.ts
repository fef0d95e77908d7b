import { useApiTestApp } from '../../../test/support/api-test-app';
import { documentBody, generator } from '../../../test/support/fixtures';

const MAX_BODY_BYTES = 4096;

describe('http behaviour of the API (PGlite)', () => {
  const { http } = useApiTestApp({ env: { DANE_DANE__MAX_BODY_BYTES: String(MAX_BODY_BYTES) } });
  const documentCount = async () => (await http().get('/DANE/search/document/?size=1').expect(200)).body.total as number;

  describe('request bodies', () => {
    it('answers 413 for a body over DANE.MAX_BODY_BYTES, whatever the Content-Type, storing nothing', async () => {
      const big = { ...documentBody('BIG'), target: { id: 'BIG', url: 'http://x/' + 'a'.repeat(MAX_BODY_BYTES), type: 'Video' } };
      const before = await documentCount();
      for (const type of ['application/json', 'text/plain']) {
        const res = await http().post('/DANE/document/').set('Content-Type', type).send(JSON.stringify(big)).expect(413);
        expect(res.body).toEqual({ message: `Request body too large: at most ${MAX_BODY_BYTES} bytes are accepted (DANE.MAX_BODY_BYTES)` });
      }
      const bulk = await http()
        .post('/DANE/documents/')
        .send(Array.from({ length: 50 }, (_, i) => documentBody(`BIG-${i}`)))
        .expect(413);
      expect(bulk.body.message).toMatch(/^Request body too large/);
      expect(await documentCount()).toBe(before);
    });

    it('accepts a body just under the limit', async () => {
      const body = JSON.stringify(documentBody('NEAR-LIMIT', 'NISV', 'http://x/' + 'b'.repeat(MAX_BODY_BYTES - 200)));
      expect(Buffer.byteLength(body)).toBeLessThan(MAX_BODY_BYTES);
      await http().post('/DANE/document/').set('Content-Type', 'application/json').send(body).expect(200);
    });

    it('accepts a UTF-8 byte order mark and non-ASCII text', async () => {
      const res = await http()
        .post('/DANE/document/')
        .set('Content-Type', 'application/json; charset=utf-8')
        .send('\uFEFF' + JSON.stringify(documentBody('ÜNÏCØDÉ-☃', 'NISV', 'http://x/ü ☃')))
        .expect(200);
      expect(res.body.target).toMatchObject({ id: 'ÜNÏCØDÉ-☃', url: 'http://x/%C3%BC%20%E2%98%83' });
    });

    it('answers 415 for an unsupported Content-Encoding', async () => {
      const res = await http()
        .post('/DANE/document/')
        .set('Content-Encoding', 'compress')
        .send(JSON.stringify(documentBody('ENC')))
        .expect(415);
      expect(res.body.message).toMatch(/unsupported content encoding/);
    });
  });

  describe('routing', () => {
    it('answers 404 JSON for an unknown route or method', async () => {
      expect((await http().get('/DANE/nothing-here').expect(404)).body).toEqual({ message: 'Cannot GET /DANE/nothing-here' });
      expect((await http().put('/DANE/document/abc').send({}).expect(404)).body.message).toBe('Cannot PUT /DANE/document/abc');
      expect((await http().get('/').expect(404)).body.message).toBe('Cannot GET /');
    });

    it('answers 400, not 500, for a path with a broken percent-encoding', async () => {
      const res = await http().get('/DANE/document/%E0%A4%A').expect(400);
      expect(res.body.message).toMatch(/URI|decode/i);
    });

    it('serves the OpenAPI document at /DANE/swagger.json and the UI at /DANE/docs', async () => {
      const spec = (await http().get('/DANE/swagger.json').expect(200)).body;
      expect(spec.info.title).toBe('DANE API');
      for (const path of [
        '/DANE/document',
        '/DANE/document/{id}',
        '/DANE/document/{id}/tasks',
        '/DANE/documents',
        '/DANE/search/document',
        '/DANE/task',
        '/DANE/task/{id}/{action}',
        '/DANE/result/{id}',
        '/DANE/results',
        '/DANE/workers',
        '/DANE/workers/{task_key}/reset/{state}',
        '/DANE/creator/{creator_id}/{task_key}/results',
        '/health',
        '/ready',
      ]) {
        expect(spec.paths).toHaveProperty([path]);
      }
      expect(spec.components.schemas.TaskDto.properties.state.type).toBe('string');
      expect(spec.paths['/DANE/document/{id}/tasks'].get.responses['200'].headers).toHaveProperty(['X-Total-Count']);
      const ui = await http().get('/DANE/docs').expect(200);
      expect(ui.headers['content-type']).toMatch(/text\/html/);
      await http().get('/DANE/docs/').expect(200);
      expect((await http().get('/DANE/').expect(302)).headers.location).toBe('/DANE/docs');
    });
  });

  describe('bad input never produces a 500', () => {
    const bodies: [string, string][] = [
      ['empty', ''],
      ['null', 'null'],
      ['a number', '123'],
      ['a string', '"text"'],
      ['true', 'true'],
      ['an empty object', '{}'],
      ['an empty list', '[]'],
      ['a list of nulls', '[null, null]'],
      ['truncated JSON', '{"a": '],
      ['not JSON', 'hello world'],
      ['nested garbage', '{"document_id": {"$ne": 1}, "key": {"a": 1}, "target": [], "generator": 1}'],
      ['deep nesting', '['.repeat(500) + ']'.repeat(500)],
      ['a prototype key', '{"__proto__": {"polluted": true}, "document_id": "x", "key": "K"}'],
    ];
    const posts = ['/DANE/document/', '/DANE/documents/', '/DANE/task/', '/DANE/result/', '/DANE/task/abc/result', '/DANE/task/abc/retry'];

    it.each(posts)('POST %s answers 4xx with a message for every bad body', async (route) => {
      const before = await documentCount();
      for (const [what, raw] of bodies) {
        const res = await http().post(route).set('Content-Type', 'application/json').send(raw);
        // A list is the valid shape of the bulk route: it answers 200 with every element in `failed`.
        const bulkList = route === '/DANE/documents/' && raw.startsWith('[') && res.status === 200;
        if (bulkList) {
          expect(res.body.success).toEqual([]);
          continue;
        }
        if (res.status < 400 || res.status >= 500) throw new Error(`${route} with ${what}: ${res.status} ${res.text}`);
        expect(typeof res.body.message).toBe('string');
      }
      expect(await documentCount()).toBe(before);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });

    it('GET routes answer 4xx for odd ids and query values', async () => {
      const odd = ['%00', 'a'.repeat(5000), '..', '%2F', '☃', "' OR 1=1 --"];
      for (const id of odd) {
        const enc = id.startsWith('%') ? id : encodeURIComponent(id);
        for (const route of [`/DANE/document/${enc}`, `/DANE/task/${enc}`, `/DANE/result/${enc}`, `/DANE/task/${enc}/document`, `/DANE/document/${enc}/tasks`]) {
          const res = await http().get(route);
          if (res.status !== 404 && res.status !== 400) throw new Error(`${route}: ${res.status} ${res.text}`);
          expect(typeof res.body.message).toBe('string');
        }
      }
      for (const query of ['page=1.5', 'size=1,2', 'page=1e3', 'size=%00', 'page=99999999999999999999']) {
        const res = await http().get(`/DANE/task/?${query}`);
        if (res.status !== 400) throw new Error(`/DANE/task/?${query}: ${res.status} ${res.text}`);
      }
      const far = await http().get('/DANE/search/document/?page=1000000&size=1000').expect(200);
      expect(far.body.hits).toEqual([]);
    });

    it('a result with a huge payload key count stays a 201 or a clean 413', async () => {
      const docId = (await http().post('/DANE/document/').send(documentBody('PAYLOAD')).expect(200)).body._id;
      const taskId = (await http().post('/DANE/task/').send({ document_id: docId, key: 'ASR' }).expect(201)).body._id;
      const payload = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${i}`, i]));
      await http().post(`/DANE/task/${taskId}/result`).send({ generator, payload }).expect(201);
      const tooBig = Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`k${i}`, i]));
      await http().post(`/DANE/task/${taskId}/result`).send({ generator, payload: tooBig }).expect(413);
    });
  });
});
