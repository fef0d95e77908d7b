import { TIMESTAMP_PATTERN } from '@dane/core';
import { useApiTestApp } from '../../../test/support/api-test-app';
import { documentBody, sha1 } from '../../../test/support/fixtures';

describe('document routes (PGlite)', () => {
  const { http } = useApiTestApp();
  const documentCount = async () => (await http().get('/DANE/search/document/?size=1').expect(200)).body.total as number;

  describe('POST /DANE/document/', () => {
    it('registers a document and answers 200 with the marshalled document and id sha1(target.id + creator.id)', async () => {
      const body = documentBody('ITM-1', 'NISV', 'http://example.com/a b.mp4');
      (body.target as Record<string, unknown>).extra = 'kept in store, dropped in the view';
      const res = await http().post('/DANE/document/').send(body).expect(200);
      expect(Object.keys(res.body)).toEqual(['_id', 'target', 'creator', 'created_at', 'updated_at']);
      expect(res.body._id).toBe(sha1('ITM-1NISV'));
      expect(res.body.target).toEqual({ id: 'ITM-1', url: 'http://example.com/a%20b.mp4', type: 'Video' });
      expect(res.body.creator).toEqual({ id: 'NISV', type: 'Organization' });
      expect(res.body.created_at).toMatch(TIMESTAMP_PATTERN);
      expect(res.body.updated_at).toBe(res.body.created_at);
    });

    it('takes non-string ids, hashed and stored as their Python str() (ids are strings, as in Python DANE)', async () => {
      const res = await http().post('/DANE/document').send(documentBody(12345, 'CREATOR')).expect(200);
      expect(res.body._id).toBe(sha1('12345CREATOR'));
      expect(res.body.target.id).toBe('12345');
      const read = await http().get(`/DANE/document/${res.body._id}`).expect(200);
      expect(read.body.target).toMatchObject({ id: '12345' });
      const bool = await http()
        .post('/DANE/document')
        .send({ ...documentBody('ITM-BOOL-ID'), creator: { id: true, type: 'Human' } })
        .expect(200);
      expect(bool.body).toMatchObject({ _id: sha1('ITM-BOOL-IDTrue'), creator: { id: 'True' } });
      // The same document sent with the string id is a duplicate.
      await http().post('/DANE/document').send(documentBody('12345', 'CREATOR')).expect(409);
    });

    it('reads the body as JSON whatever the Content-Type', async () => {
      const res = await http()
        .post('/DANE/document/')
        .set('Content-Type', 'text/plain')
        .send(JSON.stringify(documentBody('ITM-TEXT-PLAIN')))
        .expect(200);
      expect(res.body._id).toBe(sha1('ITM-TEXT-PLAINNISV'));
      const form = await http()
        .post('/DANE/document/')
        .set('Content-Type', 'application/x-www-form-urlencoded')
        .send(JSON.stringify(documentBody('ITM-FORM')))
        .expect(200);
      expect(form.body._id).toBe(sha1('ITM-FORMNISV'));
    });

    it('answers 409 with the original text for a duplicate, and stores nothing', async () => {
      await http().post('/DANE/document/').send(documentBody('ITM-DUP')).expect(200);
      const before = await documentCount();
      const res = await http()
        .post('/DANE/document/')
        .send(documentBody('ITM-DUP', 'NISV', 'http://other/url'))
        .expect(409);
      expect(res.body).toEqual({ message: 'A document with target.id `ITM-DUP`, and creator.id `NISV` already exists' });
      expect(await documentCount()).toBe(before);
    });

    it.each([
      ['an `_id`', { ...documentBody('X1'), _id: 'abc' }, /`_id` is assigned by the server/],
      ['no target', { creator: { id: 'c', type: 'Human' } }, /target is required/],
      ['no creator', { target: { id: 't', url: 'http://x', type: 'Video' } }, /creator is required/],
      ['a bad target.type', { ...documentBody('X2'), target: { id: 'X2', url: 'http://x', type: 'video' } }, /target\.type must be one of Dataset, Image, Video, Sound, Text/],
      ['a bad creator.type', { ...documentBody('X3'), creator: { id: 'c', type: 'Robot' } }, /creator\.type must be one of/],
      ['no url', { target: { id: 'X4', type: 'Video' }, creator: { id: 'c', type: 'Human' } }, /target\.url is required/],
      ['an object as target.id', { target: { id: { a: 1 }, url: 'http://x', type: 'Video' }, creator: { id: 'c', type: 'Human' } }, /target\.id must be a string or number/],
      ['an unexpected top-level key', { ...documentBody('X5'), colour: 'red' }, /unexpected field `colour`/],
      ['a list', [documentBody('X6')], /must be a JSON object/],
      ['a string', 'hello', /must be a JSON object/],
    ])('answers 400 naming the problem for a document with %s, and stores nothing', async (_what, body, message) => {
      const before = await documentCount();
      const res = await http().post('/DANE/document/').set('Content-Type', 'application/json').send(JSON.stringify(body)).expect(400);
      expect(res.body.message).toMatch(message);
      expect(await documentCount()).toBe(before);
    });

    it('answers 400 "Invalid JSON body" for malformed JSON', async () => {
      const before = await documentCount();
      const res = await http().post('/DANE/document/').set('Content-Type', 'application/json').send('{"target": {').expect(400);
      expect(res.body.message).toMatch(/^Invalid JSON body: /);
      expect(await documentCount()).toBe(before);
    });

    it('answers 400 for an empty body', async () => {
      const res = await http().post('/DANE/document/').expect(400);
      expect(res.body.message).toMatch(/must be a JSON object/);
    });
  });

  describe('GET and DELETE /DANE/document/<id>', () => {
    it('answers the marshalled document, also with a trailing or doubled slash', async () => {
      const id = (await http().post('/DANE/document/').send(documentBody('ITM-GET')).expect(200)).body._id;
      const res = await http().get(`/DANE/document/${id}`).expect(200);
      expect(res.body).toMatchObject({ _id: id, target: { id: 'ITM-GET', type: 'Video' }, creator: { id: 'NISV', type: 'Organization' } });
      await http().get(`/DANE/document/${id}/`).expect(200);
      await http().get(`/DANE/document//${id}`).expect(200);
      await http().get(`/DANE//document/${id}`).expect(200);
    });

    it('answers 404 with a message for an unknown id', async () => {
      const res = await http().get('/DANE/document/0000000000000000000000000000000000000000').expect(404);
      expect(res.body).toEqual({ message: 'No document with id `0000000000000000000000000000000000000000` found' });
    });

    it('deletes with its tasks and answers the JSON empty string', async () => {
      const id = (await http().post('/DANE/document/').send(documentBody('ITM-DEL')).expect(200)).body._id;
      const task = (await http().post('/DANE/task/').send({ document_id: id, key: 'ASR' }).expect(201)).body;
      const res = await http().delete(`/DANE/document/${id}`).expect(200);
      expect(res.headers['content-type']).toMatch(/application\/json/);
      expect(res.text).toBe('""');
      await http().get(`/DANE/document/${id}`).expect(404);
      await http().get(`/DANE/task/${task._id}`).expect(404);
      const again = await http().delete(`/DANE/document/${id}`).expect(404);
      expect(again.body.message).toBe(`No document with id \`${id}\` found`);
    });

    it('deletes through the legacy GET /DANE/document/<id>/delete', async () => {
      const id = (await http().post('/DANE/document/').send(documentBody('ITM-LEGACY-DEL')).expect(200)).body._id;
      expect((await http().get(`/DANE/document/${id}/delete`).expect(200)).text).toBe('""');
      await http().get(`/DANE/document/${id}`).expect(404);
      await http().get(`/DANE/document/${id}/delete`).expect(404);
    });
  });

  describe('GET /DANE/document/<id>/tasks', () => {
    it('lists every task of the document with string states, paged, the total in X-Total-Count', async () => {
      const id = (await http().post('/DANE/document/').send(documentBody('ITM-TASKS')).expect(200)).body._id;
      const keys = Array.from({ length: 12 }, (_, i) => `KEY${i}`);
      for (const key of keys) await http().post('/DANE/task/').send({ document_id: id, key }).expect(201);
      const all = await http().get(`/DANE/document/${id}/tasks`).expect(200);
      expect(all.body.map((t: { key: string }) => t.key)).toEqual(keys);
      expect(all.headers['x-total-count']).toBe('12');
      expect(all.body[0].state).toBe('201');
      const page2 = await http().get(`/DANE/document//${id}/tasks/?page=2&size=5`).expect(200);
      expect(page2.body.map((t: { key: string }) => t.key)).toEqual(keys.slice(5, 10));
      expect(page2.headers['x-total-count']).toBe('12');
      expect(page2.headers['x-page']).toBe('2');
      expect(page2.headers['x-page-size']).toBe('5');
    });

    it.each([
      ['page=0', /page must be between 1 and/],
      ['page=abc', /page must be a positive integer/],
      ['size=1001', /size must be between 1 and 1000/],
      ['size=-1', /size must be a positive integer/],
      ['page=1&page=2', /page must be a positive integer/],
    ])('answers 400 naming the parameter for %s', async (query, message) => {
      const id = sha1('ITM-TASKSNISV');
      const res = await http().get(`/DANE/document/${id}/tasks?${query}`).expect(400);
      expect(res.body.message).toMatch(message);
    });

    it('answers 404 for an unknown document', async () => {
      const res = await http().get('/DANE/document/nope/tasks').expect(404);
      expect(res.body.message).toBe('No document with id `nope` found');
    });
  });

  describe('POST /DANE/documents/', () => {
    it('registers objects and JSON strings and reports every other element in failed, never failing as a whole', async () => {
      await http().post('/DANE/document/').send(documentBody('BULK-EXISTS')).expect(200);
      const body = [
        documentBody('BULK-1'),
        JSON.stringify(documentBody('BULK-2')),
        documentBody('BULK-EXISTS'),
        documentBody('BULK-1'),
        { ...documentBody('BULK-3'), _id: 'x' },
        '{not json',
        42,
        null,
        { target: { id: 'BULK-4', url: 'http://x', type: 'Movie' }, creator: { id: 'NISV', type: 'Organization' } },
      ];
      const before = await documentCount();
      const res = await http().post('/DANE/documents/').send(body).expect(200);
      expect(res.body.success.map((d: { _id: string }) => d._id)).toEqual([sha1('BULK-1NISV'), sha1('BULK-2NISV')]);
      expect(res.body.success[1].target.id).toBe('BULK-2');
      const failed = res.body.failed as { index: number; document: { _id: string } | null; invalid: unknown; error: string }[];
      expect(failed.map((f) => f.index)).toEqual([2, 3, 4, 5, 6, 7, 8]);
      expect(failed[0]).toEqual({
        index: 2,
        document: expect.objectContaining({ _id: sha1('BULK-EXISTSNISV') }),
        invalid: { '*': null },
        error: 'A document with target.id `BULK-EXISTS`, and creator.id `NISV` already exists',
      });
      expect(failed[1].error).toBe('A document with target.id `BULK-1`, and creator.id `NISV` already exists');
      expect(failed[1].document?._id).toBe(sha1('BULK-1NISV'));
      expect(failed[2]).toMatchObject({ document: null, error: expect.stringMatching(/`_id` is assigned by the server/) });
      expect(failed[3]).toMatchObject({ document: null, invalid: '{not json', error: expect.stringMatching(/not JSON/) });
      expect(failed[4]).toMatchObject({ document: null, invalid: 42, error: expect.stringMatching(/must be a JSON object/) });
      expect(failed[5]).toMatchObject({ document: null, invalid: null, error: expect.stringMatching(/must be a JSON object/) });
      expect(failed[6].error).toMatch(/target\.type must be one of/);
      expect(await documentCount()).toBe(before + 2);
    });

    it('answers 200 with nothing for an empty list', async () => {
      expect((await http().post('/DANE/documents').send([]).expect(200)).body).toEqual({ success: [], failed: [] });
    });

    it.each([
      ['an object', JSON.stringify(documentBody('NOT-A-LIST')), /expected a JSON list/],
      ['malformed JSON', '[{"target":', /^Invalid JSON body/],
      ['nothing', '', /expected a JSON list/],
    ])('answers 400 for %s, storing nothing', async (_what, raw, message) => {
      const before = await documentCount();
      const res = await http().post('/DANE/documents/').set('Content-Type', 'application/json').send(raw).expect(400);
      expect(res.body.message).toMatch(message);
      expect(await documentCount()).toBe(before);
    });
  });

  describe('GET and DELETE /DANE/documents/', () => {
    let a: string;
    let b: string;
    let c: string;
    beforeAll(async () => {
      a = (await http().post('/DANE/document/').send(documentBody('MANY-A')).expect(200)).body._id;
      b = (await http().post('/DANE/document/').send(documentBody('MANY-B')).expect(200)).body._id;
      c = (await http().post('/DANE/document/').send(documentBody('MANY-C')).expect(200)).body._id;
    });

    it('answers the documents in Document.to_json form for ?doc=a&doc=b, ?doc[]= and comma-separated ids', async () => {
      const res = await http().get(`/DANE/documents/?doc=${a}&doc=${b}`).expect(200);
      expect(res.body.map((d: { _id: string }) => d._id)).toEqual([a, b]);
      expect(Object.keys(res.body[0])).toEqual(['target', 'creator', 'created_at', 'updated_at', '_id']);
      expect(res.headers['x-total-count']).toBe('2');
      const brackets = await http().get(`/DANE/documents?doc[]=${b}&doc[]=${c}`).expect(200);
      expect(brackets.body.map((d: { _id: string }) => d._id)).toEqual([b, c]);
      const comma = await http().get(`/DANE/documents/?doc=${c},${a}`).expect(200);
      expect(comma.body.map((d: { _id: string }) => d._id)).toEqual([c, a]);
    });

    it('answers 404 naming the unknown ids', async () => {
      const res = await http().get(`/DANE/documents/?doc=${a}&doc=missing1`).expect(404);
      expect(res.body.message).toBe('No document with id `missing1` found');
      const two = await http().get(`/DANE/documents/?doc=missing1,missing2`).expect(404);
      expect(two.body.message).toBe('No documents with ids `missing1`, `missing2` found');
    });

    it('answers 400 without ids', async () => {
      expect((await http().get('/DANE/documents/').expect(400)).body.message).toMatch(/doc is required/);
      expect((await http().delete('/DANE/documents/').expect(400)).body.message).toMatch(/docs is required/);
    });

    it('deletes the listed documents, ignoring unknown ids, and answers ""', async () => {
      const res = await http().delete(`/DANE/documents/?docs=${a},${b},unknown`).expect(200);
      expect(res.text).toBe('""');
      expect(res.headers['x-deleted-count']).toBe('2');
      await http().get(`/DANE/document/${a}`).expect(404);
      await http().get(`/DANE/document/${b}`).expect(404);
      await http().get(`/DANE/document/${c}`).expect(200);
      const brackets = await http().delete(`/DANE/documents?docs[]=${c}`).expect(200);
      expect(brackets.headers['x-deleted-count']).toBe('1');
    });
  });

  describe('GET /DANE/search/document/', () => {
    beforeAll(async () => {
      for (const tid of ['SRCH-ab1', 'SRCH-ab2', 'SRCH-xy1']) await http().post('/DANE/document/').send(documentBody(tid, 'SEARCHER')).expect(200);
    });

    it('answers {total, hits} for wildcard patterns, paged', async () => {
      const res = await http().get('/DANE/search/document/?target_id=SRCH-ab*&creator_id=*').expect(200);
      expect(res.body.total).toBe(2);
      expect(res.body.hits.map((d: { target: { id: string } }) => d.target.id)).toEqual(['SRCH-ab1', 'SRCH-ab2']);
      const one = await http().get('/DANE/search/document?target_id=SRCH-??1&creator_id=SEARCHER&page=2&size=1').expect(200);
      expect(one.body).toMatchObject({ total: 2, hits: [{ target: { id: 'SRCH-xy1' } }] });
      expect(Object.keys(one.body.hits[0])).toEqual(['_id', 'target', 'creator', 'created_at', 'updated_at']);
    });

    it('answers 400 for bad paging or a repeated pattern', async () => {
      expect((await http().get('/DANE/search/document/?size=0').expect(400)).body.message).toMatch(/^size must be between 1 and 1000/);
      expect((await http().get('/DANE/search/document/?page=x').expect(400)).body.message).toMatch(/^page must be a positive integer/);
      expect((await http().get('/DANE/search/document/?target_id=a&target_id=b').expect(400)).body.message).toBe('target_id must be a string');
    });

    it('serves the legacy /DANE/document/search/<target_id>/<creator_id> with {_id, target, creator} hits', async () => {
      const res = await http().get('/DANE/document/search/SRCH-ab*/SEARCHER').expect(200);
      expect(res.headers['x-total-count']).toBe('2');
      expect(res.body).toHaveLength(2);
      expect(Object.keys(res.body[0])).toEqual(['_id', 'target', 'creator']);
    });

    it('lists the documents of a creator on /DANE/creator/<creator_id>/docs', async () => {
      const res = await http().get('/DANE/creator/SEARCHER/docs?size=2').expect(200);
      expect(res.headers['x-total-count']).toBe('3');
      expect(res.body.map((d: { target: { id: string } }) => d.target.id)).toEqual(['SRCH-ab1', 'SRCH-ab2']);
      expect((await http().get('/DANE/creator/NOBODY/docs').expect(200)).body).toEqual([]);
    });
  });
});
