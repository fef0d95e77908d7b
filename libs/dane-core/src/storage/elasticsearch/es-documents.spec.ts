import { DocumentExistsError, encodeCursor } from '@dane/protocol';
import { makeDocument } from '../sql/store-contract.fixtures';
import { INDEX, PIT_ID, alreadyExists, bulk, byQueryStarted, created, found, hits, mget, missing, pitHits, refreshed, taskDone } from './testing/es-replies';
import { useRecordedStore } from './testing/recorded-store';

describe('Elasticsearch documents on the wire (docs/protocol.md, Elasticsearch layout)', () => {
  const recorded = useRecordedStore();

  it('registers a document create-only, default routing, waiting for the refresh, with the original _source', async () => {
    const doc = makeDocument('ITM123', 'NISV', { title: 'Journaal' });
    recorded.es.on('PUT', `/${INDEX}/_doc/${doc._id}`, created(doc._id));
    await recorded.store.documents.insert(doc);
    expect(recorded.es.calls).toHaveLength(1);
    expect(recorded.es.calls[0]).toMatchObject({ method: 'PUT', path: `/${INDEX}/_doc/${doc._id}`, query: { op_type: 'create', refresh: 'wait_for' } });
    expect(recorded.es.calls[0].body).toStrictEqual({
      target: { id: 'ITM123', url: 'http://example.com/a%20b.mp4', type: 'Video', title: 'Journaal' },
      creator: { id: 'NISV', type: 'Organization' },
      created_at: doc.created_at,
      updated_at: doc.updated_at,
      role: 'document',
    });
  });

  it('turns a 409 into DocumentExistsError with the original message', async () => {
    const doc = makeDocument(12345, true);
    recorded.es.on('PUT', `/${INDEX}/_doc/${doc._id}`, alreadyExists(doc._id));
    await expect(recorded.store.documents.insert(doc)).rejects.toThrow(new DocumentExistsError('A document with target.id `12345`, and creator.id `True` already exists'));
  });

  it('registers many with one _bulk of create actions and reports each duplicate', async () => {
    const [a, b] = [makeDocument(), makeDocument()];
    recorded.es.on(
      'POST',
      `/${INDEX}/_bulk`,
      bulk([
        { action: 'create', id: a._id, status: 201 },
        { action: 'create', id: b._id, status: 409 },
      ]),
    );
    const outcome = await recorded.store.documents.insertMany([a, b]);
    expect(outcome.map((o) => o.error?.constructor)).toEqual([undefined, DocumentExistsError]);
    expect(recorded.es.calls).toHaveLength(1);
    expect(recorded.es.calls[0].query).toEqual({ refresh: 'wait_for' });
    expect(recorded.es.calls[0].headers['content-type']).toContain('application/x-ndjson');
    const source = (d: typeof a) => ({ target: d.target, creator: d.creator, created_at: d.created_at, updated_at: d.updated_at, role: 'document' });
    expect(recorded.es.calls[0].body).toStrictEqual([{ create: { _id: a._id } }, source(a), { create: { _id: b._id } }, source(b)]);
  });

  it('reads by id with a realtime GET and tells documents from tasks', async () => {
    const doc = makeDocument();
    recorded.es.on(
      'GET',
      `/${INDEX}/_doc/${doc._id}`,
      found({ id: doc._id, source: { target: doc.target, creator: doc.creator, created_at: doc.created_at, updated_at: doc.updated_at, role: 'document' } }),
    );
    recorded.es.on('GET', `/${INDEX}/_doc/${'0'.repeat(40)}`, missing('0'.repeat(40)));
    recorded.es.on(
      'GET',
      `/${INDEX}/_doc/${'1'.repeat(40)}`,
      found({ id: '1'.repeat(40), routing: doc._id, source: { task: { key: 'ASR', state: 201, msg: 'Created' }, role: { name: 'task', parent: doc._id } } }),
    );
    expect(await recorded.store.documents.findById(doc._id)).toEqual(doc);
    expect(await recorded.store.documents.findById('0'.repeat(40))).toBeNull();
    expect(await recorded.store.documents.findById('1'.repeat(40))).toBeNull();
  });

  it('searches with Q5 (wildcards, role excluded), oldest first, with exact totals', async () => {
    const doc = makeDocument('ITM1');
    recorded.es.on(
      'POST',
      `/${INDEX}/_search`,
      hits([{ id: doc._id, seqNo: 4, source: { target: doc.target, creator: doc.creator, created_at: doc.created_at, updated_at: doc.updated_at } }], 251),
    );
    const page = await recorded.store.documents.search({ targetId: 'ITM*' }, { page: 3, size: 100 });
    // Hits 201 of 251: the next page's cursor is this last hit's sort values.
    expect(page).toEqual({ items: [doc], total: 251, page: 3, size: 100, next: encodeCursor('documents', [4]) });
    expect(recorded.es.calls[0].body).toEqual({
      _source: { excludes: ['role'] },
      query: { bool: { must: [{ wildcard: { 'target.id': 'ITM*' } }, { wildcard: { 'creator.id': '*' } }] } },
      sort: [{ _seq_no: 'asc' }],
      from: 200,
      size: 100,
      track_total_hits: true,
    });
  });

  it('pages by cursor with search_after on the same sort, one hit more to tell whether a next page exists', async () => {
    const [a, b, c] = [makeDocument('ITM1'), makeDocument('ITM2'), makeDocument('ITM3')];
    const stored = (d: typeof a, seqNo: number) => ({ id: d._id, seqNo, source: { target: d.target, creator: d.creator, created_at: d.created_at, updated_at: d.updated_at } });
    recorded.es.once('POST', `/${INDEX}/_search`, hits([stored(a, 7), stored(b, 9), stored(c, 12)], 40));
    const page = await recorded.store.documents.search({ creatorId: 'NISV' }, { page: 1, size: 2, cursor: encodeCursor('documents', [5]) });
    expect(page).toEqual({ items: [a, b], total: 40, page: 1, size: 2, cursor: encodeCursor('documents', [5]), next: encodeCursor('documents', [9]) });
    expect(recorded.es.calls[0].body).toEqual({
      _source: { excludes: ['role'] },
      query: { bool: { must: [{ wildcard: { 'target.id': '*' } }, { wildcard: { 'creator.id': 'NISV' } }] } },
      sort: [{ _seq_no: 'asc' }],
      size: 3,
      search_after: [5],
      track_total_hits: true,
    });
    recorded.es.once('POST', `/${INDEX}/_search`, hits([stored(c, 12)], 40));
    const last = await recorded.store.documents.search({ creatorId: 'NISV' }, { page: 1, size: 2, cursor: encodeCursor('documents', [9]) });
    expect(last.items).toEqual([c]);
    expect(last).not.toHaveProperty('next');
  });

  it('refuses a malformed cursor or another list`s as a 400 naming `cursor`, before asking Elasticsearch', async () => {
    const search = (cursor: string) => recorded.store.documents.search({}, { page: 1, size: 10, cursor });
    await expect(search('not a cursor')).rejects.toMatchObject({ name: 'ValidationError', status: 400, message: expect.stringMatching(/^cursor /) });
    await expect(search(encodeCursor('tasks', [1, 2, 3]))).rejects.toMatchObject({ status: 400, message: expect.stringMatching(/^cursor belongs to another kind of list/) });
    await expect(search(encodeCursor('documents', [1, 2]))).rejects.toMatchObject({ status: 400, message: expect.stringMatching(/^cursor /) });
    expect(recorded.es.calls).toHaveLength(0);
  });

  it('reaches pages past the 10,000 window with search_after', async () => {
    const doc = makeDocument('ITM1');
    const source = { target: doc.target, creator: doc.creator, created_at: doc.created_at, updated_at: doc.updated_at };
    const walked = Array.from({ length: 10_000 }, (_, i) => ({ id: `d${i}`, seqNo: i, source: {} }));
    recorded.es.once('POST', '/_search', pitHits(walked, 10_500));
    recorded.es.once('POST', '/_search', pitHits([{ id: doc._id, seqNo: 10_000, source }], 10_500));
    const page = await recorded.store.documents.search({}, { page: 11, size: 1000 });
    expect(page.total).toBe(10_500);
    expect(page.items).toEqual([doc]);
    // Walk and page in one point in time, closed afterwards.
    expect(recorded.es.calls.map((r) => `${r.method} ${r.path}`)).toEqual([`POST /${INDEX}/_pit`, 'POST /_search', 'POST /_search', 'DELETE /_pit']);
    const [walk, read] = recorded.es.calls.slice(1, 3).map((r) => r.body as Record<string, unknown>);
    expect(walk).toMatchObject({ _source: false, size: 10_000, track_total_hits: false, pit: { id: PIT_ID, keep_alive: '1m' } });
    expect(walk).not.toHaveProperty('from');
    expect(read).toMatchObject({ size: 1000, search_after: [9_999, 9_999], track_total_hits: true, sort: [{ _seq_no: 'asc' }, { _shard_doc: 'asc' }] });
  });

  it('deletes the document first, then its tasks and their results in one _delete_by_query', async () => {
    const doc = makeDocument();
    recorded.es.on('POST', `/${INDEX}/_mget`, mget([{ id: doc._id, source: { target: doc.target, creator: doc.creator, role: 'document' } }]));
    recorded.es.on('POST', `/${INDEX}/_bulk`, bulk([{ action: 'delete', id: doc._id, status: 200, seqNo: 9 }]));
    const task = 'oTUltX4IQMOUUVeiohTt8A:40';
    recorded.es.on('POST', `/${INDEX}/_delete_by_query`, byQueryStarted(task));
    recorded.es.on('GET', `/_tasks/${task}`, taskDone(task, 'delete', { done: 3 }));
    recorded.es.on('GET', `/${INDEX}/_refresh`, refreshed());
    expect(await recorded.store.documents.delete(doc._id)).toBe(true);
    expect(recorded.es.calls.map((r) => `${r.method} ${r.path}`)).toEqual([
      `POST /${INDEX}/_mget`,
      `POST /${INDEX}/_bulk`,
      `POST /${INDEX}/_delete_by_query`,
      `GET /_tasks/${task}`,
      `GET /${INDEX}/_refresh`,
    ]);
    expect(recorded.es.calls[1].body).toEqual([{ delete: { _id: doc._id } }]);
    expect(recorded.es.calls[2].query).toEqual({ conflicts: 'proceed', wait_for_completion: 'false' });
    const tasksOfDoc = { match: { _routing: doc._id } };
    expect(recorded.es.calls[2].body).toEqual({
      query: {
        bool: {
          should: [{ bool: { must: [tasksOfDoc, { exists: { field: 'task.key' } }] } }, { has_parent: { parent_type: 'task', query: tasksOfDoc } }],
          minimum_should_match: 1,
        },
      },
    });
  });

  it('does not delete what is not a document', async () => {
    recorded.es.on('POST', `/${INDEX}/_mget`, mget(['e'.repeat(40)]));
    expect(await recorded.store.documents.delete('e'.repeat(40))).toBe(false);
    expect(recorded.es.calls).toHaveLength(1);
  });
});
