import { NotFoundError, TaskAssignedError, TaskState, encodeCursor } from '@dane/protocol';
import { PARKED_UNTIL } from '../../lifecycle/retry-policy';
import { makeDocument, makeTask } from '../sql/store-contract.fixtures';
import { INDEX, alreadyExists, bulk, created, found, hits, mget, missing, pitHits } from './testing/es-replies';
import { useRecordedStore } from './testing/recorded-store';

const S = TaskState;

describe('Elasticsearch tasks on the wire (docs/protocol.md, Elasticsearch layout)', () => {
  const recorded = useRecordedStore();
  const doc = makeDocument('ITM9');
  const docSource = { target: doc.target, creator: doc.creator, created_at: doc.created_at, updated_at: doc.updated_at, role: 'document' };

  it('assigns a task as the original: GET the document, create routed by it, Python fields in `task`, ours in `dane_node`', async () => {
    const task = makeTask(doc, 'ASR', { priority: 7, args: { lang: 'nl' }, dependsOn: ['DOWNLOAD'] });
    recorded.es.on('GET', `/${INDEX}/_doc/${doc._id}`, found({ id: doc._id, source: docSource }));
    recorded.es.on('PUT', `/${INDEX}/_doc/${task._id}`, created(task._id, 3));
    recorded.es.on('POST', `/${INDEX}/_mget`, mget([{ id: doc._id, source: docSource }]));
    await recorded.store.tasks.insert(task);
    expect(recorded.es.calls.map((r) => `${r.method} ${r.path}`)).toEqual([`GET /${INDEX}/_doc/${doc._id}`, `PUT /${INDEX}/_doc/${task._id}`, `POST /${INDEX}/_mget`]);
    const create = recorded.es.calls[1];
    expect(create.query).toEqual({ op_type: 'create', routing: doc._id, refresh: 'wait_for' });
    const body = create.body as Record<string, any>;
    expect(Object.keys(body)).toEqual(['task', 'role', 'created_at', 'updated_at', 'dane_node']);
    expect(body.task).toStrictEqual({ key: 'ASR', state: S.CREATED, msg: 'Created', priority: 7, args: { lang: 'nl' } });
    expect(body.role).toEqual({ name: 'task', parent: doc._id });
    expect([body.created_at, body.updated_at]).toEqual([task.created_at, task.updated_at]);
    expect(body.dane_node).toEqual({ seq: expect.any(Number), attempt: 0, retries: 0, depends_on: ['DOWNLOAD'], state_changed_at: expect.any(Number) });
    // The post-check: the document is still there, so the task stays.
    expect(recorded.es.calls[2].body).toEqual({ ids: [doc._id] });
  });

  it('leaves `args` out when empty, as Task.to_json() does', async () => {
    const task = makeTask(doc, 'NER');
    recorded.es.on('GET', `/${INDEX}/_doc/${doc._id}`, found({ id: doc._id, source: docSource }));
    recorded.es.on('PUT', `/${INDEX}/_doc/${task._id}`, created(task._id));
    recorded.es.on('POST', `/${INDEX}/_mget`, mget([{ id: doc._id, source: docSource }]));
    await recorded.store.tasks.insert(task);
    expect((recorded.es.calls[1].body as Record<string, any>).task).toStrictEqual({ key: 'NER', state: S.CREATED, msg: 'Created', priority: 1 });
  });

  it('refuses an unknown document without writing, and a second assignment of a key', async () => {
    const orphan = makeTask(makeDocument(), 'ASR');
    recorded.es.on('GET', `/${INDEX}/_doc/${orphan.document_id}`, missing(orphan.document_id));
    await expect(recorded.store.tasks.insert(orphan)).rejects.toThrow(new NotFoundError(`No document with id \`${orphan.document_id}\` found`));
    expect(recorded.es.calls).toHaveLength(1);
    const task = makeTask(doc, 'ASR');
    recorded.es.on('GET', `/${INDEX}/_doc/${doc._id}`, found({ id: doc._id, source: docSource }));
    recorded.es.on('PUT', `/${INDEX}/_doc/${task._id}`, alreadyExists(task._id));
    await expect(recorded.store.tasks.insert(task)).rejects.toThrow(new TaskAssignedError(`Task \`ASR\` already assigned to document \`${doc._id}\``));
  });

  it('removes a task again when its document was deleted while it was assigned', async () => {
    const task = makeTask(doc, 'ASR');
    recorded.es.on('GET', `/${INDEX}/_doc/${doc._id}`, found({ id: doc._id, source: docSource }));
    recorded.es.on('PUT', `/${INDEX}/_doc/${task._id}`, created(task._id));
    recorded.es.on('POST', `/${INDEX}/_mget`, mget([doc._id]));
    recorded.es.on('POST', `/${INDEX}/_bulk`, bulk([{ action: 'delete', id: task._id, status: 200, seqNo: 4 }]));
    await expect(recorded.store.tasks.insert(task)).rejects.toThrow(NotFoundError);
    expect(recorded.es.calls[3]).toMatchObject({ path: `/${INDEX}/_bulk`, body: [{ delete: { _id: task._id, routing: doc._id } }] });
  });

  it('assigns many with one MGET of the documents and one _bulk of routed creates', async () => {
    const orphanDoc = makeDocument();
    const [ner, asr, orphan] = [makeTask(doc, 'NER'), makeTask(doc, 'ASR'), makeTask(orphanDoc, 'ASR')];
    recorded.es.on('POST', `/${INDEX}/_mget`, mget([{ id: doc._id, source: docSource }, orphanDoc._id]));
    recorded.es.on(
      'POST',
      `/${INDEX}/_bulk`,
      bulk([
        { action: 'create', id: ner._id, status: 201 },
        { action: 'create', id: asr._id, status: 409 },
      ]),
    );
    const outcome = await recorded.store.tasks.insertMany([ner, asr, orphan]);
    expect(outcome.map((o) => o.error?.constructor)).toEqual([undefined, TaskAssignedError, NotFoundError]);
    expect(recorded.es.calls.map((r) => r.path)).toEqual([`/${INDEX}/_mget`, `/${INDEX}/_bulk`, `/${INDEX}/_mget`]);
    expect(recorded.es.calls[0].body).toEqual({ ids: [doc._id, orphanDoc._id] });
    expect(recorded.es.calls[1].query).toEqual({ refresh: 'wait_for' });
    const actions = (recorded.es.calls[1].body as object[]).filter((_, i) => i % 2 === 0);
    expect(actions).toEqual([{ create: { _id: ner._id, routing: doc._id } }, { create: { _id: asr._id, routing: doc._id } }]);
  });

  it('lists a document`s tasks with Q3 (match _routing, role excluded), reading the document id from the routing', async () => {
    const task = makeTask(doc, 'ASR');
    recorded.es.on(
      'POST',
      `/${INDEX}/_search`,
      hits(
        [{ id: task._id, routing: doc._id, source: { task: { key: 'ASR', state: 201, msg: 'Created', priority: 1 }, created_at: task.created_at, updated_at: task.updated_at } }],
        1,
      ),
    );
    const page = await recorded.store.tasks.list({ documentId: doc._id, key: 'ASR' }, { page: 1, size: 10 });
    expect(page.items).toEqual([{ ...task, depends_on: [] }]);
    expect(recorded.es.calls[0].body).toEqual({
      _source: { excludes: ['role'] },
      query: { bool: { must: [{ match: { _routing: doc._id } }, { exists: { field: 'task.key' } }, { match: { 'task.key': 'ASR' } }] } },
      sort: [{ 'dane_node.seq': { order: 'asc', missing: 0 } }, { created_at: { order: 'asc', missing: 0 } }, { _seq_no: 'asc' }],
      from: 0,
      size: 10,
      track_total_hits: true,
    });
  });

  it('pages a task list by cursor: search_after the three TASK_ORDER values, the next cursor from the last hit`s sort', async () => {
    const [asr, ner] = [makeTask(doc, 'ASR'), makeTask(doc, 'NER')];
    const source = (t: typeof asr) => ({ task: { key: t.key, state: 201, msg: 'Created', priority: 1 }, created_at: t.created_at, updated_at: t.updated_at });
    recorded.es.once(
      'POST',
      `/${INDEX}/_search`,
      hits(
        [
          { id: asr._id, routing: doc._id, source: source(asr), sort: [41, 1_700_000_000_000, 90] },
          { id: ner._id, routing: doc._id, source: source(ner), sort: [42, 1_700_000_000_000, 91] },
        ],
        5,
      ),
    );
    const cursor = encodeCursor('tasks', [40, 1_700_000_000_000, 88]);
    const page = await recorded.store.tasks.list({ key: 'ASR' }, { page: 1, size: 1, cursor });
    expect(page.items.map((t) => t.key)).toEqual(['ASR']);
    expect(page.next).toBe(encodeCursor('tasks', [41, 1_700_000_000_000, 90]));
    expect(recorded.es.calls[0].body).toMatchObject({
      sort: [{ 'dane_node.seq': { order: 'asc', missing: 0 } }, { created_at: { order: 'asc', missing: 0 } }, { _seq_no: 'asc' }],
      size: 2,
      search_after: [40, 1_700_000_000_000, 88],
      track_total_hits: true,
    });
    expect(recorded.es.calls[0].body).not.toHaveProperty('from');
    await expect(recorded.store.tasks.list({ key: 'ASR' }, { page: 1, size: 1, cursor: encodeCursor('tasks', [40]) })).rejects.toMatchObject({ status: 400 });
    await expect(recorded.store.tasks.list({ states: [] }, { page: 1, size: 1, cursor: encodeCursor('results', [40]) })).rejects.toMatchObject({ status: 400 });
    expect(recorded.es.calls).toHaveLength(1);
  });

  it('filters a worker`s errored tasks like Q9 and by creator through the document (has_parent)', async () => {
    recorded.es.on('POST', `/${INDEX}/_search`, hits([], 0));
    await recorded.store.tasks.list({ key: 'ASR', notStates: [S.QUEUED, S.SUCCESS], creatorId: 'NISV' }, { page: 1, size: 20 });
    expect((recorded.es.calls[0].body as Record<string, unknown>).query).toEqual({
      bool: {
        must: [{ exists: { field: 'task.key' } }, { match: { 'task.key': 'ASR' } }, { has_parent: { parent_type: 'document', query: { term: { 'creator.id': 'NISV' } } } }],
        must_not: [{ terms: { 'task.state': [S.QUEUED, S.SUCCESS] } }],
      },
    });
  });

  it('reads a task Python wrote (no dane_node) as attempt 0 without dependencies', async () => {
    const id = makeTask(doc, 'DOWNLOAD')._id;
    const source = {
      task: { key: 'DOWNLOAD', state: 200, msg: 'Success', priority: 1 },
      role: { name: 'task', parent: doc._id },
      created_at: '2021-01-14T10:00:00',
      updated_at: '2021-01-14T10:05:00',
    };
    recorded.es.on('GET', `/${INDEX}/_doc/${id}`, found({ id, routing: doc._id, source }));
    expect(await recorded.store.tasks.findById(id)).toEqual({
      _id: id,
      document_id: doc._id,
      key: 'DOWNLOAD',
      state: S.SUCCESS,
      msg: 'Success',
      priority: 1,
      args: {},
      created_at: '2021-01-14T10:00:00',
      updated_at: '2021-01-14T10:05:00',
      attempt: 0,
      retries: 0,
      depends_on: [],
    });
  });

  it('counts by key and state with a composite aggregation, paging until the last bucket', async () => {
    recorded.es.on('POST', `/${INDEX}/_search`, {
      status: 200,
      body: {
        took: 3,
        timed_out: false,
        _shards: { total: 1, successful: 1, skipped: 0, failed: 0 },
        hits: { total: { value: 3, relation: 'eq' }, max_score: null, hits: [] },
        aggregations: {
          by_key_state: {
            after_key: { key: 'NER', state: 201 },
            buckets: [
              { key: { key: 'ASR', state: 200 }, doc_count: 1 },
              { key: { key: 'ASR', state: 201 }, doc_count: 1 },
              { key: { key: 'NER', state: 201 }, doc_count: 1 },
            ],
          },
        },
      },
    });
    expect(await recorded.store.tasks.countByKeyAndState()).toEqual([
      { key: 'ASR', state: S.SUCCESS, count: 1 },
      { key: 'ASR', state: S.CREATED, count: 1 },
      { key: 'NER', state: S.CREATED, count: 1 },
    ]);
    expect(recorded.es.calls[0].body).toEqual({
      size: 0,
      query: { bool: { must: [{ exists: { field: 'task.key' } }] } },
      aggs: { by_key_state: { composite: { size: 1000, sources: [{ key: { terms: { field: 'task.key' } } }, { state: { terms: { field: 'task.state' } } }] } } },
    });
    await recorded.store.tasks.countByKeyAndState('ASR');
    expect((recorded.es.calls[1].body as { query: unknown }).query).toEqual({ bool: { must: [{ exists: { field: 'task.key' } }, { term: { 'task.key': 'ASR' } }] } });
  });

  it('lists the tasks that need a person: 412 tasks` documents read, blocked ones by id, beside manual and parked states', async () => {
    const other = makeDocument('ITM10');
    const source = (key: string, state: number, ext: Record<string, unknown> = {}) => ({
      task: { key, state, msg: 'm', priority: 1 },
      created_at: '2021-01-14T10:00:00',
      updated_at: '2021-01-14T10:00:00',
      dane_node: { attempt: 1, retries: 0, depends_on: [], ...ext },
    });
    const [download, asr, ner, filesize, thumb] = [makeTask(doc, 'DOWNLOAD'), makeTask(doc, 'ASR'), makeTask(other, 'NER'), makeTask(other, 'FILESIZE'), makeTask(other, 'THUMB')];
    const parked = { not_before: PARKED_UNTIL.getTime() };
    // 1. the 412 tasks (ids and routing only); 2. every task of their documents; 3. the list itself.
    recorded.es.once(
      'POST',
      '/_search',
      pitHits([
        { id: asr._id, routing: doc._id, source: undefined },
        { id: ner._id, routing: other._id, source: undefined },
      ]),
    );
    recorded.es.once(
      'POST',
      '/_search',
      pitHits([
        { id: download._id, routing: doc._id, source: source('DOWNLOAD', S.ERROR) },
        { id: asr._id, routing: doc._id, source: source('ASR', S.UNFINISHED_DEPENDENCY, { depends_on: ['DOWNLOAD'] }) },
        { id: ner._id, routing: other._id, source: source('NER', S.UNFINISHED_DEPENDENCY, { depends_on: ['THUMB'] }) },
        { id: thumb._id, routing: other._id, source: source('THUMB', S.ERROR_PROXY, { not_before: Date.now() + 60_000 }) },
        { id: filesize._id, routing: other._id, source: source('FILESIZE', S.ERROR_PROXY, parked) },
      ]),
    );
    recorded.es.once('POST', `/${INDEX}/_search`, hits([download, asr, filesize].map((t) => ({ id: t._id, routing: t.document_id, source: source(t.key, S.ERROR) }))));
    const page = await recorded.store.tasks.list({ needsPerson: true, key: 'ASR' }, { page: 1, size: 10 });
    expect(page.total).toBe(3);
    // The two scans run in points in time (`POST /_search`), the page itself is a search of the index.
    expect(recorded.es.calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      ...[1, 2].flatMap(() => [`POST /${INDEX}/_pit`, 'POST /_search', 'DELETE /_pit']),
      `POST /${INDEX}/_search`,
    ]);
    const bodies = recorded.es.calls.filter((c) => c.path.endsWith('/_search')).map((c) => c.body as Record<string, any>);
    expect(bodies[0]).toMatchObject({ _source: false, query: { bool: { must: [{ exists: { field: 'task.key' } }, { terms: { 'task.state': [S.UNFINISHED_DEPENDENCY] } }] } } });
    expect(bodies[1]).toMatchObject({
      _source: { excludes: ['role'] },
      query: { bool: { must: [{ terms: { _routing: [doc._id, other._id] } }, { exists: { field: 'task.key' } }] } },
    });
    const itself = {
      bool: {
        should: [
          { terms: { 'task.state': [S.BAD_REQUEST, S.ACCESS_DENIED, S.NOT_FOUND, S.NO_ROUTE_TO_QUEUE, S.ERROR] } },
          {
            bool: {
              must: [
                { terms: { 'task.state': [S.CREATED, S.TASK_RESET, S.ERROR_INVALID_INPUT, S.ERROR_PROXY] } },
                { range: { 'dane_node.not_before': { gte: PARKED_UNTIL.getTime() } } },
              ],
            },
          },
        ],
        minimum_should_match: 1,
      },
    };
    // ASR waits for the 500 DOWNLOAD: blocked. NER waits for a THUMB that is still being retried: not.
    expect(bodies[2].query).toEqual({
      bool: {
        must: [{ exists: { field: 'task.key' } }, { match: { 'task.key': 'ASR' } }, { bool: { should: [itself, { ids: { values: [asr._id] } }], minimum_should_match: 1 } }],
      },
    });
  });

  it('counts the tasks that need a person by key; without 412 tasks the query is the states alone', async () => {
    recorded.es.once('POST', '/_search', pitHits([]));
    recorded.es.once('POST', `/${INDEX}/_search`, {
      status: 200,
      body: {
        took: 3,
        timed_out: false,
        _shards: { total: 1, successful: 1, skipped: 0, failed: 0 },
        hits: { total: { value: 2, relation: 'eq' }, max_score: null, hits: [] },
        aggregations: { by_key: { after_key: { key: 'FILESIZE' }, buckets: [{ key: { key: 'FILESIZE' }, doc_count: 2 }] } },
      },
    });
    expect(await recorded.store.tasks.countNeedingPerson()).toEqual([{ key: 'FILESIZE', count: 2 }]);
    expect(recorded.es.calls.map((c) => c.path)).toEqual([`/${INDEX}/_pit`, '/_search', '/_pit', `/${INDEX}/_search`]);
    const body = recorded.es.calls[3].body as Record<string, any>;
    expect(body.aggs).toEqual({ by_key: { composite: { size: 1000, sources: [{ key: { terms: { field: 'task.key' } } }] } } });
    expect(body.query.bool.must[0]).toEqual({ exists: { field: 'task.key' } });
    expect(body.query.bool.must[1].bool.should).toHaveLength(2);
  });
});
